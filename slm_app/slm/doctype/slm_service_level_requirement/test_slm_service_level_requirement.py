# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""SL2.1 / SL2.2: a customer's requirement compared with the catalogue, then drafted agreements."""

import frappe
from frappe.tests.utils import FrappeTestCase

from slm_app.tests import utils as u


class TestSLMServiceLevelRequirement(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()

	def tearDown(self):
		frappe.set_user("Administrator")

	def requirement(self, items):
		frappe.set_user(u.MANAGER_USER)
		doc = frappe.get_doc(
			{
				"doctype": "SLM Service Level Requirement",
				"title": "_Test online banking for A",
				"customer": u.CUSTOMER_A,
				"requested_on": "2026-01-01",
				"items": items,
			}
		).insert()
		return doc

	def test_met_requirement_drafts_sla_ola_and_uc_linked(self):
		doc = self.requirement(
			[
				{"service": u.HOSTING, "metric_kind": "Availability", "target_value": 99.5},
				{
					"service": u.HOSTING,
					"metric_kind": "Resolution Time",
					"priority": "High",
					"target_value": 12,
					"time_unit": "Hours",
					"compliance_share": 90,
				},
			]
		)
		self.assertEqual(doc.compare_with_catalogue(), "Existing Service")
		doc.reload()
		self.assertEqual([r.met for r in doc.items], [1, 1])
		self.assertEqual(doc.items[0].matched_level, "Gold")
		result = doc.make_agreements()
		frappe.set_user("Administrator")
		sla = frappe.get_doc("SLM Agreement", result["sla"])
		self.assertEqual((sla.agreement_type, sla.party, sla.requirement), ("SLA", u.CUSTOMER_A, doc.name))
		kinds = sorted(frappe.db.get_value("SLM Agreement", n, "agreement_type") for n in result["underpinning"])
		self.assertEqual(kinds, ["OLA", "UC"])
		linked = {(r.sla_target, frappe.db.get_value("SLM Agreement", r.underpinning_agreement, "agreement_type")) for r in sla.underpinning}
		self.assertIn(("T1", "OLA"), linked)
		self.assertIn(("T1", "UC"), linked)
		self.assertEqual(frappe.db.get_value("SLM Service Level Requirement", doc.name, "status"), "Agreements Drafted")

	def test_unmet_requirement_needs_new_service_design(self):
		doc = self.requirement(
			[
				{"service": u.HOSTING, "metric_kind": "Availability", "target_value": 99.999},
				{"requested_service": "Quantum computing", "metric_kind": "Availability", "target_value": 99},
			]
		)
		self.assertEqual(doc.compare_with_catalogue(), "New Service Design Needed")
		doc.reload()
		self.assertEqual([r.met for r in doc.items], [0, 0])
		self.assertTrue(all(r.gap for r in doc.items))
		with self.assertRaises(frappe.ValidationError):
			doc.make_agreements()

	def test_customer_contact_sees_only_own_requirements(self):
		doc = self.requirement([{"service": u.HOSTING, "metric_kind": "Availability", "target_value": 99}])
		frappe.set_user(u.CUSTOMER_B_USER)
		self.assertNotIn(doc.name, frappe.get_list("SLM Service Level Requirement", pluck="name"))
		frappe.set_user(u.CUSTOMER_A_USER)
		self.assertIn(doc.name, frappe.get_list("SLM Service Level Requirement", pluck="name"))

	def test_business_service_drafts_underpinning_for_the_services_it_is_built_on(self):
		from slm_app.slm.doctype.slm_agreement.slm_agreement import get_consistency

		doc = self.requirement(
			[
				{"service": u.BANKING, "metric_kind": "Availability", "target_value": 99.5},
				{
					"service": u.BANKING,
					"metric_kind": "Resolution Time",
					"priority": "High",
					"target_value": 8,
					"time_unit": "Hours",
					"compliance_share": 90,
				},
			]
		)
		self.assertEqual(doc.compare_with_catalogue(), "Existing Service")
		result = doc.make_agreements()
		frappe.set_user("Administrator")
		ola = next(frappe.get_doc("SLM Agreement", n) for n in result["underpinning"] if n.startswith("OLA"))
		self.assertEqual(sorted(r.service for r in ola.services), sorted([u.BANKING, u.HOSTING, u.NETWORK]))
		# four serial carriers (three OLA targets and the UC): each gets its share of the availability budget
		shares = [t.target_value for t in ola.targets if t.metric_kind == "Availability"]
		self.assertEqual(shares, [99.875] * 3)
		self.assertEqual(get_consistency(result["sla"]), [])
