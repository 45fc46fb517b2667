"""The agreement register and the service catalogue reports, as the manager and as a customer's contact."""

import frappe
from frappe.tests.utils import FrappeTestCase

from slm_app.slm.report.slm_agreement_register import slm_agreement_register as register
from slm_app.slm.report.slm_service_catalogue import slm_service_catalogue as catalogue
from slm_app.tests import utils as u


class TestRegisterAndCatalogue(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()
		cls.sla, cls.ola, cls.uc = u.make_active_set(change="CHG-REP")
		# a draft SLA for customer B whose only target has no underpinning
		cls.draft_b = u.make_agreement("SLA", u.CUSTOMER_B, [u.target(u.BANKING, "Availability", 99.0)], valid_to="2026-12-15")

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_register_flags_expiry_reviews_and_missing_underpinning(self):
		frappe.set_user(u.MANAGER_USER)
		cols, rows, _m, chart, summary = register.execute({"as_of": "2026-11-20", "expiring_within_days": 30})
		by = {r.name: r for r in rows}
		self.assertTrue(cols and chart and summary)
		self.assertEqual(by[self.sla.name].targets_without_underpinning, 0)
		self.assertEqual(by[self.draft_b.name].targets_without_underpinning, 1)
		self.assertEqual((by[self.draft_b.name].expiring, by[self.draft_b.name].days_to_expiry), (1, 25))
		self.assertEqual(by[self.sla.name].expiring, 0)  # 41 days left
		self.assertIsNone(by[self.ola.name].targets_without_underpinning)
		# quarterly reviews from 2026-01-01: the next one due is the last day of the validity
		self.assertEqual(str(by[self.sla.name].next_review), "2026-12-31")
		with self.assertRaises(frappe.ValidationError):
			register.execute({"expiring_within_days": -1})

	def test_a_customer_sees_only_their_agreements(self):
		frappe.set_user(u.CUSTOMER_A_USER)
		_c, rows, _m, _ch, _s = register.execute({})
		self.assertEqual({r.name for r in rows}, {self.sla.name})
		_c, services, _m, _ch, _s = catalogue.execute({})
		banking = next(s for s in services if s.name == u.BANKING)
		self.assertEqual((banking.slas, banking.agreements), (1, self.sla.name))

	def test_catalogue_counts_agreements_per_service(self):
		frappe.set_user(u.MANAGER_USER)
		_c, services, _m, chart, summary = catalogue.execute({"service_kind": "Technical Service"})
		by = {s.name: s for s in services}
		self.assertEqual(by[u.NETWORK].olas, 1)
		self.assertEqual(by[u.HOSTING].ucs, 1)
		self.assertTrue(all(s.service_kind == "Technical Service" for s in services))
		self.assertTrue(chart and summary)

	def test_every_report_opens_in_the_desk_for_a_customer_contact(self):
		"""Through the desk's own entry point, which checks the report's roles and the report permission on
		its reference doctype, not only the report's execute()."""
		from frappe.desk.query_report import run

		frappe.set_user(u.CUSTOMER_A_USER)
		for report in ("SLA Monitoring Table", "SLM Breach Register", "SLM KPIs", "SLM Agreement Register", "SLM Service Catalogue"):
			with self.subTest(report=report):
				out = run(report, filters={})
				self.assertIn("result", out)
		rows = run("SLM Agreement Register", filters={})["result"]
		self.assertEqual({r["name"] for r in rows if isinstance(r, dict) and r.get("name")}, {self.sla.name})
