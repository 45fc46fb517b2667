"""Tickets read from Helpdesk / ERPNext. Neither is installed on the test bench, so a stand-in DocType with
the fields slm_app reads (the names of Helpdesk's HD Ticket and ERPNext's Issue) plays the source."""

import frappe
from frappe.tests.utils import FrappeTestCase

from slm_app import ticket_sources
from slm_app.tests import utils as u

STAND_IN = "HD Ticket"


class TestTicketSources(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		if not frappe.db.exists("DocType", STAND_IN):
			# DDL commits, so the stand-in is made before any test data, once, and left in place (module
			# Custom) so no later run needs DDL in the middle of its transaction
			frappe.get_doc(
				{
					"doctype": "DocType",
					"name": STAND_IN,
					"module": "Custom",
					"custom": 1,
					"autoname": "autoincrement",
					"fields": [
						{"fieldname": "opening_date", "fieldtype": "Date", "label": "Opening Date"},
						{"fieldname": "opening_time", "fieldtype": "Time", "label": "Opening Time"},
						{"fieldname": "first_responded_on", "fieldtype": "Datetime", "label": "First Responded On"},
						{"fieldname": "resolution_date", "fieldtype": "Datetime", "label": "Resolution Date"},
						{"fieldname": "priority", "fieldtype": "Data", "label": "Priority"},
						{"fieldname": "customer", "fieldtype": "Data", "label": "Customer"},
						{"fieldname": "on_hold_since", "fieldtype": "Datetime", "label": "On Hold Since"},
					],
					"permissions": [{"role": "System Manager", "read": 1, "write": 1, "create": 1}],
				}
			).insert(ignore_permissions=True)
			frappe.db.commit()
		super().setUpClass()
		u.setup_world()
		cls.sla, _ola, _uc = u.make_active_set(change="CHG-SYNC")
		frappe.db.set_value("SLM Party", u.CUSTOMER_A, "external_customer", "ACME Helpdesk Name")


	def test_new_tickets_are_copied_and_changes_follow(self):
		frappe.db.set_default("slm_ticket_sync_Helpdesk", None)
		frappe.db.delete(STAND_IN)
		a = frappe.get_doc(
			{"doctype": STAND_IN, "opening_date": "2026-03-02", "opening_time": "09:00:00", "priority": "Urgent", "customer": "ACME Helpdesk Name", "first_responded_on": "2026-03-02 09:10:00"}
		).insert(ignore_permissions=True)
		frappe.get_doc({"doctype": STAND_IN, "opening_date": "2026-03-02", "opening_time": "10:00:00", "priority": "Low", "customer": "Nobody we know"}).insert(ignore_permissions=True)
		out = ticket_sources.sync_tickets()["Helpdesk"]
		self.assertEqual((out["new"], out["no_agreement"]), (1, 1))
		t = frappe.get_doc("SLM Ticket Event", f"Helpdesk-{a.name}")
		self.assertEqual((t.agreement_code, t.priority, str(t.created_at), str(t.first_response_at)), (self.sla.agreement_code, "Critical", "2026-03-02 09:00:00", "2026-03-02 09:10:00"))
		self.assertIsNone(t.resolved_at)
		frappe.db.set_value(STAND_IN, a.name, {"resolution_date": "2026-03-02 15:00:00"}, update_modified=True)
		frappe.db.set_value(STAND_IN, a.name, "modified", frappe.utils.add_to_date(frappe.utils.now_datetime(), minutes=5))
		out = ticket_sources.sync_tickets()["Helpdesk"]
		self.assertEqual((out["new"], out["updated"]), (0, 1))
		self.assertEqual(str(frappe.db.get_value("SLM Ticket Event", t.name, "resolved_at")), "2026-03-02 15:00:00")
