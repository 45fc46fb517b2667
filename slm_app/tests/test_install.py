"""What install-app leaves on a site: roles, workflows, workspace, print format, defaults."""

import frappe
from frappe.tests.utils import FrappeTestCase

from slm_app.core import lifecycle
from slm_app.core.roles import ALL_ROLES


class TestInstall(FrappeTestCase):
	def test_roles_workflows_and_workspace(self):
		for role in ALL_ROLES:
			self.assertTrue(frappe.db.exists("Role", role), role)
		wf = frappe.get_doc("Workflow", "SLM Agreement Lifecycle")
		self.assertTrue(wf.is_active)
		self.assertEqual(
			{(t.state, t.action, t.next_state, t.allowed) for t in wf.transitions},
			{(t.state, t.action, t.next_state, t.role) for t in lifecycle.TRANSITIONS},
		)
		self.assertEqual(frappe.db.get_value("Workflow", {"document_type": "SLM Service"}, "is_active"), 1)
		self.assertTrue(frappe.db.exists("Workspace", "Service Level Management"))
		self.assertTrue(frappe.db.exists("Print Format", "SLM Agreement"))
		self.assertTrue(frappe.db.exists("SLM Service Calendar", "Standard Business Hours"))
		self.assertTrue(frappe.db.exists("SLM Agreement Template", {"agreement_type": "SLA", "language": "zh"}))
		ws = frappe.get_doc("Workspace", "Service Level Management")
		self.assertEqual(len(ws.number_cards), 5)
		# the month so far: the targets at risk, as a number and as a list
		self.assertEqual(ws.number_cards[-1].number_card_name, "SLM Targets at Risk")
		self.assertEqual([q.document_type for q in ws.quick_lists], ["SLM Budget Status"])
		self.assertEqual(
			[c.chart_name for c in ws.charts], ["SLM Breach Trend", "SLM Breaches by Service", "SLM Compliance by Service"]
		)
		self.assertTrue(frappe.db.exists("Dashboard Chart Source", "SLM Compliance by Service"))
		self.assertTrue(frappe.db.exists("Print Format", "SLM Service Report"))
		self.assertEqual(frappe.db.get_value("Workflow", {"document_type": "SLM Service Report"}, "is_active"), 1)
		for card in ws.number_cards:
			self.assertTrue(frappe.db.exists("Number Card", card.number_card_name), card.number_card_name)
		for chart in ws.charts:
			self.assertTrue(frappe.db.exists("Dashboard Chart", chart.chart_name), chart.chart_name)

	def test_custom_number_cards_answer(self):
		from slm_app import dashboard

		self.assertEqual(dashboard.monitored_on_time()["fieldtype"], "Percent")
		self.assertIsInstance(dashboard.reviews_due(), int)

	def test_no_name_clashes_with_erpnext_or_helpdesk(self):
		ours = frappe.get_all("DocType", filters={"module": "SLM", "custom": 0}, pluck="name")
		self.assertTrue(ours)
		self.assertTrue(all(name.startswith("SLM ") for name in ours))
		for taken in ("Service Level Agreement", "Contract", "Issue", "Service Level Priority", "Service Day"):
			self.assertNotIn(taken, ours)

	def test_settings_on_a_site_upgraded_from_before_the_due_day(self):
		frappe.db.set_single_value("SLM Settings", "monitoring_due_day", None)
		settings = frappe.get_single("SLM Settings")
		settings.save()
		self.assertEqual(frappe.db.get_single_value("SLM Settings", "monitoring_due_day"), 5)
		settings.monitoring_due_day = 31
		with self.assertRaises(frappe.ValidationError):
			settings.save()


class TestDeskLanding(FrappeTestCase):
	"""Everyone holding an SLM role lands on the SLM workspace; the setup wizard never stands in the way."""

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_an_slm_role_sets_the_default_workspace(self):
		from slm_app.desk_setup import WORKSPACE, backfill_default_workspace
		from slm_app.tests import utils as u

		user = u.make_user("slm.landing@example.com", [])
		self.assertFalse(frappe.db.get_value("User", user, "default_workspace"))
		# a support team's membership gives the team member's role (a desk role), and with it the workspace
		u.make_party("_Test SLM Landing Team", "Support Team", [user])
		self.assertEqual(frappe.db.get_value("User", user, "default_workspace"), WORKSPACE)
		# a customer's contact is a Website User: the portal (/slm) is their home, never the desk
		contact = u.make_user("slm.landing.contact@example.com", [])
		u.make_party("_Test SLM Landing Portal Customer", "Customer", [contact])
		self.assertEqual(frappe.db.get_value("User", contact, "user_type"), "Website User")
		# a workspace the user chose stays
		other = u.make_user("slm.landing.other@example.com", [])
		frappe.db.set_value("User", other, "default_workspace", "Users")
		frappe.get_doc("User", other).add_roles("SLM Service Level Monitor")
		self.assertEqual(frappe.db.get_value("User", other, "default_workspace"), "Users")
		# users who held a role before slm_app set it are given it on migrate
		frappe.db.set_value("User", user, "default_workspace", None)
		self.assertGreaterEqual(backfill_default_workspace(), 1)
		self.assertEqual(frappe.db.get_value("User", user, "default_workspace"), WORKSPACE)

	def test_the_setup_wizard_is_completed_only_when_slm_app_can_answer_it(self):
		from unittest.mock import patch

		from slm_app import desk_setup

		with patch.object(frappe.db, "get_single_value", side_effect=lambda dt, f, *a, **k: 0 if f == "setup_complete" else None):
			with patch("frappe.get_hooks", side_effect=lambda h=None, *a, **k: ["erpnext.setup.setup_wizard.setup_wizard.get_setup_stages"] if h == "setup_wizard_stages" else []):
				self.assertIn("Administrator", desk_setup.complete_setup_wizard())
			with patch("frappe.desk.page.setup_wizard.setup_wizard.setup_complete") as wizard:
				self.assertEqual(desk_setup.complete_setup_wizard(), "completed")
				args = wizard.call_args[0][0]
				self.assertEqual(args["language"], "English")
				self.assertTrue(args["country"] and args["timezone"] and args["currency"])
