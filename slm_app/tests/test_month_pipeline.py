"""The site and the offline command run one month pipeline (slm_app.core.month) with one directory rule, so
the same month gives the same records, breaches and problems on both.

The data is built to hit the differences the two had when each assembled the month itself:

- a ticket of Banking for customer A without an agreement, while two SLAs of customer A cover Banking: the
  second lists Banking in its services but has no target on it (the site took services from the service
  rows, the offline command from the targets), and it was terminated (the site matched only Signed and
  Active SLAs; the offline command all in-force states, and then left ambiguous tickets out silently);
- a Negotiating amendment whose validity starts in the month (not in force: neither may count it, and a
  ticket naming it is refused by both, saying why);
- a terminated agreement, in force until the day it ended (the site cut Valid To at Ended On, a folder
  written by hand could not say it);
- an OLA computed after the SLA it underpins (the SLA's breach lists the OLA's breach of the same month).
"""

import tempfile
from pathlib import Path

import frappe
import pandas as pd
from frappe.tests.utils import FrappeTestCase

from slm_app import api, export, offline, tasks
from slm_app.offline.reading import read_folder
from slm_app.slm.doctype.slm_agreement.slm_agreement import make_amendment, override_consistency
from slm_app.tests import utils as u
from slm_app.utils import to_site_time

MONTH = "2026-03"


class TestOneMonthPipeline(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()
		cls.sla, cls.ola, cls.uc = u.make_active_set(change="CHG-PIPE")
		# a second SLA of customer A: Banking only in its service list, in force 16–25 March (terminated)
		sla2 = u.make_agreement(
			"SLA", u.CUSTOMER_A, [u.target(u.NETWORK, "Response Time", 1)], services=[u.BANKING, u.NETWORK], valid_from="2026-03-16"
		)
		u.act("SLM Agreement", sla2.name, "Submit for Negotiation", u.MANAGER_USER)
		u.act_all([("SLM Agreement", sla2.name, "Agree", u.OWNER), ("SLM Agreement", sla2.name, "Sign", u.OWNER)])
		frappe.set_user(u.OWNER)
		override_consistency(sla2.name, "Network response is run by the service desk itself")
		frappe.set_user("Administrator")
		u.set_note(sla2.name, "change_reference", "CHG-PIPE-2", u.MANAGER_USER)
		u.act("SLM Agreement", sla2.name, "Activate", u.MANAGER_USER)
		u.set_note(sla2.name, "end_reason", "Service moved to the main SLA", u.OWNER)
		u.act("SLM Agreement", sla2.name, "Terminate", u.OWNER)
		frappe.db.set_value("SLM Agreement", sla2.name, "ended_on", "2026-03-25")  # terminated that day
		cls.sla2 = frappe.get_doc("SLM Agreement", sla2.name)
		# an amendment of the first SLA under negotiation, meant to take effect on 10 March
		frappe.set_user(u.MANAGER_USER)
		cls.amendment = make_amendment(cls.sla.name, "CHG-PIPE-3", "2026-03-10", "Tighter resolution")
		frappe.set_user("Administrator")
		u.act("SLM Agreement", cls.amendment, "Submit for Negotiation", u.MANAGER_USER)

		sla, sla2, ola = cls.sla.agreement_code, cls.sla2.agreement_code, cls.ola.agreement_code
		cls.rows = {
			"tickets": [
				{"ticket_id": "_P-1", "agreement": sla, "priority": "High", "created": "2026-03-02 09:00", "resolved": "2026-03-02 12:00"},
				# no agreement: only the first SLA is in force on the 10th (15 business hours, missed)
				{"ticket_id": "_P-2", "service": u.BANKING, "customer": u.CUSTOMER_A, "priority": "High", "created": "2026-03-10 09:00", "resolved": "2026-03-11 17:00", "raised_by": "wang.fang@acme.example"},
				# both are in force on the 20th: ambiguous, reported with both
				{"ticket_id": "_P-3", "service": u.BANKING, "customer": u.CUSTOMER_A, "priority": "High", "created": "2026-03-20 10:00"},
				# the second ended on the 25th: the first SLA's
				{"ticket_id": "_P-4", "service": u.BANKING, "customer": u.CUSTOMER_A, "priority": "High", "created": "2026-03-27 10:00", "resolved": "2026-03-27 11:00"},
				# the amendment under negotiation is not a version anything is measured against
				{"ticket_id": "_P-5", "agreement": cls.amendment, "priority": "High", "created": "2026-03-12 10:00"},
				{"ticket_id": "_P-6", "agreement": sla2, "priority": "High", "created": "2026-03-17 09:00", "first_response": "2026-03-17 11:30"},
				# after the termination: in no period of the month
				{"ticket_id": "_P-7", "agreement": sla2, "priority": "High", "created": "2026-03-26 09:00", "first_response": "2026-03-26 09:10"},
				{"ticket_id": "_P-8", "agreement": ola, "priority": "High", "created": "2026-03-03 09:00", "resolved": "2026-03-03 15:00"},
			],
			"coverage": [{"service": s, "start": "2026-03-01 00:00", "end": "2026-04-01 00:00"} for s in (u.BANKING, u.NETWORK, u.HOSTING)],
			"outages": [{"service": u.HOSTING, "start": "2026-03-12 13:00", "end": "2026-03-12 15:00"}],
		}
		frappe.set_user(u.MONITOR_USER)
		cls.site_problems = {kind: api.import_measurements(kind, rows, keep="valid")["problems"] for kind, rows in cls.rows.items()}
		frappe.set_user("Administrator")
		cls.codes = [sla, sla2, ola, cls.uc.agreement_code]
		for code in cls.codes:  # the SLAs first: the OLA's breach is added to the SLA's afterwards
			tasks.monitor_agreement(code, [(2026, 3)], commit=False)

		# the same month offline: the site's agreements and calendars as exported, the same measurement rows
		with tempfile.TemporaryDirectory() as folder:
			export.export_folder(folder, cls.codes)
			tables, _first = read_folder(Path(folder))
		tables.update({kind: pd.DataFrame(rows) for kind, rows in cls.rows.items()})
		tables.pop("pauses", None)
		tables.pop("metrics", None)
		cls.bundle = offline.load_tables(tables, first_rows=1)  # rows numbered from 1, as the REST import does
		cls.results, cls.breaches, cls.attribution, cls.missed = offline.run(cls.bundle, 2026, 3)

	def test_the_same_problems(self):
		offline_problems = {}
		for p in self.bundle.problems:
			offline_problems.setdefault(p.table, []).append({"row": p.row, "message": p.problem.format()})
		self.assertEqual({k: v for k, v in self.site_problems.items() if v}, offline_problems)
		self.assertEqual(
			[p["row"] for p in self.site_problems["tickets"]], [3, 5]
		)  # the ambiguous ticket and the one naming the amendment under negotiation
		self.assertIn("covered by several agreements on 2026-03-20", self.site_problems["tickets"][0]["message"])
		self.assertIn(f"{self.sla.agreement_code}, {self.sla2.agreement_code}", self.site_problems["tickets"][0]["message"])
		self.assertIn("is Negotiating", self.site_problems["tickets"][1]["message"])

	def test_the_same_records(self):
		site = {
			(r.agreement, r.target_code): (r.result, r.sample_count, r.met_count, round(r.measured_value, 9), str(r.period_start), str(r.period_end), r.occurred_at)
			for r in frappe.get_all(
				"SLM Monitoring Record",
				filters={"period": MONTH, "docstatus": 1, "agreement_code": ["in", self.codes]},
				fields=["agreement", "target_code", "result", "sample_count", "met_count", "measured_value", "period_start", "period_end", "occurred_at"],
			)
		}
		here = {
			(r.agreement, r.target_code): (
				r.result,
				int(r.sample_count),
				int(r.met_count),
				round(0.0 if pd.isna(r.measured_value) else float(r.measured_value), 9),
				str(r.period_start),
				str(r.period_end),
				to_site_time(r.occurred_ns),
			)
			for r in self.results.itertuples()
		}
		self.assertEqual(here, site)
		# the terminated SLA was in force from the 16th to the day it ended; the amendment never
		self.assertEqual(site[self.sla2.name, "T1"][:2] + site[self.sla2.name, "T1"][4:6], ("Breached", 1, "2026-03-16", "2026-03-25"))
		self.assertNotIn(self.amendment, {a for a, _t in site})
		# the first SLA counts _P-1, _P-2 (matched by the rule) and _P-4
		self.assertEqual(site[self.sla.name, "T1"][:3], ("Breached", 3, 2))

	def test_the_same_breaches(self):
		site = {}
		for b in frappe.get_all(
			"SLM Breach",
			filters={"period": MONTH, "agreement_code": ["in", self.codes]},
			fields=["name", "missed_count", "affected_customer", "affected_users_count", "affected_users", "occurred_at", "monitoring_record"],
		):
			tickets = sorted(frappe.get_all("SLM Breach Ticket", filters={"parent": b.name, "parenttype": "SLM Breach"}, pluck="ticket"))
			under = sorted(
				(r.underpinning_agreement, r.target_code)
				for r in frappe.get_all("SLM Breach Underpinning", filters={"parent": b.name, "parenttype": "SLM Breach"}, fields=["underpinning_agreement", "target_code"])
			)
			site[b.name] = (b.missed_count, b.affected_customer, b.affected_users_count, b.affected_users, b.occurred_at, b.monitoring_record, tickets, under)
		here = {}
		for b in self.breaches.itertuples():
			tickets = sorted(self.missed[(self.missed.agreement == b.agreement) & (self.missed.target_code == b.target_code)].ticket_id)
			att = self.attribution[(self.attribution.agreement == b.agreement) & (self.attribution.target_code == b.target_code)]
			under = sorted(zip(att.underpinning_agreement, att.underpinning_target, strict=True))
			here[b.name] = (int(b.missed_count), b.affected_customer, int(b.affected_users_count), b.affected_users, to_site_time(b.occurred_ns), b.record, tickets, under)
		self.assertEqual(here, site)
		# the SLA's resolution breach: _P-2 raised by a known person, and the OLA's breach under it
		first = site[f"BR-{self.sla.name}-T1-{MONTH}"]
		self.assertEqual((first[2], first[3], first[6], first[7]), (1, "wang.fang@acme.example", ["_P-2"], [(self.ola.name, "T1")]))
		# the OLA's breach affects the customer of the SLA above it
		self.assertEqual(site[f"BR-{self.ola.name}-T1-{MONTH}"][1], u.CUSTOMER_A)
		# as a document insert would, each new breach has its open workflow action for the roles of its next step
		roles = frappe.get_all(
			"Workflow Action Permitted Role",
			filters={"parent": ["in", frappe.get_all("Workflow Action", filters={"reference_doctype": "SLM Breach", "reference_name": f"BR-{self.sla.name}-T1-{MONTH}", "status": "Open"}, pluck="name")]},
			pluck="role",
		)
		self.assertEqual(sorted(roles), ["SLM Service Level Manager", "SLM Service Level Monitor"])
		# and its log starts with Recorded
		self.assertEqual(frappe.get_all("SLM Breach Action", filters={"parent": f"BR-{self.sla.name}-T1-{MONTH}"}, pluck="action"), ["Recorded"])
