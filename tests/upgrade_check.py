"""The upgrade test's checker (run by tests/upgrade.sh, inside a bench's sites folder, with the bench's Python).

    ../env/bin/python upgrade_check.py --site S snapshot OUT.json   on the earlier commit, after its demo
    ../env/bin/python upgrade_check.py --site S check OUT.json      on the commit under test, after migrate

snapshot writes every row of every SLM table (parents, child tables, the singles' values) with every
column. check then proves, on the migrated site:

1. every record is still there with every value it had (a column that no longer exists must have been
   moved by a patch: MOVED names where its values went, and the check follows them);
2. every agreement (every version), monitoring record, breach, review, plan, service report, party,
   service, requirement, calendar, template and setting still opens: the desk's form load
   (frappe.desk.form.load.getdoc, with the app's overrides and the form's onload) over HTTP through the
   site's WSGI application as Administrator, the process owner and the service level manager; the print
   view of every agreement and service report renders; the measurement inputs (tickets, outages, coverage,
   metric values, imports) open for a sample;
3. the scheduler's next run changes nothing already closed: every scheduled slm_app job of hooks.py runs
   (the jobs they enqueue run inline, as a worker would run them), then the monthly job is run again for
   every agreement over every closed month it was in force (as a scheduler that missed them would); no
   submitted or cancelled monitoring record, resolved or closed breach, held or closed review, closed plan,
   approved or withdrawn service report or ended agreement — nor any of their child rows — changed, and
   no monitoring record or breach disappeared.

Prints what it checked and ends with "UPGRADE CHECK PASSED" or the list of what failed (exit status 1).
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import json
import sys
import time

try:
	import frappe
except ImportError:  # the comparison rules run without Frappe too (tests/core/test_upgrade_check.py)
	frappe = None

# A column dropped between the earlier commit and now whose values a patch moved: (doctype, old column) ->
# (doctype, new column). Empty while no schema change has moved data (slm_app/patches.txt).
MOVED: dict[tuple[str, str], tuple[str, str]] = {}

# A column whose values a patch sets anew from other records (it held a stale copy): (doctype, column) ->
# (the patch, the rule the new value must follow, checked on every row of the migrated site as
# rule(row, after) == row[column]). A value changed there is not a loss when it follows the rule.
RECOMPUTED = {
	("SLM Underpinning", "underpinning_state"): (
		"slm_app.patches.sync_underpinning_states",
		lambda row, after: after["tables"].get("SLM Agreement", {}).get(row.get("underpinning_agreement"), {}).get("workflow_state"),
	),
}

# the records of the process, opened by every user below; the measurement inputs are opened for a sample
PROCESS_DOCTYPES = (
	"SLM Agreement",
	"SLM Monitoring Record",
	"SLM Breach",
	"SLM Service Review",
	"SLM Improvement Plan",
	"SLM Service Report",
	"SLM Party",
	"SLM Service",
	"SLM Service Level Requirement",
	"SLM Service Calendar",
	"SLM Agreement Template",
)
SAMPLE = 25  # records opened per measurement-input doctype
PRINTED = ("SLM Agreement", "SLM Service Report")

# what "closed" means per doctype: the rows the scheduler must never change
CLOSED = {
	"SLM Monitoring Record": lambda r: str(r.get("docstatus")) in ("1", "2", "1.0", "2.0"),
	"SLM Breach": lambda r: r.get("workflow_state") in ("Resolved", "Closed"),
	"SLM Service Review": lambda r: r.get("status") in ("Held", "Closed"),
	"SLM Improvement Plan": lambda r: r.get("status") == "Closed",
	"SLM Service Report": lambda r: r.get("workflow_state") in ("Approved", "Withdrawn") or str(r.get("docstatus")) in ("1", "2", "1.0", "2.0"),
	"SLM Agreement": lambda r: r.get("workflow_state") in ("Expired", "Terminated", "Superseded"),
}
# kept whole: none of these may disappear, whatever their state
NEVER_REMOVED = ("SLM Monitoring Record", "SLM Breach", "SLM Agreement", "SLM Service Report")


# ------------------------------------------------------------------------------------------- reading
def _value(v):
	if v is None:
		return None
	if isinstance(v, bool):
		return int(v)
	if isinstance(v, int | float | decimal.Decimal):
		f = float(v)
		return int(f) if f.is_integer() else round(f, 9)
	if isinstance(v, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
		return str(v)
	if isinstance(v, bytes):
		return v.hex()
	return str(v)


def slm_doctypes() -> list[dict]:
	return frappe.get_all(
		"DocType",
		filters={"module": "SLM", "name": ["like", "SLM %"]},
		fields=["name", "istable", "issingle", "is_submittable"],
		order_by="name",
	)


def dump() -> dict:
	"""Every row of every SLM table, every column, by name; singles as field -> value."""
	tables, singles = {}, {}
	for dt in slm_doctypes():
		if dt.issingle:
			rows = frappe.db.sql("select field, value from `tabSingles` where doctype=%s", dt.name, as_dict=True)
			singles[dt.name] = {r.field: _value(r.value) for r in rows}
			continue
		rows = frappe.db.sql(f"select * from `tab{dt.name}`", as_dict=True)  # noqa: S608 - a doctype's own table
		tables[dt.name] = {r["name"]: {k: _value(v) for k, v in r.items()} for r in rows}
	return {
		"doctypes": {dt.name: {"istable": dt.istable, "issingle": dt.issingle} for dt in slm_doctypes()},
		"tables": tables,
		"singles": singles,
	}


# ------------------------------------------------------------------------------------------ checking
class Failures(list):
	def add(self, text: str):
		self.append(text)
		print("  FAIL", text, flush=True)


def compare_rows(label: str, before: dict, after: dict, failures: Failures, doctype: str, limit: int = 5) -> int:
	"""Every row of before is in after with the same value in every column; returns rows compared."""
	shown = 0
	for name, row in before.items():
		now = after.get(name)
		if now is None:
			failures.add(f"{label}: {doctype} {name} is gone")
			continue
		for col, value in row.items():
			if col not in now:
				target = MOVED.get((doctype, col))
				if target is None:
					failures.add(f"{label}: {doctype}.{col} no longer exists and no patch moved it (tests/upgrade_check.py MOVED)")
					return len(before)
				continue  # followed in check_moved
			if (doctype, col) in RECOMPUTED:
				continue  # checked against its rule in check_recomputed
			if now[col] != value and shown < limit:
				failures.add(f"{label}: {doctype} {name}.{col} was {value!r}, is {now[col]!r}")
				shown += 1
	return len(before)


def check_recomputed(before: dict, after: dict, failures: Failures):
	for (dt, col), (patch, rule) in RECOMPUTED.items():
		changed = 0
		for name, row in after["tables"].get(dt, {}).items():
			if col not in row:
				continue
			want = rule(row, after)
			if row[col] != want:
				failures.add(f"patch: {dt} {name}.{col} is {row[col]!r}, {patch} should have made it {want!r}")
			elif before["tables"].get(dt, {}).get(name, {}).get(col, row[col]) != row[col]:
				changed += 1
		if changed:
			print(f"  {dt}.{col}: {changed} rows set anew by {patch}, as its rule says")


def check_moved(before: dict, after: dict, failures: Failures):
	for (dt, col), (new_dt, new_col) in MOVED.items():
		for name, row in before["tables"].get(dt, {}).items():
			if col in row and after["tables"].get(new_dt, {}).get(name, {}).get(new_col) != row[col]:
				failures.add(f"patch: {dt} {name}.{col} = {row[col]!r} not found in {new_dt}.{new_col}")


def check_data(before: dict, after: dict, failures: Failures):
	print("== 1. every record still there with every value", flush=True)
	for dt, rows in sorted(before["tables"].items()):
		if dt not in after["tables"]:
			failures.add(f"data: the doctype {dt} is gone ({len(rows)} rows)")
			continue
		n = compare_rows("data", rows, after["tables"][dt], failures, dt)
		added = len(after["tables"][dt]) - len(rows)
		if n:
			print(f"  {dt}: {n} rows kept" + (f" (+{added} new)" if added else ""))
	for dt, values in sorted(before["singles"].items()):
		now = after["singles"].get(dt, {})
		for field, value in values.items():
			if now.get(field) != value:
				failures.add(f"data: {dt}.{field} was {value!r}, is {now.get(field)!r}")
		print(f"  {dt}: {len(values)} values kept")
	check_moved(before, after, failures)
	check_recomputed(before, after, failures)
	new = sorted(set(after["tables"]) - set(before["tables"]))
	if new:
		print("  new doctypes since the earlier commit:", ", ".join(new))


# ---------------------------------------------------------------------------------------- opening
def _tokens(users: list[str]) -> dict[str, str]:
	from frappe.utils.password import set_encrypted_password

	tokens = {}
	for user in users:
		key, secret = frappe.generate_hash(length=15), frappe.generate_hash(length=15)
		frappe.db.set_value("User", user, "api_key", key)
		set_encrypted_password("User", user, secret, "api_secret")
		tokens[user] = f"token {key}:{secret}"
	frappe.db.commit()
	return tokens


def _get(client, site: str, token: str, path: str, params: dict):
	from frappe.tests.test_api import make_request

	response = make_request(
		target=client.get,
		args=(path,),
		kwargs={"query_string": params, "headers": {"Authorization": token, "Accept": "application/json"}},
		site=site,
	)
	return response.status_code, response.get_data().decode("utf-8", "replace")


def check_opens(before: dict, failures: Failures):
	print("== 2. every record still opens (form load over HTTP, print views)", flush=True)
	from frappe.utils import get_test_client

	from slm_app.core.roles import MANAGER, PROCESS_OWNER

	users = ["Administrator"]
	for role in (PROCESS_OWNER, MANAGER):
		holder = frappe.get_all("Has Role", filters={"role": role, "parenttype": "User", "parent": ["!=", "Administrator"]}, pluck="parent", order_by="parent", limit=1)
		if not holder:
			failures.add(f"opens: no user holds {role} on the site (the demo makes one)")
		users += holder
	tokens = _tokens(users)
	client = get_test_client(use_cookies=False)
	site = frappe.local.site
	started, requests = time.monotonic(), 0
	for dt, rows in sorted(before["tables"].items()):
		if before["doctypes"][dt]["istable"]:
			continue
		names = sorted(rows)
		if dt not in PROCESS_DOCTYPES:
			names = names[:SAMPLE]
		opened = 0
		for user in users:
			for name in names:
				status, body = _get(client, site, tokens[user], "/api/method/frappe.desk.form.load.getdoc", {"doctype": dt, "name": name})
				requests += 1
				try:
					docs = json.loads(body).get("docs") or []
				except ValueError:
					docs = []
				if status != 200 or not docs or docs[0].get("name") != name:
					failures.add(f"opens: {dt} {name} as {user}: HTTP {status} {body[:300]}")
				else:
					opened += 1
		print(f"  {dt}: {len(names)} of {len(rows)} opened as {len(users)} users ({opened} form loads)", flush=True)
		if dt in PRINTED:
			for name in names:
				status, body = _get(client, site, tokens["Administrator"], "/api/method/frappe.www.printview.get_html_and_style", {"doc": dt, "name": name})
				requests += 1
				if status != 200 or "html" not in body:
					failures.add(f"print: {dt} {name}: HTTP {status} {body[:300]}")
			print(f"  {dt}: {len(names)} print views rendered", flush=True)
	for dt, meta in sorted(before["doctypes"].items()):
		if meta["issingle"]:
			status, body = _get(client, site, tokens["Administrator"], "/api/method/frappe.desk.form.load.getdoc", {"doctype": dt, "name": dt})
			requests += 1
			if status != 200:
				failures.add(f"opens: {dt} (settings): HTTP {status} {body[:300]}")
	print(f"  {requests} requests as {', '.join(users)} in {time.monotonic() - started:.0f} s", flush=True)
	frappe.db.rollback()


# -------------------------------------------------------------------------------------- scheduler
def _closed(state: dict) -> dict[str, dict[str, dict]]:
	"""The closed parent rows and every child row of them, per doctype."""
	out: dict[str, dict[str, dict]] = {}
	parents: dict[str, set[str]] = {}
	for dt, rule in CLOSED.items():
		rows = {n: r for n, r in state["tables"].get(dt, {}).items() if rule(r)}
		out[dt] = rows
		parents[dt] = set(rows)
	for dt, rows in state["tables"].items():
		if state["doctypes"][dt]["istable"]:
			kept = {n: r for n, r in rows.items() if r.get("parent") in parents.get(r.get("parenttype"), ())}
			if kept:
				out[dt] = kept
	return out


def run_scheduler() -> list[str]:
	"""Every slm_app job of hooks.py's scheduler_events, as the scheduler runs them (as Administrator, each
	committed), with what they enqueue run inline as a worker would; then the monthly job again for every
	agreement over every closed month it was in force."""
	from frappe.utils import getdate, nowdate

	from slm_app import tasks
	from slm_app.core import agreements, periods

	ran = []
	enqueued = []

	def inline(method, **kwargs):
		for key in ("queue", "timeout", "event", "is_async", "job_name", "now", "enqueue_after_commit", "on_success", "on_failure", "at_front", "job_id", "deduplicate"):
			kwargs.pop(key, None)
		enqueued.append(method if isinstance(method, str) else method.__name__)
		fn = frappe.get_attr(method) if isinstance(method, str) else method
		return fn(**kwargs)

	real = frappe.enqueue
	frappe.enqueue = inline
	try:
		events = frappe.get_hooks("scheduler_events") or {}
		for event, methods in events.items():
			if isinstance(methods, dict):  # cron: {expression: [methods]}
				methods = [m for ms in methods.values() for m in ms]
			for method in methods:
				if not method.startswith("slm_app."):
					continue
				frappe.set_user("Administrator")
				frappe.get_attr(method)()
				frappe.db.commit()
				ran.append(f"{event}: {method}")
	finally:
		frappe.enqueue = real
	today = getdate(nowdate())
	last = periods.previous_month(today)
	heads = frappe.get_all(
		"SLM Agreement",
		filters={"workflow_state": ["in", list(agreements.IN_FORCE_STATES)]},
		fields=["agreement_code", "valid_from", "valid_to", "ended_on"],
	)
	months: dict[str, set] = {}
	for h in heads:
		months.setdefault(h.agreement_code, set()).update(m for m in agreements.months_in_force(h.valid_from, h.valid_to, h.ended_on, today) if m <= last)
	for code, wanted in sorted(months.items()):
		tasks.monitor_agreement(code, sorted(wanted))
	ran.append(f"monthly job again: {sum(len(m) for m in months.values())} closed months of {len(months)} agreements")
	for method in sorted(set(enqueued)):
		ran.append(f"  enqueued and run inline: {method} ×{enqueued.count(method)}")
	frappe.db.commit()
	return ran


def check_scheduler(failures: Failures):
	print("== 3. the scheduler's next run changes nothing already closed", flush=True)
	before = dump()
	closed = _closed(before)
	for line in run_scheduler():
		print("  ran", line, flush=True)
	after = dump()
	for dt, rows in sorted(closed.items()):
		if rows:
			compare_rows("scheduler", rows, after["tables"].get(dt, {}), failures, dt)
			print(f"  {dt}: {len(rows)} closed rows unchanged" if not any(f.startswith(f"scheduler: {dt} ") for f in failures) else f"  {dt}: changed")
	for dt in NEVER_REMOVED:
		gone = set(before["tables"].get(dt, {})) - set(after["tables"].get(dt, {}))
		if gone:
			failures.add(f"scheduler: {len(gone)} {dt} removed: {sorted(gone)[:5]}")
	for dt in sorted(after["tables"]):
		b, a = before["tables"].get(dt, {}), after["tables"][dt]
		added = len(set(a) - set(b))
		changed = sum(1 for n in set(a) & set(b) if a[n] != b[n])
		if added or changed:
			print(f"  {dt}: {added} added, {changed} open rows changed (allowed: not closed)")


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("mode", choices=("snapshot", "check"))
	parser.add_argument("file")
	args = parser.parse_args(argv)
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		if args.mode == "snapshot":
			state = dump()
			with open(args.file, "w") as f:
				json.dump(state, f)
			counts = {dt: len(rows) for dt, rows in state["tables"].items() if rows}
			print(f"snapshot: {sum(counts.values())} rows in {len(counts)} SLM tables, {len(state['singles'])} settings")
			for dt in ("SLM Agreement", "SLM Monitoring Record", "SLM Breach", "SLM Service Review", "SLM Improvement Plan", "SLM Service Report"):
				print(f"  {dt}: {counts.get(dt, 0)}")
			return 0
		with open(args.file) as f:
			before = json.load(f)
		failures = Failures()
		check_data(before, dump(), failures)
		check_opens(before, failures)
		check_scheduler(failures)
		if failures:
			print(f"UPGRADE CHECK FAILED: {len(failures)} problem(s)")
			return 1
		print("UPGRADE CHECK PASSED")
		return 0
	finally:
		frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
