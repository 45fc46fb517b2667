"""Knowing before a breach (issue 12) on a real site: the month-to-date run writes one status per target
and day, warns once per threshold (one digest per recipient, in their working hours, never twice), lists
the at-risk tickets of the agreements a user may read, shows a ticket's timeline to those who may read its
agreement, and previews an amendment against past months without writing anything."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import frappe
import pandas as pd
from frappe.tests.utils import FrappeTestCase, change_settings

from slm_app import api, preview, watch
from slm_app.slm.doctype.slm_agreement.slm_agreement import make_amendment
from slm_app.slm.report.sla_ticket_timeline import sla_ticket_timeline
from slm_app.slm.report.sla_watch import sla_watch
from slm_app.tests import utils as u
from slm_app.utils import to_site_time

SH = ZoneInfo("Asia/Shanghai")


def sh(text: str) -> datetime:
	"""A wall time in Shanghai, the test calendar's zone (whatever the site's own zone)."""
	return datetime.fromisoformat(text).replace(tzinfo=SH)


def site(text: str) -> str:
	"""That instant as the site stores it."""
	return str(to_site_time(int(pd.Timestamp(sh(text)).value)))


def logs(user: str) -> int:
	return frappe.db.count("Notification Log", {"for_user": user, "document_type": "SLM Budget Warning"})


class TestWatch(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()
		cls.sla, cls.ola, cls.uc = u.make_active_set(change="CHG-WATCH")
		cls.codes = [cls.sla.agreement_code, cls.ola.agreement_code]
		# the managers work the test calendar's hours (Shanghai), as the team does under the OLA
		frappe.db.set_single_value("SLM Watch Settings", "manager_calendar", u.CALENDAR)
		sla, ola = cls.codes
		# March 2026 (Shanghai office hours, 8 h a weekday): the SLA's 8 h resolution of High tickets (95 %)
		tickets = [
			{"ticket_id": f"_W-OK-{i}", "agreement": sla, "priority": "High", "created": f"2026-03-{d:02d} 09:00", "resolved": f"2026-03-{d:02d} 11:00"}
			for i, d in enumerate((2, 3, 4, 5, 6, 9, 10, 11))
		]
		tickets += [
			# 16 business hours to resolution: missed
			{"ticket_id": "_W-MISS", "agreement": sla, "priority": "High", "created": "2026-03-12 09:00", "resolved": "2026-03-13 18:00"},
			# open since Tuesday 17th 11:00: 7 of 8 hours used by Wednesday 10:00
			{"ticket_id": "_W-NEAR", "agreement": sla, "priority": "High", "created": "2026-03-17 11:00"},
			# the OLA's 4 h resolution: missed twice
			{"ticket_id": "_W-OLA-1", "agreement": ola, "priority": "High", "created": "2026-03-02 09:00", "resolved": "2026-03-02 17:00"},
			{"ticket_id": "_W-OLA-2", "agreement": ola, "priority": "High", "created": "2026-03-03 09:00", "resolved": "2026-03-03 17:00"},
			{"ticket_id": "_W-OLA-3", "agreement": ola, "priority": "High", "created": "2026-03-04 09:00", "resolved": "2026-03-04 10:00"},
		]
		frappe.set_user(u.MONITOR_USER)
		try:
			out = api.import_measurements("tickets", tickets)
			assert not out["problems"], out["problems"]
			api.import_measurements("coverage", [{"service": s, "start": "2026-03-01 00:00", "end": "2026-04-01 00:00"} for s in (u.BANKING, u.NETWORK, u.HOSTING)])
		finally:
			frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")

	def run_at(self, when: str, notify: bool = True) -> dict:
		return watch.run(now=sh(when), notify=notify, codes=self.codes)

	def clear_warnings(self):
		names = frappe.get_all("SLM Budget Warning", filters={"agreement": ["in", [self.sla.name, self.ola.name]]}, pluck="name")
		frappe.db.delete("SLM Budget Warning Recipient", {"parent": ["in", names or [""]]})
		frappe.db.delete("SLM Budget Warning", {"name": ["in", names or [""]]})

	def latest(self, agreement, target):
		return frappe.get_all("SLM Budget Status", filters={"agreement": agreement, "target_code": target, "is_latest": 1}, fields=["*"])

	def test_a_run_writes_each_target_once_a_day_and_keeps_the_days(self):
		self.run_at("2026-03-16 10:00", notify=False)
		self.run_at("2026-03-16 15:00", notify=False)
		self.run_at("2026-03-18 10:00", notify=False)
		rows = frappe.get_all("SLM Budget Status", filters={"agreement": self.sla.name, "target_code": "T1"}, fields=["day", "is_latest", "as_of"], order_by="day")
		self.assertEqual([(str(r.day), r.is_latest) for r in rows], [("2026-03-16", 0), ("2026-03-18", 1)])
		self.assertEqual(str(rows[0].as_of), site("2026-03-16 15:00"))  # the day's last run
		status = self.latest(self.sla.name, "T1")[0]
		# 9 counted (MISS missed), NEAR open at 7 of 8 hours; a 95 % share of the 18 expected allows no miss
		self.assertEqual((status.sample_count, status.missed_count, status.pending_count, status.status), (9, 1, 1, "Breached"))
		self.assertIn("High", status.budget_text)
		ola = self.latest(self.ola.name, "T1")[0]
		self.assertEqual((ola.missed_count, ola.status), (2, "Breached"))
		# the projection and its basis are stored with the status
		self.assertTrue(status.basis_text.startswith("Projected"))

	def test_thresholds_warn_once_one_digest_per_recipient_in_working_hours(self):
		frappe.db.delete("Notification Log", {"document_type": "SLM Budget Warning"})
		self.clear_warnings()
		before = {user: logs(user) for user in (u.MANAGER_USER, u.TEAM_USER)}
		# Wednesday 22:00 in Shanghai: the warnings are raised, but it is nobody's working time
		first = self.run_at("2026-03-18 22:00")
		self.assertTrue(first["warnings"])
		self.assertEqual(first["digests"], {})
		names = set(frappe.get_all("SLM Budget Warning", filters={"agreement": ["in", [self.sla.name, self.ola.name]]}, pluck="name"))
		self.assertIn(f"BW-{self.sla.name}-T1-2026-03-100", names)
		self.assertIn(f"BW-{self.ola.name}-T1-2026-03-50", names)
		# Thursday 09:30: one digest each for the manager and the OLA's team, nothing new raised
		second = self.run_at("2026-03-19 09:30")
		self.assertEqual(second["warnings"], 0)
		self.assertIn(u.MANAGER_USER, second["digests"])
		self.assertIn(u.TEAM_USER, second["digests"])
		self.assertEqual({user: logs(user) - before[user] for user in before}, {u.MANAGER_USER: 1, u.TEAM_USER: 1})
		# the customer's SLA warns the manager, not the customer
		self.assertNotIn(u.CUSTOMER_A_USER, second["digests"])
		# the same thresholds later in the month: no second warning, no second digest
		third = self.run_at("2026-03-19 11:30")
		self.assertEqual((third["warnings"], third["digests"]), (0, {}))
		self.assertEqual({user: logs(user) - before[user] for user in before}, {u.MANAGER_USER: 1, u.TEAM_USER: 1})
		log = frappe.get_all("Notification Log", filters={"for_user": u.MANAGER_USER, "document_type": "SLM Budget Warning"}, fields=["subject", "email_content"], limit=1)[0]
		self.assertIn(self.sla.name, log.email_content)
		recipients = frappe.get_all("SLM Budget Warning Recipient", filters={"parent": f"BW-{self.ola.name}-T1-2026-03-50"}, fields=["recipient", "sent_on", "channel"])
		self.assertEqual(sorted(r.recipient for r in recipients), sorted([u.MANAGER_USER, u.TEAM_USER]))
		self.assertTrue(all(str(r.sent_on) == site("2026-03-19 09:30") for r in recipients))

	def test_a_ticket_whose_miss_alone_breaches(self):
		self.clear_warnings()
		# with a 60 % share the OLA may miss 2 of its 6 expected tickets, and has: its open ticket near the
		# deadline (3 of 4 hours used) would breach the target on its own, and warns once
		frappe.set_user(u.MONITOR_USER)
		try:
			api.import_measurements("tickets", [{"ticket_id": "_W-OLA-NEAR", "agreement": self.ola.agreement_code, "priority": "High", "created": "2026-03-20 09:00"}])
		finally:
			frappe.set_user("Administrator")
		frappe.db.set_value("SLM Agreement Target", {"parent": self.ola.name, "target_code": "T1"}, "compliance_share", 60)
		try:
			self.run_at("2026-03-20 12:30", notify=False)
			status = self.latest(self.ola.name, "T1")[0]
			self.assertEqual((status.missed_count, status.budget_left), (2, 0))
			ticket = frappe.get_all("SLM Budget Warning", filters={"agreement": self.ola.name, "kind": "Ticket"}, fields=["ticket", "message", "deadline"])
			self.assertEqual([t.ticket for t in ticket], ["_W-OLA-NEAR"])
			self.assertEqual(str(ticket[0].deadline), site("2026-03-20 14:00"))
			self.run_at("2026-03-20 13:30", notify=False)
			self.assertEqual(frappe.db.count("SLM Budget Warning", {"agreement": self.ola.name, "kind": "Ticket"}), 1)
		finally:
			frappe.db.set_value("SLM Agreement Target", {"parent": self.ola.name, "target_code": "T1"}, "compliance_share", 95)

	def test_the_at_risk_list_and_the_report(self):
		self.run_at("2026-03-18 10:00", notify=False)
		frame = watch.at_risk_list({"agreement": self.sla.name}, now=sh("2026-03-18 10:00"))
		self.assertEqual(list(frame["ticket_id"]), ["_W-NEAR"])
		near = frame.iloc[0]
		self.assertEqual((near["target_code"], round(near["left_s"] / 60), bool(near["late"])), ("T1", 60, False))
		frappe.set_user(u.MANAGER_USER)
		columns, rows, _msg, chart, summary = sla_watch.execute({"agreement": self.sla.name, "month": "2026-03"})[:5]
		self.assertEqual({r.target_code for r in rows}, {"T1", "T2"})
		self.assertEqual(rows[0].status, "Breached")
		self.assertTrue(chart and chart["data"]["datasets"])
		# the budget sentence is worded from the stored figures in the reader's language: as stored in
		# English, in Chinese for a reader whose language is zh (as are the status and the metric)
		self.assertEqual({r.name: r.budget_text for r in rows}, {r.name: frappe.db.get_value("SLM Budget Status", r.name, "budget_text") for r in rows})
		lang = frappe.local.lang
		frappe.local.lang = "zh"
		try:
			zh_rows = sla_watch.execute({"agreement": self.sla.name, "month": "2026-03"})[1]
		finally:
			frappe.local.lang = lang
		reworded = [r for r in zh_rows if r.metric_kind in sla_watch.REWORDED_KINDS]
		self.assertTrue(reworded)
		han = re.compile("[\u4e00-\u9fff]")
		for r in reworded:
			self.assertRegex(r.budget_text, han)
			self.assertRegex(r.status_label, han)
			self.assertRegex(r.metric, han)
		# a customer sees its own SLA's budgets, never the OLA beneath it or another customer's
		frappe.set_user(u.CUSTOMER_A_USER)
		mine = sla_watch.execute({"month": "2026-03"})[1]
		self.assertTrue(mine)
		self.assertEqual({r.party for r in mine}, {u.CUSTOMER_A})
		frappe.set_user(u.CUSTOMER_B_USER)
		self.assertEqual(sla_watch.execute({"month": "2026-03"})[1], [])
		# the at-risk tickets too: the customer's own SLA's, never the OLA's or another customer's
		frappe.set_user(u.CUSTOMER_A_USER)
		self.assertEqual(list(watch.at_risk_list({}, now=sh("2026-03-18 10:00"))["ticket_id"]), ["_W-NEAR"])
		frappe.set_user(u.TEAM_USER)
		self.assertNotIn("_W-NEAR", set(watch.at_risk_list({}, now=sh("2026-03-18 10:00"))["ticket_id"]))
		frappe.set_user(u.CUSTOMER_B_USER)
		self.assertTrue(watch.at_risk_list({}, now=sh("2026-03-18 10:00")).empty)
		self.assertEqual(sla_watch.execute({"view": "At-Risk Tickets"})[1], [])

	def test_the_timeline_of_a_ticket(self):
		frappe.set_user(u.CUSTOMER_A_USER)
		t = watch.ticket_timeline("_W-MISS")
		self.assertEqual((t["agreement"], t["priority"]), (self.sla.name, "High"))
		clock = next(c for c in t["clocks"] if c["target_code"] == "T1")
		self.assertEqual((clock["elapsed_minutes"], clock["limit_minutes"], clock["result"]), (960, 480, "Missed"))
		self.assertTrue(clock["deadline"].startswith("2026-03-12 18:00:00 +0800"))
		self.assertEqual(sum(s["counted"]["T1"] for s in t["segments"]), 960)
		columns, rows, message = sla_ticket_timeline.execute({"ticket": "_W-MISS"})[:3]
		self.assertIn(self.sla.name, message)
		self.assertEqual(sum(r["T1_counted"] for r in rows), 960)
		# another customer: as if the ticket did not exist
		frappe.set_user(u.CUSTOMER_B_USER)
		self.assertRaises(frappe.DoesNotExistError, watch.ticket_timeline, "_W-MISS")
		self.assertRaises(frappe.DoesNotExistError, watch.ticket_timeline, "_W-NO-SUCH")
		# the OLA's ticket: its team, not the customer
		frappe.set_user(u.CUSTOMER_A_USER)
		self.assertRaises(frappe.DoesNotExistError, watch.ticket_timeline, "_W-OLA-1")

	def test_preview_an_amendment_against_past_months(self):
		frappe.set_user(u.MANAGER_USER)
		amendment = make_amendment(self.sla.name, "CHG-WATCH-2", "2026-06-01", "Resolution in 4 h")
		doc = frappe.get_doc("SLM Agreement", amendment)
		doc.targets[0].target_value = 1  # 1 h: the 2 h resolutions of March would miss
		doc.save()
		counts = {dt: frappe.db.count(dt) for dt in ("SLM Monitoring Record", "SLM Breach", "SLM Budget Status")}
		out = preview.preview_agreement(amendment, 12)
		self.assertEqual(out["sources"], [self.sla.agreement_code])
		march = {(r["period"], r["target_code"]): r for r in out["rows"]}[("2026-03", "T1")]
		# the whole of March: 8 two-hour resolutions, MISS and NEAR (never resolved) all miss 1 h
		self.assertEqual((march["would_result"], march["would_sample"], march["would_value"]), ("Breached", 10, 0.0))
		self.assertEqual(march["was_result"], None)  # March was never monitored on this site
		self.assertEqual(counts, {dt: frappe.db.count(dt) for dt in counts})  # nothing written
		frappe.set_user(u.CUSTOMER_A_USER)
		self.assertRaises(frappe.PermissionError, preview.preview_agreement, amendment, 6)
		frappe.set_user(u.MANAGER_USER)
		self.assertRaises(frappe.ValidationError, preview.preview_agreement, amendment, 99)

	@change_settings("SLM Watch Settings", {"thresholds": "50, 75, 100"})
	def test_settings_refuse_bad_thresholds(self):
		s = frappe.get_doc("SLM Watch Settings")
		s.thresholds = "50, many"
		self.assertRaises(frappe.ValidationError, s.save)
		s.thresholds = "60"
		s.append("agreement_thresholds", {"agreement": self.sla.name, "thresholds": "0"})
		self.assertRaises(frappe.ValidationError, s.save)
