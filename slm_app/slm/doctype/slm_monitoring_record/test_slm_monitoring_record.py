# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""Monitoring (SL4.1, SL4.2) on a real site: measurements in, the monthly table, breaches, digests."""

import frappe
import pandas as pd
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_system_timezone

from slm_app import api, monitoring, tasks
from slm_app.tests import utils as u

MONTH = "2026-03"


class TestMonitoring(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()
		# calendar: Asia/Shanghai, Mon–Fri 09–12 and 13–18 (u.make_calendar)
		cls.sla, cls.ola, cls.uc = u.make_active_set()
		frappe.set_user(u.MONITOR_USER)
		sla, ola = cls.sla.agreement_code, cls.ola.agreement_code
		cls.tickets = api.import_measurements(
			"tickets",
			[
				# SLA resolution 8 h: met (7 h), missed (Fri 17:00 → Tue 10:00 = 1 + 8 + 1 = 10 h), paused → 3 h met
				{"ticket_id": "_T-1", "agreement": sla, "priority": "High", "created": "2026-03-02 09:00", "resolved": "2026-03-02 17:00"},
				{"ticket_id": "_T-2", "agreement": sla, "priority": "High", "created": "2026-03-06 17:00", "resolved": "2026-03-10 10:00", "raised_by": "li.lei@acme.example"},
				{"ticket_id": "_T-3", "agreement": sla, "priority": "High", "created": "2026-03-03 09:00", "resolved": "2026-03-04 12:00", "pauses": [{"start": "2026-03-03 10:00", "end": "2026-03-04 10:00"}]},
				# OLA resolution 4 h: both missed
				{"ticket_id": "_T-4", "agreement": ola, "priority": "High", "created": "2026-03-02 09:00", "resolved": "2026-03-02 17:00"},
				{"ticket_id": "_T-5", "agreement": ola, "priority": "High", "created": "2026-03-09 09:00", "resolved": "2026-03-09 15:00"},
			],
		)
		api.import_measurements(
			"coverage",
			[{"service": s, "start": "2026-01-01 00:00", "end": "2027-01-01 00:00"} for s in (u.BANKING, u.NETWORK, u.HOSTING)],
		)
		api.import_measurements(
			"outages",
			[
				{"service": u.HOSTING, "start": "2026-03-12 13:00", "end": "2026-03-12 15:00"},
				{"service": u.BANKING, "start": "2026-03-11 09:00", "end": "2026-03-11 11:00", "planned": 1},
			],
		)
		frappe.set_user("Administrator")
		cls.first = tasks.monitor_agreement(cls.sla.agreement_code, [(2026, 3)], commit=False)
		tasks.monitor_agreement(cls.ola.agreement_code, [(2026, 3)], commit=False)
		tasks.monitor_agreement(cls.uc.agreement_code, [(2026, 3)], commit=False)

	def tearDown(self):
		frappe.set_user("Administrator")

	def record(self, agreement, code):
		return frappe.get_doc("SLM Monitoring Record", monitoring.record_name(agreement, code, 2026, 3))

	def test_imports_wrote_the_rows(self):
		self.assertEqual((self.tickets["written"], self.tickets["problems"]), (5, []))
		self.assertEqual(frappe.db.count("SLM Ticket Pause", {"parent": "_T-3"}), 1)

	def test_the_monthly_table_for_sla_ola_and_uc(self):
		r = self.record(self.sla.name, "T1")
		self.assertEqual((r.docstatus, r.result, r.sample_count, r.met_count), (1, "Breached", 3, 2))
		self.assertAlmostEqual(r.measured_value, 200 / 3, places=3)
		self.assertEqual((str(r.period_start), str(r.period_end), r.period), ("2026-03-01", "2026-03-31", MONTH))
		self.assertTrue(r.method)
		# SLA availability: Banking covered, one planned outage only: 100 % of the unplanned-free time
		self.assertEqual(self.record(self.sla.name, "T2").result, "Met")
		ola = self.record(self.ola.name, "T1")
		self.assertEqual((ola.result, ola.sample_count, ola.met_count), ("Breached", 2, 0))
		# UC availability: 2 h down out of 176 h of service hours
		uc = self.record(self.uc.name, "T1")
		self.assertEqual(uc.result, "Breached")
		self.assertAlmostEqual(uc.measured_value, 174 / 176 * 100, places=6)

	def test_a_second_run_changes_nothing(self):
		before = frappe.db.count("SLM Monitoring Record"), frappe.db.count("SLM Breach")
		again = tasks.monitor_agreement(self.sla.agreement_code, [(2026, 3)], commit=False)
		self.assertEqual(again[MONTH]["created"], 0)
		self.assertEqual((frappe.db.count("SLM Monitoring Record"), frappe.db.count("SLM Breach")), before)
		self.assertEqual(tasks.months_to_compute("2026-04-05")[self.sla.agreement_code], [(2026, 1), (2026, 2)])

	def test_catch_up_lists_every_missing_closed_month(self):
		months = tasks.months_to_compute("2026-06-10")
		self.assertEqual(months[self.sla.agreement_code], [(2026, 1), (2026, 2), (2026, 4), (2026, 5)])

	def test_breach_records_with_tickets_and_underpinning(self):
		name = f"BR-{self.sla.name}-T1-2026-03"
		b = frappe.get_doc("SLM Breach", name)
		self.assertEqual((b.workflow_state in ("Open", "Notified"), b.missed_count, b.affected_customer), (True, 1, u.CUSTOMER_A))
		self.assertEqual([t.ticket for t in b.tickets], ["_T-2"])
		self.assertEqual((b.affected_users_count, b.affected_users), (1, "li.lei@acme.example"))
		# 8 business hours after Fri 17:00 in Shanghai, stored in the site's time zone
		expected = pd.Timestamp("2026-03-09 17:00", tz="Asia/Shanghai").tz_convert(get_system_timezone()).tz_localize(None)
		self.assertEqual(pd.Timestamp(b.occurred_at), expected)
		self.assertEqual([(x.underpinning_agreement, x.target_code) for x in b.underpinning], [(self.ola.name, "T1")])
		self.assertFalse(frappe.db.exists("SLM Breach", f"BR-{self.sla.name}-T2-2026-03"))

	def test_digest_once_per_recipient(self):
		sent = tasks.send_breach_digests()
		self.assertIn(u.MANAGER_USER, sent)
		self.assertIn(u.TEAM_USER, sent)  # the OLA's support team hears of its own breach
		self.assertNotIn(f"BR-{self.sla.name}-T1-2026-03", sent[u.TEAM_USER])
		self.assertEqual(frappe.db.count("Notification Log", {"for_user": u.MANAGER_USER, "document_type": "SLM Breach"}), 1)
		self.assertEqual(frappe.db.get_value("SLM Breach", f"BR-{self.ola.name}-T1-2026-03", "workflow_state"), "Notified")
		self.assertEqual(tasks.send_breach_digests(), {})

	def test_bad_rows_are_named_and_all_or_nothing_is_the_default(self):
		frappe.set_user(u.MONITOR_USER)
		rows = [
			{"ticket_id": "_T-9", "agreement": self.sla.agreement_code, "created": "2026-03-02 09:00"},
			{"ticket_id": "_T-10", "agreement": self.sla.agreement_code, "created": "2026-03-02 09:00", "resolved": "2026-03-01 09:00"},
			{"ticket_id": "_T-1", "agreement": self.sla.agreement_code, "created": "2026-03-02 09:00"},
		]
		res = api.import_measurements("tickets", rows)
		self.assertEqual((res["written"], res["kept"], [p["row"] for p in res["problems"]]), (0, "none", [2, 3]))
		self.assertFalse(frappe.db.exists("SLM Ticket Event", "_T-9"))
		res = api.import_measurements("tickets", rows, keep="valid")
		self.assertEqual((res["written"], res["kept"]), (1, "valid"))
		frappe.set_user(u.CUSTOMER_A_USER)
		with self.assertRaises(frappe.PermissionError):
			api.import_measurements("tickets", rows[:1])

	def test_counterparties_see_only_their_own_rows(self):
		frappe.set_user(u.CUSTOMER_A_USER)
		mine = frappe.get_list("SLM Monitoring Record", pluck="agreement")
		self.assertTrue(mine and set(mine) == {self.sla.name})
		self.assertEqual(set(frappe.get_list("SLM Breach", pluck="agreement")), {self.sla.name})
		frappe.set_user(u.TEAM_USER)
		self.assertEqual(set(frappe.get_list("SLM Breach", pluck="agreement")), {self.ola.name})

	def test_recomputing_a_closed_month_is_a_recorded_amendment(self):
		frappe.set_user(u.MONITOR_USER)
		with self.assertRaises(frappe.ValidationError):
			api.recompute_month(self.uc.name, MONTH, " ")
		out = api.recompute_month(self.uc.name, MONTH, "Outage end corrected by the supplier")
		self.assertEqual(out["recomputed"], 1)
		base = monitoring.record_name(self.uc.name, "T1", 2026, 3)
		self.assertEqual(frappe.db.get_value("SLM Monitoring Record", base, "docstatus"), 2)
		amended = frappe.get_doc("SLM Monitoring Record", base + "-1")
		self.assertEqual((amended.docstatus, amended.amended_from, amended.amendment_reason), (1, base, "Outage end corrected by the supplier"))

	def test_on_demand_compute_of_the_open_month_writes_drafts(self):
		frappe.set_user(u.MANAGER_USER)
		month = frappe.utils.nowdate()[:7]
		out = api.compute_month(self.sla.name, month)
		self.assertGreater(out["created"], 0)
		self.assertEqual(frappe.db.get_value("SLM Monitoring Record", monitoring.record_name(self.sla.name, "T1", *map(int, month.split("-"))), "docstatus"), 0)
		again = api.compute_month(self.sla.name, month)
		self.assertEqual(again["created"], out["created"])  # drafts are replaced, not duplicated
		frappe.set_user(u.CUSTOMER_A_USER)
		with self.assertRaises(frappe.PermissionError):
			api.compute_month(self.sla.name, month)

	def test_the_offline_command_gives_the_same_numbers(self):
		import tempfile

		from slm_app import export, offline

		with tempfile.TemporaryDirectory() as folder:
			export.export_folder(folder)
			bundle = offline.load_folder(folder)
			self.assertEqual(bundle.problems, [])
			results, _breaches, _att, _missed = offline.run(bundle, 2026, 3)
		site = {
			(r.agreement, r.target_code): (r.result, r.sample_count, r.met_count, round(r.measured_value, 6))
			for r in frappe.get_all(
				"SLM Monitoring Record",
				filters={"period": MONTH, "docstatus": 1, "agreement_code": ["in", [self.sla.agreement_code, self.ola.agreement_code, self.uc.agreement_code]]},
				fields=["agreement", "target_code", "result", "sample_count", "met_count", "measured_value"],
			)
		}
		here = {
			(r.agreement, r.target_code): (r.result, int(r.sample_count), int(r.met_count), round(0.0 if pd.isna(r.measured_value) else float(r.measured_value), 6))
			for r in results.itertuples()
			if (r.agreement, r.target_code) in site
		}
		self.assertEqual(len(site), 5)
		self.assertEqual(here, site)

	def test_a_failed_job_leaves_no_half_written_month(self):
		from unittest.mock import patch

		with patch("slm_app.monitoring.write_breaches", side_effect=RuntimeError("mail server on fire")):
			with self.assertRaises(RuntimeError):
				tasks.monitor_agreement(self.sla.agreement_code, [(2026, 2)], commit=False)
		self.assertFalse(frappe.db.exists("SLM Monitoring Record", {"agreement_code": self.sla.agreement_code, "period": "2026-02"}))
		# and the month is still due
		self.assertIn((2026, 2), tasks.months_to_compute("2026-04-05")[self.sla.agreement_code])


	def test_reports_show_each_user_their_own_rows(self):
		from slm_app.slm.report.sla_monitoring_table import sla_monitoring_table as table
		from slm_app.slm.report.slm_breach_register import slm_breach_register as register

		frappe.set_user(u.MANAGER_USER)
		cols, rows, _msg, chart, summary = table.execute({"from_month": MONTH, "to_month": MONTH})
		mine = [r for r in rows if r.agreement in (self.sla.name, self.ola.name, self.uc.name)]
		self.assertEqual(len(mine), 5)
		self.assertTrue(chart and summary and cols)
		self.assertEqual({r.result for r in mine}, {"Met", "Breached"})
		frappe.set_user(u.CUSTOMER_A_USER)
		_c, rows, _m, _ch, _s = table.execute({"from_month": MONTH, "to_month": MONTH})
		self.assertEqual({r.agreement for r in rows}, {self.sla.name})
		_c, rows, _m, _ch, summary = register.execute({"from_month": MONTH})
		self.assertEqual({r.agreement for r in rows}, {self.sla.name})
		self.assertEqual(summary[0]["value"], 1)
		frappe.set_user(u.TEAM_USER)
		_c, rows, _m, _ch, _s = register.execute({})
		self.assertEqual({r.agreement for r in rows}, {self.ola.name})

	def test_report_filters_that_make_no_sense_are_refused(self):
		from slm_app.slm.report.sla_monitoring_table import sla_monitoring_table as table

		frappe.set_user(u.MANAGER_USER)
		with self.assertRaises(frappe.ValidationError):
			table.execute({"from_month": "2026-05", "to_month": "2026-03"})
		with self.assertRaises(frappe.ValidationError):
			table.execute({"from_month": "May"})
		with self.assertRaises(frappe.ValidationError):
			table.execute({"agreement": "NO-SUCH-AGREEMENT"})


	def test_kpis_match_hand_computed_values(self):
		from slm_app.slm.report.slm_kpis import slm_kpis

		# March closed on 3 April: on time for a due day of 5
		for name in frappe.get_all("SLM Monitoring Record", filters={"agreement": self.sla.name, "period": MONTH}, pluck="name"):
			frappe.db.set_value("SLM Monitoring Record", name, "monitored_on", "2026-04-03 10:00:00")
		from unittest.mock import patch

		frappe.set_user(u.OWNER)
		with patch.object(slm_kpis, "nowdate", return_value="2026-11-26"):
			_c, rows, _m, chart, summary = slm_kpis.execute({"year": 2026, "due_day": 5})
		by = {r["period"]: r for r in rows}
		mine = lambda r: (r["slas"], r["slas_on_time"], r["on_time_pct"], r["sla_items"], r["breached_items"], r["breached_pct"])  # noqa: E731
		# this class's SLA is the only SLA in force in the test site's 2026 (other classes roll back)
		self.assertEqual(mine(by["2026-03"]), (1, 1, 100.0, 2, 1, 50.0))
		self.assertEqual(mine(by["2026-01"]), (1, 0, 0.0, 0, 0, None))
		# on 26 November, October's due day is over and November's is not: ten SLA-months are judged
		self.assertEqual(mine(by["2026-11"]), (0, 0, None, 0, 0, None))
		self.assertEqual(mine(by["Year 2026"]), (10, 1, 10.0, 2, 1, 50.0))
		self.assertTrue(chart and summary)
		# due on the 2nd, the same March is late
		_c, rows, _m, _ch, _s = slm_kpis.execute({"year": 2026, "due_day": 2})
		self.assertEqual(next(r for r in rows if r["period"] == "2026-03")["slas_on_time"], 0)
		with self.assertRaises(frappe.ValidationError):
			slm_kpis.execute({"year": 2026, "due_day": 31})
