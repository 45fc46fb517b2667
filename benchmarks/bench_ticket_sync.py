"""Benchmark of the Helpdesk ticket sync (issue 11), on a site with Frappe Helpdesk installed.

Run with the site's Python (e.g. /work/tools/console.sh benchmarks/bench_ticket_sync.py slm-hd.localhost, or
`bench --site S execute` of the same code); environment variables: SLM_BENCH_TICKETS (100000),
SLM_BENCH_CHANGES (10 status changes a ticket), SLM_BENCH_CHANGED (5000 for the hourly sync).

1. writes N HD Tickets (names from 90,000,000, customer "_BENCH Customer", team "_BENCH L1") and for each
   ticket C Version rows of status changes (Open → Replied → Open → … → Resolved) with their times, as
   Helpdesk's track_changes would have logged them, by bulk insert (not timed);
2. times the backfill of those tickets (ticket_sources.backfill): wall time, SQL statements (the
   connection's Questions counter), peak memory of the process (ru_maxrss);
3. touches M of them (one more change each: reopened and resolved again) and times the hourly sync;
4. deletes everything it wrote.
"""

import json
import os
import resource
import time

import frappe

from slm_app import ticket_sources

N = int(os.environ.get("SLM_BENCH_TICKETS", 100_000))
C = int(os.environ.get("SLM_BENCH_CHANGES", 10))
M = int(os.environ.get("SLM_BENCH_CHANGED", 5_000))
FIRST = 90_000_000
CUSTOMER, TEAM = "_BENCH Customer", "_BENCH L1"


def questions() -> int:
	return int(frappe.db.sql("show session status like 'Questions'")[0][1])


def rss_mb() -> float:
	return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(label, fn):
	q0, t0 = questions(), time.monotonic()
	out = fn()
	wall, q = time.monotonic() - t0, questions() - q0
	print(f"{label}: {wall:.1f} s wall, {q} statements, peak RSS {rss_mb():.0f} MB; {json.dumps(out, default=str)}", flush=True)
	return wall, q


def cleanup():
	names = f"name >= {FIRST} and name < {FIRST + N}"
	frappe.db.sql(f"delete from `tabVersion` where ref_doctype = 'HD Ticket' and docname >= '{FIRST}' and docname < '{FIRST + N}' and length(docname) = 8")
	for child in ("SLM Ticket Pause", "SLM Ticket Change"):
		frappe.db.sql(f"delete from `tab{child}` where parent like 'Helpdesk-9_______%%' and parenttype = 'SLM Ticket Event'")
	frappe.db.sql("delete from `tabSLM Ticket Event` where source = 'Helpdesk' and source_ticket like '9_______'")
	frappe.db.sql("delete from `tabSLM Unmatched Ticket` where source = 'Helpdesk' and ticket like '9_______'")
	frappe.db.sql(f"delete from `tabHD Ticket` where {names}")
	frappe.db.delete("SLM Ticket Rule", {"customer": CUSTOMER})
	frappe.db.commit()


def setup():
	sla = frappe.get_all("SLM Agreement", filters={"agreement_type": "SLA", "workflow_state": "Active"}, pluck="name", limit=1)
	ola = frappe.get_all("SLM Agreement", filters={"agreement_type": "OLA", "workflow_state": ["in", ["Signed", "Active"]]}, pluck="name", limit=1)
	if not sla:
		raise SystemExit("the site needs an active SLA (the demo has some)")
	frappe.get_doc({"doctype": "SLM Ticket Rule", "source": "Helpdesk", "customer": CUSTOMER, "agreement": sla[0]}).insert(ignore_permissions=True)
	if ola:
		frappe.get_doc({"doctype": "SLM Ticket Rule", "source": "Helpdesk", "customer": CUSTOMER, "team": TEAM, "agreement": ola[0]}).insert(ignore_permissions=True)
	now = frappe.utils.now_datetime()
	start = frappe.utils.get_datetime("2026-01-05 08:00:00")
	meta = ("Administrator", "Administrator", 0)
	tickets, versions = [], []
	cycle = ["Replied", "Open"]
	for i in range(N):
		name = FIRST + i
		opened = frappe.utils.add_to_date(start, minutes=3 * i)
		status, at = "Open", opened
		for k in range(C):
			new = "Resolved" if k == C - 1 else cycle[k % 2]
			at = frappe.utils.add_to_date(at, minutes=37 + (i * 7 + k * 13) % 300)
			data = json.dumps({"added": [], "changed": [["status", status, new]], "data_import": None, "removed": [], "row_changed": [], "updater_reference": None}, separators=(",", ":"))
			versions.append((f"b{name}{k:02d}", at, at, *meta, "HD Ticket", str(name), data))
			status = new
		tickets.append((name, opened, at, *meta, f"bench {name}", status, "High", CUSTOMER, TEAM, opened.date(), opened.time(), frappe.utils.add_to_date(opened, minutes=5), at, "bench@example.com"))
	frappe.db.bulk_insert(
		"HD Ticket",
		["name", "creation", "modified", "owner", "modified_by", "docstatus", "subject", "status", "priority", "customer", "agent_group", "opening_date", "opening_time", "first_responded_on", "resolution_date", "raised_by"],
		tickets,
		chunk_size=5000,
	)
	frappe.db.bulk_insert("Version", ["name", "creation", "modified", "owner", "modified_by", "docstatus", "ref_doctype", "docname", "data"], versions, chunk_size=10000)
	frappe.db.commit()


def touch():
	"""M tickets reopened and resolved again an hour ago: two more Version rows each, modified now."""
	now = frappe.utils.now_datetime()
	versions = []
	for i in range(M):
		name = FIRST + i * (N // M)
		for k, (old, new) in enumerate((("Resolved", "Open"), ("Open", "Resolved"))):
			at = frappe.utils.add_to_date(now, minutes=-50 + 10 * k)
			data = json.dumps({"changed": [["status", old, new]]}, separators=(",", ":"))
			versions.append((f"t{name}{k}", at, at, "Administrator", "Administrator", 0, "HD Ticket", str(name), data))
	frappe.db.bulk_insert("Version", ["name", "creation", "modified", "owner", "modified_by", "docstatus", "ref_doctype", "docname", "data"], versions, chunk_size=10000)
	frappe.db.sql(f"update `tabHD Ticket` set modified = %s where name >= {FIRST} and name < {FIRST + N} and mod(name - {FIRST}, {N // M}) = 0", now)
	frappe.db.commit()


frappe.flags.mute_messages = True
cleanup()
print(f"{N} HD Tickets × {C} status changes; hourly sync of {M} changed", flush=True)
t0 = time.monotonic()
setup()
print(f"written in {time.monotonic() - t0:.0f} s (not timed below)", flush=True)
frappe.db.set_default("slm_ticket_sync_Helpdesk", None)
try:
	measure("backfill", lambda: {k: v for k, v in ticket_sources.backfill("Helpdesk", from_date="2026-01-01").items() if k != "last"})
	events = frappe.db.count("SLM Ticket Event", {"source": "Helpdesk", "source_ticket": ["like", "9_______"]})
	pauses = frappe.db.sql("select count(*) from `tabSLM Ticket Pause` where parent like 'Helpdesk-9_______%%'")[0][0]
	print(f"written: {events} ticket events, {pauses} pauses", flush=True)
	frappe.db.set_default("slm_ticket_sync_Helpdesk", str(frappe.utils.add_to_date(frappe.utils.now_datetime(), minutes=-5)))
	touch()
	frappe.db.set_default("slm_ticket_sync_Helpdesk", str(frappe.utils.add_to_date(frappe.utils.now_datetime(), seconds=-1)))
	measure("hourly sync", lambda: {s: {k: v for k, v in o.items() if k != "last"} for s, o in ticket_sources.sync_tickets().items()})
	frappe.db.commit()
finally:
	cleanup()
