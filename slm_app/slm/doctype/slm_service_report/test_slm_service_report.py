# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""Quarterly service reports on a real site: drafted after the quarter, filled from the quarter's
records, approved by the manager, sent to the customer's contacts, seen only by that customer."""

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import FrappeTestCase
from frappe.translate import print_language

from slm_app import service_reports, tasks
from slm_app.tests import utils as u


class TestServiceReports(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()
		cls.sla, cls.ola, cls.uc = u.make_active_set(change="CHG-SR")  # 2026-01-01 .. 2026-12-31
		frappe.set_user(u.MONITOR_USER)
		from slm_app import api

		code = cls.sla.agreement_code
		api.import_measurements(
			"tickets",
			[
				# SLA resolution ≤ 8 business hours for 95 %: January met (3 h), February missed (10 h), March met (8 h)
				{"ticket_id": "_SR-1", "agreement": code, "priority": "High", "created": "2026-01-05 09:00", "resolved": "2026-01-05 12:00"},
				{"ticket_id": "_SR-2", "agreement": code, "priority": "High", "created": "2026-02-06 17:00", "resolved": "2026-02-10 10:00"},
				{"ticket_id": "_SR-3", "agreement": code, "priority": "High", "created": "2026-03-02 09:00", "resolved": "2026-03-02 18:00"},
			],
		)
		api.import_measurements("coverage", [{"service": u.BANKING, "start": "2026-01-01 00:00", "end": "2026-04-01 00:00"}])
		frappe.set_user("Administrator")
		tasks.monitor_agreement(code, [(2026, 1), (2026, 2), (2026, 3)], commit=False)
		# the quarter's review, held
		tasks.schedule_reviews("2026-03-20", horizon_days=30)
		review = frappe.get_doc("SLM Service Review", f"REV-{cls.sla.name}-2026-03-31")
		review.append("findings", {"item_type": "Decision", "description": "_Test weekend on-call rota", "status": "Done"})
		review.status = "Closed"
		review.save()
		cls.review = review.name

	def tearDown(self):
		frappe.set_user("Administrator")

	def reports(self):
		tasks.schedule_service_reports("2026-04-06")
		return f"SR-{u.CUSTOMER_A}-2026-Q1", f"SR-{self.sla.agreement_code}-2026-Q1"

	def test_drafted_once_after_the_monitoring_due_day(self):
		self.assertEqual(tasks.schedule_service_reports("2026-04-05"), [])  # Q1's monitoring is due on 5 April
		self.assertEqual(tasks.schedule_service_reports("2026-03-31"), [])
		customer, sla = self.reports()
		self.assertTrue(frappe.db.exists("SLM Service Report", customer))
		self.assertEqual(frappe.db.get_value("SLM Service Report", sla, ["workflow_state", "docstatus"]), ("Draft", 0))
		self.assertEqual(frappe.db.get_value("SLM Service Report", sla, "agreement"), self.sla.name)
		self.assertEqual(tasks.schedule_service_reports("2026-04-07"), [])  # once
		self.assertTrue(frappe.db.exists("Notification Log", {"for_user": u.MANAGER_USER, "document_type": "SLM Service Report"}))
		# the setting can turn the per-SLA reports off
		frappe.db.set_single_value("SLM Settings", "service_report_scope", "Customer")
		try:
			self.assertEqual([n for n in service_reports.generate_quarter(2026, 2) if n.startswith("SR-SLA")], [])
		finally:
			frappe.db.set_single_value("SLM Settings", "service_report_scope", "Customer and SLA")

	def test_content_matches_the_quarter_hand_computed(self):
		_customer, name = self.reports()
		doc = frappe.get_doc("SLM Service Report", name)
		rows = {r.target_code: r for r in doc.compliance}
		self.assertEqual(sorted(rows), ["T1", "T2"])
		t1, t2 = rows["T1"], rows["T2"]
		self.assertEqual((t1.result_1, t1.result_2, t1.result_3), ("Met", "Breached", "Met"))
		self.assertEqual((t1.value_1, t1.value_2, t1.value_3), ("100 %", "0 %", "100 %"))
		self.assertEqual((t1.quarter_result, t1.months_met, t1.months_breached), ("Breached", 2, 1))
		self.assertEqual(t1.target_text, "≤ 8 h / 95 %")
		self.assertEqual((t2.result_1, t2.result_2, t2.result_3, t2.quarter_result), ("Met", "Met", "Met", "Met"))
		self.assertEqual(t2.target_text, "≥ 99.9 %")
		# 5 of 6 target-months met; one breach, not handled yet; the review held with its decision
		self.assertEqual((doc.target_count, doc.targets_met, doc.months_met, doc.months_breached), (2, 1, 5, 1))
		self.assertAlmostEqual(doc.compliance_pct, 83.33)
		self.assertEqual((doc.breach_count, doc.breaches_handled), (1, 0))
		(breach,) = doc.breaches
		self.assertEqual((breach.period, breach.target_code, breach.measured_text, breach.status), ("2026-02", "T1", "0 %", "Open"))
		self.assertEqual([r.review for r in doc.reviews], [self.review])
		self.assertIn("_Test weekend on-call rota", doc.reviews[0].decisions)
		# the customer report covers the same SLA; OLA and UC targets never appear in a customer's report
		customer = frappe.get_doc("SLM Service Report", _customer)
		self.assertEqual({r.agreement_code for r in customer.compliance}, {self.sla.agreement_code})

	def test_refresh_picks_up_breach_handling(self):
		_customer, name = self.reports()
		breach = frappe.get_doc("SLM Breach", frappe.get_doc("SLM Service Report", name).breaches[0].breach)
		before = (breach.workflow_state, breach.handling_note)
		breach.db_set({"workflow_state": "Resolved", "handling_note": "_Test restored"})
		try:
			frappe.set_user(u.MANAGER_USER)
			frappe.get_doc("SLM Service Report", name).refresh_data()
			doc = frappe.get_doc("SLM Service Report", name)
			self.assertEqual((doc.breaches[0].status, doc.breaches[0].handling_note, doc.breaches_handled), ("Resolved", "_Test restored", 1))
		finally:
			frappe.set_user("Administrator")
			breach.db_set({"workflow_state": before[0], "handling_note": before[1]})
			frappe.get_doc("SLM Service Report", name).refresh_data()

	def test_bad_input_is_refused_with_a_clear_message(self):
		self.reports()
		frappe.set_user(u.MANAGER_USER)
		cases = [
			({"report_scope": "Customer", "party": u.CUSTOMER_A, "year": 1999, "quarter": "1"}, "2000"),
			({"report_scope": "Customer", "party": u.TEAM, "year": 2026, "quarter": "1"}, "is not a customer"),
			({"report_scope": "SLA", "agreement": self.ola.name, "party": u.TEAM, "year": 2026, "quarter": "1"}, "is not an SLA"),
			({"report_scope": "Customer", "party": u.CUSTOMER_A, "year": 2026, "quarter": "1"}, "already exists"),
			({"report_scope": "Customer", "party": u.CUSTOMER_A, "year": 2025, "quarter": "1"}, "nothing to report"),
		]
		for values, message in cases:
			with self.subTest(values=values):
				with self.assertRaises(frappe.ValidationError) as err:
					frappe.get_doc({"doctype": "SLM Service Report", **values}).insert()
				self.assertIn(message, str(err.exception))
		# a customer without any contact to send to cannot be sent a report
		with self.assertRaises(frappe.ValidationError) as err:
			service_reports.check_can_send(frappe._dict(party=u.SUPPLIER))
		self.assertIn("no contact", str(err.exception))

	def test_approval_sends_to_the_contacts_and_only_that_customer_sees_it(self):
		customer, _sla = self.reports()
		frappe.set_user(u.CUSTOMER_A_USER)
		self.assertNotIn(customer, frappe.get_list("SLM Service Report", pluck="name"))  # drafts stay internal
		self.assertFalse(frappe.has_permission("SLM Service Report", "read", customer))
		frappe.set_user(u.MONITOR_USER)
		with self.assertRaises(frappe.ValidationError):
			apply_workflow(frappe.get_doc("SLM Service Report", customer).as_dict(), "Approve")
		frappe.set_user(u.MANAGER_USER)
		apply_workflow(frappe.get_doc("SLM Service Report", customer).as_dict(), "Approve")
		doc = frappe.get_doc("SLM Service Report", customer)
		self.assertEqual((doc.docstatus, doc.workflow_state, doc.approved_by), (1, "Approved", u.MANAGER_USER))
		self.assertTrue(doc.sent_on)
		self.assertIn((u.CUSTOMER_A_USER, "System Notification"), [(r.recipient, r.channel) for r in doc.recipients])
		self.assertTrue(frappe.db.exists("Notification Log", {"for_user": u.CUSTOMER_A_USER, "document_type": "SLM Service Report", "document_name": customer}))
		frappe.set_user(u.CUSTOMER_A_USER)
		self.assertIn(customer, frappe.get_list("SLM Service Report", pluck="name"))
		self.assertTrue(frappe.has_permission("SLM Service Report", "read", customer))
		frappe.set_user(u.CUSTOMER_B_USER)
		self.assertNotIn(customer, frappe.get_list("SLM Service Report", pluck="name"))
		self.assertFalse(frappe.has_permission("SLM Service Report", "read", customer))

	def test_print_in_english_and_chinese(self):
		_customer, name = self.reports()
		html = frappe.get_print("SLM Service Report", name, "SLM Service Report")
		self.assertIn("Quarterly Service Report", html)
		self.assertIn("2026-02", html)
		self.assertIn("≤ 8 h / 95 %", html)
		self.assertNotIn("{{", html)
		with print_language("zh"):
			html_zh = frappe.get_print("SLM Service Report", name, "SLM Service Report")
		self.assertIn("季度服务报告", html_zh)
		self.assertIn("违例", html_zh)
		# a report in Chinese composes its own texts in Chinese
		doc = frappe.get_doc("SLM Service Report", name)
		doc.language = "zh"
		doc.save()
		try:
			self.assertIn("决定: _Test weekend on-call rota (已完成)", frappe.get_doc("SLM Service Report", name).reviews[0].decisions)
		finally:
			doc = frappe.get_doc("SLM Service Report", name)
			doc.language = "en"
			doc.save()
		self.assertIn("Decision: _Test weekend on-call rota (Done)", frappe.get_doc("SLM Service Report", name).reviews[0].decisions)

	def test_compliance_by_service_chart_counts_what_the_user_may_read(self):
		from unittest.mock import patch

		from slm_app import dashboard

		frappe.set_user(u.CUSTOMER_A_USER)
		with patch("slm_app.dashboard.nowdate", return_value="2026-11-26"):  # Q1 2026 is in the last 12 closed months
			data = dashboard.compliance_by_service(filters={"months": 12, "agreement_type": "SLA"})
			self.assertEqual(data["labels"], [u.BANKING])
			self.assertEqual(data["datasets"][0]["values"], [83.3])  # 5 of 6 target-months met
			frappe.set_user(u.CUSTOMER_B_USER)
			self.assertEqual(dashboard.compliance_by_service(filters={"months": 12})["labels"], [])
			frappe.set_user(u.MANAGER_USER)
			with self.assertRaises(frappe.ValidationError):
				dashboard.compliance_by_service(filters={"months": 0})
			with self.assertRaises(frappe.ValidationError):
				dashboard.compliance_by_service(filters={"agreement_type": "XLA"})

	def test_with_an_outgoing_account_the_pdf_is_emailed_and_a_withdrawn_report_disappears(self):
		from unittest.mock import patch

		_customer, name = self.reports()
		frappe.db.set_value("SLM Party", u.CUSTOMER_A, "email", "service@customer-a.example")
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "_Test SLM Outgoing",
				"email_id": "slm-outgoing@example.com",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "smtp.example.com",
				"password": "secret",
			}
		).insert(ignore_permissions=True)
		self.addCleanup(lambda: frappe.delete_doc("Email Account", account.name, ignore_permissions=True, force=True))
		frappe.set_user(u.MANAGER_USER)
		# the PDF itself is checked by the print test and by hand; wkhtmltopdf needs the site served over HTTP
		with patch.object(service_reports, "render_pdf", return_value=b"%PDF-1.4 test") as pdf:
			apply_workflow(frappe.get_doc("SLM Service Report", name).as_dict(), "Approve")
		pdf.assert_called_once()
		doc = frappe.get_doc("SLM Service Report", name)
		emailed = {r.recipient for r in doc.recipients if r.channel == "Email"}
		self.assertEqual(emailed, {"service@customer-a.example", u.CUSTOMER_A_USER})
		queue = frappe.get_all("Email Queue", filters={"reference_doctype": "SLM Service Report", "reference_name": name}, pluck="name")
		self.assertEqual(len(queue), 1)
		sent_to = set(frappe.get_all("Email Queue Recipient", filters={"parent": queue[0]}, pluck="recipient"))
		self.assertEqual(sent_to, emailed)
		self.assertIn(f"{name}.pdf", frappe.db.get_value("Email Queue", queue[0], "message"))  # attached in the MIME message
		# withdrawn: cancelled, and gone from the customer's list
		apply_workflow(frappe.get_doc("SLM Service Report", name).as_dict(), "Withdraw")
		self.assertEqual(frappe.db.get_value("SLM Service Report", name, ["workflow_state", "docstatus"]), ("Withdrawn", 2))
		frappe.set_user(u.CUSTOMER_A_USER)
		self.assertNotIn(name, frappe.get_list("SLM Service Report", pluck="name"))
