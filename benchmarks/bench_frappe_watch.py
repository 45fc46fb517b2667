"""Issue 12 on a real site: the hourly month-to-date run for all agreements and the at-risk list.

Run with the bench's Python from the bench's ``sites`` folder, as the bench user, on a site of its own
(it shares the seed of ``bench_frappe_monthly.py``: the same month, agreements and tickets):

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/slm_app/benchmarks/bench_frappe_watch.py \
        --site slm-bench.localhost --size M [--json /tmp/watch-M.json] [--runs 3]

1. Seeds March 2026 as ``bench_frappe_monthly.py`` does (once per size; reused when already seeded).
2. The hourly run, ``slm_app.watch.run(now)`` with ``now`` on Friday 20 March 2026 at 10:00 in the site's
   zone, for every agreement: the month's inputs read through the monthly job's reader, the last three
   months' records, the budgets and projections, one SLM Budget Status per target written, the warnings
   that are new and their digests (as desk notifications; no outgoing email account). Timed ``--runs``
   times, each committed: the first raises the warnings and sends the digests, the others find nothing
   new (and must send nothing).
3. The at-risk list: ``slm_app.watch.at_risk_list`` as the service level manager (permission-aware reads)
   on Friday 20 March at 12:00, with ``--open`` tickets of the month open then (the seed has a few
   thousand; the rest are added once as open tickets of the four days before, ids OW-…), and the SLA
   Watch report's At-Risk Tickets view through ``frappe.desk.query_report.run``, each ``--runs`` times.

Every statement is counted (``frappe.db.sql`` wrapped, as in ``bench_frappe_monthly.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_frappe_monthly as monthly  # noqa: E402

MANAGER = "watch.bench.manager@example.com"


def open_count(frappe, at: datetime) -> int:
	return int(
		frappe.db.sql(
			"""select count(*) from `tabSLM Ticket Event` where created_at >= '2026-02-27' and created_at < %(at)s
			and (first_response_at is null or resolved_at is null or first_response_at >= %(at)s or resolved_at >= %(at)s)""",
			{"at": at},
		)[0][0]
	)


def add_open_tickets(frappe, at: datetime, wanted: int, seed: int) -> int:
	"""Open tickets enough for ``wanted`` to be open at ``at``: more of the month's tickets, created in the
	four days before it (working hours mostly, a fifth paused and still waiting), neither answered nor
	resolved; imported once (ids OW-…) and kept for the next run. Returns how many were added."""
	import numpy as np

	from slm_app import measurement_import

	have = open_count(frappe, at)
	if have >= wanted:
		return 0
	rng = np.random.default_rng(seed)
	codes = frappe.db.sql_list("select agreement_code from `tabSLM Agreement` order by name")
	first = len(frappe.db.sql_list("select name from `tabSLM Ticket Event` where name like 'OW-%%'"))
	rows = []
	for i in range(wanted - have):
		# at least 14 hours before: naive times are read in the agreement's own zone, up to 13 hours off the site's
		created = at - timedelta(minutes=int(rng.integers(14 * 60, 4 * 24 * 60)))
		row = {
			"ticket_id": f"OW-{first + i + 1:07d}",
			"agreement": codes[int(rng.integers(len(codes)))],
			"priority": str(monthly.PRIORITIES[rng.choice(4, p=[0.05, 0.20, 0.45, 0.30])]),
			"created": created.strftime("%Y-%m-%d %H:%M:%S"),
		}
		if rng.random() < 0.2:
			row["pauses"] = [{"start": (created + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")}]
		rows.append(row)
	out = measurement_import.import_rows("tickets", rows, keep="none")
	if out["problems"]:
		raise SystemExit(f"open tickets: {out['problems'][:3]}")
	frappe.db.commit()
	return len(rows)


def timed(counter, fn, *args, **kwargs):
	counter.take()
	t, c = time.perf_counter(), time.process_time()
	out = fn(*args, **kwargs)
	wall, cpu = time.perf_counter() - t, time.process_time() - c
	n, kinds = counter.take()
	return out, {"seconds": round(wall, 3), "cpu_s": round(cpu, 3), "statements": n, "top": kinds.most_common(6)}


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	ap.add_argument("--site", required=True)
	ap.add_argument("--size", choices=list(monthly.SIZES), default="M")
	ap.add_argument("--seed", type=int, default=3)
	ap.add_argument("--runs", type=int, default=3)
	ap.add_argument("--open", type=int, default=10_000, help="open tickets wanted for the at-risk list")
	ap.add_argument("--json")
	args = ap.parse_args()

	import warnings

	import frappe

	warnings.filterwarnings("error", category=FutureWarning, module="slm_app")
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	if frappe.db.get_single_value("System Settings", "time_zone") != monthly.SYSTEM_TZ:
		frappe.db.set_single_value("System Settings", "time_zone", monthly.SYSTEM_TZ)
		frappe.db.commit()
		frappe.destroy()
		frappe.init(site=args.site, sites_path=".")
		frappe.connect()
	frappe.set_user("Administrator")
	seeded = frappe.defaults.get_global_default(monthly.MARKER)
	seeded = json.loads(seeded) if seeded else None
	if not seeded or seeded.get("size") != args.size:
		monthly.log(f"seeding size {args.size}")
		monthly.wipe(frappe, monthly.SEED_TABLES + monthly.OUTPUT_TABLES)
		frappe.db.sql("delete from `tabDefaultValue` where defkey=%s", monthly.MARKER)
		seeded = monthly.seed(frappe, args.size, args.seed)
	from slm_app import watch
	from slm_app.core.roles import MANAGER as MANAGER_ROLE

	report = {"site": args.site, "size": args.size, "nproc": os.cpu_count(), "seed": {k: seeded.get(k) for k in ("agreements", "targets", "tickets", "pauses")}}
	counter = monthly.Queries(frappe.db)
	# a manager to receive the digests and to read the at-risk list as a user
	if not frappe.db.exists("User", MANAGER):
		frappe.get_doc({"doctype": "User", "email": MANAGER, "first_name": "Bench", "send_welcome_email": 0}).insert(ignore_permissions=True)
		frappe.get_doc("User", MANAGER).add_roles(MANAGER_ROLE)
	for table in ("SLM Budget Warning Recipient", "SLM Budget Warning", "SLM Budget Status"):
		frappe.db.sql(f"delete from `tab{table}`")
	frappe.db.sql("delete from `tabNotification Log` where document_type = 'SLM Budget Warning'")
	frappe.db.commit()

	now = datetime(2026, 3, 20, 10, 0)
	report["hourly"] = []
	for i in range(args.runs):
		report["load_before"] = os.getloadavg()
		out, figures = timed(counter, watch.run, now=now)
		frappe.db.commit()
		figures.update(targets=out["targets"], statuses=out["statuses"], warnings=out["warnings"], digests={u: len(w) for u, w in out["digests"].items()})
		report["hourly"].append(figures)
		monthly.log(f"hourly run {i + 1}: {json.dumps(figures, default=str)}")
	report["status_rows"] = frappe.db.count("SLM Budget Status")
	report["warning_rows"] = frappe.db.count("SLM Budget Warning")

	at = datetime(2026, 3, 20, 12, 0)
	report["open_tickets_added"] = add_open_tickets(frappe, at, args.open, args.seed)
	n_open = open_count(frappe, at)
	report["at_risk_instant"] = str(at)
	report["open_tickets"] = n_open
	monthly.log(f"{n_open} tickets open at {at}")
	watch.run(now=at, notify=False)  # the statuses of that instant, which the list shows beside each ticket
	frappe.db.commit()
	frappe.set_user(MANAGER)
	report["at_risk"] = []
	for _i in range(args.runs):
		frame, figures = timed(counter, watch.at_risk_list, {}, now=at)
		figures["rows"] = len(frame)
		report["at_risk"].append(figures)
		monthly.log(f"at-risk list: {json.dumps(figures, default=str)}")
	all_open, figures = timed(counter, watch.at_risk_list, {}, now=at, only_near=False)
	figures["rows"] = len(all_open)
	report["all_open_pairs"] = figures
	from frappe.desk.query_report import run as run_report

	# the report computes "now" itself: pin the site's clock to the instant
	from unittest.mock import patch

	report["report"] = []
	with patch("slm_app.watch.site_now", return_value=watch._aware(at)):
		for _i in range(args.runs):
			out, figures = timed(counter, run_report, "SLA Watch", {"view": "At-Risk Tickets"})
			figures["rows"] = len(out["result"])
			report["report"].append(figures)
			monthly.log(f"SLA Watch, at-risk tickets: {json.dumps(figures, default=str)}")
	frappe.set_user("Administrator")
	report["load_at_end"] = os.getloadavg()
	report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
	if args.json:
		with open(args.json, "w") as f:
			json.dump(report, f, indent=1, default=str)
	print(json.dumps(report, indent=1, default=str))
	frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
