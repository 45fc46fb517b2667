# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
import pandas as pd
from frappe.tests.utils import FrappeTestCase

from slm_app.tests import utils as u
from slm_app.utils import to_site_time


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

	def test_every_problem_of_a_row_is_listed(self):
		code = self.sla.agreement_code
		csv = (
			"Ticket_ID,Agreement,Priority,Created,First_Response,Resolved,Pauses\n"
			f"_P-1,{code},High,2026-03-02 09:00,,,\n"
			"_P-2,NOPE,Urgent,2026-03-02 09:00,soon,,\n"
			f",{code},High,2026-03-02 09:00,2026-03-01 09:00,2026-03-01 10:00,\n"
		)
		frappe.set_user(u.MONITOR_USER)
		doc = frappe.get_doc({"doctype": "SLM Measurement Import", "kind": "Ticket Events", "import_file": attach("_problems.csv", csv)}).insert()
		res = doc.start_import()
		doc.reload()
		self.assertEqual([p["row"] for p in res["problems"]], [3, 3, 3, 4, 4, 4])
		self.assertEqual(
			doc.problems.splitlines(),
			[
				"Row 3: unknown agreement NOPE",
				"Row 3: Priority must be one of Critical, High, Medium, Low, not Urgent",
				"Row 3: first_response is not a date and time: soon",
				"Row 4: Ticket ID is required",
				"Row 4: first response is before the ticket was created",
				"Row 4: resolved is before the ticket was created",
			],
		)
		self.assertEqual((doc.status, doc.rows_written), ("Nothing Imported", 0))

	def test_a_recorded_ticket_is_updated_by_its_id_unless_its_month_is_closed(self):
		from slm_app import monitoring

		code = self.sla.agreement_code
		header = "Ticket_ID,Agreement,Priority,Created,First_Response,Resolved,Pauses\n"

		def run(name, body, keep="Import nothing"):
			doc = frappe.get_doc(
				{"doctype": "SLM Measurement Import", "kind": "Ticket Events", "import_file": attach(name, header + body), "keep": keep}
			).insert()
			res = doc.start_import()
			doc.reload()
			return doc, res

		def ticket(tid):
			return frappe.db.get_value(
				"SLM Ticket Event", tid, ["priority", "first_response_at", "resolved_at", "modified_by"], as_dict=True
			)

		frappe.set_user(u.MONITOR_USER)
		doc, _res = run("_u1.csv", f"_U-1,{code},High,2026-06-02 09:00,,,\n_U-2,{code},High,2026-05-04 09:00,,,\n")
		self.assertEqual((doc.status, doc.rows_written, doc.rows_updated), ("Imported", 2, 0))

		# May is closed: its monitoring records are submitted
		frappe.set_user("Administrator")
		monitoring.write_month(monitoring.compute(2026, 5, [code], lock=True), submit=True)
		self.assertTrue(frappe.db.exists("SLM Monitoring Record", {"agreement_code": code, "period": "2026-05", "docstatus": 1}))
		frappe.set_user(u.MONITOR_USER)

		# _U-1 answered, paused and resolved; _U-2 resolved in a closed month: refused, and nothing is written
		answered = f"_U-1,{code},Critical,2026-06-02 09:00,2026-06-02 09:20,2026-06-02 12:00,2026-06-02 10:00/2026-06-02 11:00\n"
		doc, res = run("_u2.csv", answered + f"_U-2,{code},High,2026-05-04 09:00,,2026-05-04 10:00,\n")
		self.assertEqual((doc.status, doc.rows_written, doc.rows_updated, res["updated"]), ("Nothing Imported", 0, 0, []))
		self.assertEqual(
			doc.problems,
			f"Row 3: ticket _U-2 belongs to 2026-05, a closed month of agreement {code} (its monitoring records are submitted); "
			"an import does not change a closed month",
		)
		self.assertEqual((ticket("_U-1").priority, ticket("_U-1").resolved_at), ("High", None))

		# the same import fixed (the closed month's ticket left out) updates _U-1 by its id and adds _U-3
		doc.import_file = attach("_u3.csv", header + answered + f"_U-3,{code},Low,2026-06-03 09:00,,,\n")
		doc.save()
		res = doc.start_import()
		doc.reload()
		self.assertEqual((doc.status, doc.rows_written, doc.rows_updated, doc.updated_tickets), ("Imported", 2, 1, "_U-1"))
		self.assertEqual((res["inserted"], res["updated"]), (1, ["_U-1"]))
		t = ticket("_U-1")
		shanghai = [to_site_time(pd.Timestamp(f"2026-06-02 {hm}", tz="Asia/Shanghai").value) for hm in ("09:20", "12:00")]
		self.assertEqual((t.priority, t.first_response_at, t.resolved_at), ("Critical", *shanghai))
		self.assertEqual(t.modified_by, u.MONITOR_USER)
		self.assertEqual(frappe.db.count("SLM Ticket Pause", {"parent": "_U-1"}), 1)
		self.assertIsNone(ticket("_U-2").resolved_at)

		# the same file again changes nothing and says so
		doc, res = run("_u4.csv", answered + f"_U-3,{code},Low,2026-06-03 09:00,,,\n")
		self.assertEqual((doc.status, doc.rows_written, doc.rows_updated, res["unchanged"]), ("Imported", 0, 0, ["_U-1", "_U-3"]))
		self.assertEqual(frappe.db.count("SLM Ticket Pause", {"parent": "_U-1"}), 1)
