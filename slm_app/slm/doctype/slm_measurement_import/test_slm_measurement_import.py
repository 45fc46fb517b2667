# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from slm_app.tests import utils as u


def attach(name: str, content: str) -> str:
	f = frappe.get_doc({"doctype": "File", "file_name": name, "content": content.encode(), "is_private": 1}).insert(ignore_permissions=True)
	return f.file_url


class TestSLMMeasurementImport(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()
		cls.sla, _ola, _uc = u.make_active_set(change="CHG-IMP")

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_a_csv_with_bad_rows_imports_nothing_or_the_valid_rows_as_chosen(self):
		code = self.sla.agreement_code
		csv = (
			"Ticket_ID,Agreement,Priority,Created,First_Response,Resolved,Pauses\n"
			f"_I-1,{code},High,2026-03-02 09:00,2026-03-02 09:20,2026-03-02 12:00,\n"
			f"_I-2,{code},High,2026-03-02 09:00,,2026-03-01 12:00,\n"
			f"_I-3,NOPE,High,2026-03-02 09:00,,,\n"
			f"_I-4,{code},High,2026-03-06 17:00,,2026-03-09 12:00,2026-03-06 17:30/2026-03-09 09:00\n"
		)
		url = attach("_tickets.csv", csv)
		frappe.set_user(u.MONITOR_USER)
		doc = frappe.get_doc({"doctype": "SLM Measurement Import", "kind": "Ticket Events", "import_file": url}).insert()
		res = doc.start_import()
		doc.reload()
		self.assertEqual((doc.status, doc.rows_total, doc.rows_written), ("Nothing Imported", 4, 0))
		self.assertEqual([p["row"] for p in res["problems"]], [3, 4])  # file rows: the header is row 1
		self.assertIn("Row 3: resolved is before the ticket was created", doc.problems)
		self.assertFalse(frappe.db.exists("SLM Ticket Event", "_I-1"))
		doc2 = frappe.get_doc(
			{"doctype": "SLM Measurement Import", "kind": "Ticket Events", "import_file": url, "keep": "Import the valid rows"}
		).insert()
		doc2.start_import()
		doc2.reload()
		self.assertEqual((doc2.status, doc2.rows_written), ("Partly Imported", 2))
		self.assertEqual(frappe.db.count("SLM Ticket Pause", {"parent": "_I-4"}), 1)
		self.assertEqual(frappe.db.get_value("SLM Ticket Event", "_I-1", "agreement_code"), code)
