# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""Service reviews (SL5.1) and improvement plans (SL5.2) on a real site."""

import frappe
from frappe.tests.utils import FrappeTestCase

from slm_app import tasks
from slm_app.tests import utils as u


class TestReviewsAndPlans(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()
		cls.sla, cls.ola, cls.uc = u.make_active_set(change="CHG-REV")  # quarterly, 2026-01-01 .. 2026-12-31
		frappe.set_user(u.MONITOR_USER)
		from slm_app import api

		api.import_measurements(
			"tickets",
			[{"ticket_id": "_R-1", "agreement": cls.sla.agreement_code, "priority": "High", "created": "2026-02-02 09:00", "resolved": "2026-02-04 09:00"}],
		)
		frappe.set_user("Administrator")
		tasks.monitor_agreement(cls.sla.agreement_code, [(2026, 1), (2026, 2), (2026, 3)], commit=False)

	def tearDown(self):
		frappe.set_user("Administrator")

	def quarter_review(self) -> str:
		"""The SLA's first quarterly review, scheduled on 20 March (made by whichever test runs first)."""
		tasks.schedule_reviews("2026-03-20", horizon_days=30)
		return f"REV-{self.sla.name}-2026-03-31"

	def test_reviews_are_scheduled_from_the_cycle_once(self):
		name = self.quarter_review()
		self.assertTrue(frappe.db.exists("SLM Service Review", name))
		self.assertEqual(tasks.schedule_reviews("2026-03-20", horizon_days=30), [])  # idempotent
		# nothing else is due for this SLA within the horizon: the next quarter ends 30 June
		self.assertEqual(frappe.db.count("SLM Service Review", {"agreement": self.sla.name}), 1)
		review = frappe.get_doc("SLM Service Review", name)
		self.assertEqual((str(review.period_from), str(review.period_to)), ("2026-01-01", "2026-03-31"))
		# pre-filled with the quarter's monitoring rows, the breached one linked to its breach
		self.assertEqual(len(review.results), 6)
		breached = [r for r in review.results if r.result == "Breached"]
		self.assertTrue(breached and all(r.breach for r in breached))
		# the OLA's review of the same quarter (still Scheduled whatever the order of tests): reminded once
		ola_review = f"REV-{self.ola.name}-2026-03-31"
		self.assertEqual(frappe.db.get_value("SLM Service Review", ola_review, "status"), "Scheduled")
		# attendees pre-filled: the counterparty's people and the manager who drafted the agreement
		attendees = lambda n: {(a.user, a.organisation) for a in frappe.get_doc("SLM Service Review", n).attendees}  # noqa: E731
		self.assertIn((u.TEAM_USER, u.TEAM), attendees(ola_review))
		self.assertIn(u.MANAGER_USER, {user for user, _org in attendees(ola_review)})
		self.assertIn((u.CUSTOMER_A_USER, u.CUSTOMER_A), attendees(name))
		self.assertNotIn(u.TEAM_USER, {user for user, _org in attendees(name)})
		self.assertIn(ola_review, tasks.remind_reviews("2026-03-25"))
		self.assertNotIn(ola_review, tasks.remind_reviews("2026-03-26"))
		self.assertTrue(frappe.db.exists("Notification Log", {"for_user": u.MANAGER_USER, "document_type": "SLM Service Review"}))

	def test_a_review_with_open_items_cannot_close(self):
		name = self.quarter_review()
		frappe.set_user(u.MANAGER_USER)
		review = frappe.get_doc("SLM Service Review", name)
		review.append("findings", {"item_type": "Finding", "description": "Resolution misses on Fridays", "status": "Open"})
		review.status = "Closed"
		with self.assertRaises(frappe.ValidationError) as err:
			review.save()
		self.assertIn("Resolution misses on Fridays", str(err.exception))
		review = frappe.get_doc("SLM Service Review", name)
		review.append("findings", {"item_type": "Finding", "description": "Resolution misses on Fridays", "status": "Done"})
		review.status = "Closed"
		review.save()
		self.assertEqual(frappe.db.get_value("SLM Service Review", name, "status"), "Closed")
		frappe.set_user(u.CUSTOMER_B_USER)
		self.assertNotIn(name, frappe.get_list("SLM Service Review", pluck="name"))
		frappe.set_user(u.CUSTOMER_A_USER)
		self.assertIn(name, frappe.get_list("SLM Service Review", pluck="name"))

	def test_a_plan_closes_only_when_its_actions_are_done_and_shows_recovery(self):
		frappe.set_user(u.MANAGER_USER)
		plan = frappe.get_doc(
			{
				"doctype": "SLM Improvement Plan",
				"title": "_Test faster Friday fixes",
				"agreement": self.sla.name,
				"start_date": "2026-01-01",
				"actions": [{"action": "Friday on-call rota", "owner_user": u.MANAGER_USER, "due_date": "2026-01-31"}],
				"targets": [{"agreement": self.sla.name, "target_code": "T1"}],
			}
		)
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc({**plan.as_dict(), "actions": [{"action": "No owner", "due_date": "2026-01-31"}]}).insert()
		plan.insert()
		plan.status = "Closed"
		with self.assertRaises(frappe.ValidationError):
			plan.save()
		plan = frappe.get_doc("SLM Improvement Plan", plan.name)
		plan.actions[0].status = "Done"
		plan.status = "Closed"
		plan.save()
		rec = plan.get_recovery(3)
		self.assertEqual(len(rec), 1)
		# Feb and Mar after January: only February had tickets (March is No Data, never counted as observed)
		self.assertEqual((rec[0]["target_code"], rec[0]["months_observed"]), ("T1", 1))
