# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""Service catalogue (SL1.1, SL1.2): the manager drafts, the process owner publishes and retires."""

import frappe
from frappe.model.workflow import WorkflowTransitionError
from frappe.tests.utils import FrappeTestCase

from slm_app.tests import utils as u


class TestSLMService(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_manager_drafts_owner_publishes(self):
		name = "_Test SLM Mail"
		frappe.set_user(u.MANAGER_USER)
		frappe.get_doc(
			{
				"doctype": "SLM Service",
				"service_name": name,
				"service_kind": "Technical Service",
				"service_owner": u.OWNER,
				"service_calendar": u.CALENDAR,
				"service_levels": u.levels(),
			}
		).insert()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("SLM Service", name, "workflow_state"), "Draft")
		with self.assertRaises(WorkflowTransitionError):
			u.act("SLM Service", name, "Publish", u.MANAGER_USER)
		u.act("SLM Service", name, "Publish", u.OWNER)
		doc = frappe.get_doc("SLM Service", name)
		self.assertEqual((doc.workflow_state, doc.published_by), ("Published", u.OWNER))
		u.act("SLM Service", name, "Revise", u.MANAGER_USER)
		self.assertEqual(frappe.db.get_value("SLM Service", name, "workflow_state"), "Draft")

	def test_publishing_needs_owner_calendar_and_levels(self):
		name = "_Test SLM Bare"
		frappe.get_doc({"doctype": "SLM Service", "service_name": name, "service_kind": "Technical Service"}).insert()
		with self.assertRaises(frappe.ValidationError) as err:
			u.act("SLM Service", name, "Publish", u.OWNER)
		self.assertIn("Service Owner", str(err.exception))
		self.assertEqual(frappe.db.get_value("SLM Service", name, "workflow_state"), "Draft")

	def test_business_services_are_built_on_technical_ones(self):
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc(
				{
					"doctype": "SLM Service",
					"service_name": "_Test SLM Wrong",
					"service_kind": "Business Service",
					"depends_on": [{"service": u.BANKING}],
				}
			).insert()
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc(
				{
					"doctype": "SLM Service",
					"service_name": "_Test SLM Wrong 2",
					"service_kind": "Technical Service",
					"depends_on": [{"service": u.NETWORK}],
				}
			).insert()

	def test_a_technical_service_under_a_published_business_service_cannot_retire(self):
		with self.assertRaises(frappe.ValidationError) as err:
			u.act("SLM Service", u.NETWORK, "Retire", u.OWNER)
		self.assertIn(u.BANKING, str(err.exception))

	def test_service_levels_are_validated(self):
		doc = frappe.get_doc(
			{
				"doctype": "SLM Service",
				"service_name": "_Test SLM Levels",
				"service_kind": "Technical Service",
				"service_levels": [{"level_name": "X", "metric_kind": "Availability", "target_value": 0}],
			}
		)
		with self.assertRaises(frappe.ValidationError):
			doc.insert()
