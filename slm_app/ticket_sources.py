"""Tickets from Frappe Helpdesk (HD Ticket) and ERPNext (Issue), with their exact history (issue 11).

slm_app works without them; when one is installed, the hourly job (and the backfill command) reads its
new and changed tickets and their Version log in bulk, rebuilds each ticket's history with
:mod:`slm_app.core.ticket_history` (status intervals, pauses, resolutions and reopens, priority and team
intervals), gives the ticket to an agreement by the source's SLM Ticket Rules, and writes:

- one SLM Ticket Event per ticket for its SLA (pauses, changes, reopens), judged by the rules in SLM Settings;
- one per team that held the ticket, for that team's OLA (``<ticket>@<team>``): the team's share of the
  ticket's time (its holds, minus the ticket's pauses);
- an SLM Unmatched Ticket, with the reason, for a ticket (or a team's share) that no agreement or more
  than one would take — never dropped silently.

A ticket's rows are replaced as a whole on every sync, so a re-sync never duplicates or loses an interval.
Which tickets to read: those modified since the watermark minus a look-back (a transaction that commits
late with an earlier ``modified`` is still seen; ties on ``modified`` are read in (modified, name) order,
batch by batch, so none is skipped). docs/tickets.md states every rule.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from datetime import datetime, timedelta

import frappe
import numpy as np
import pandas as pd
from frappe import _
from frappe.utils import add_to_date, get_datetime, get_system_timezone, now_datetime

from slm_app import monitoring
from slm_app.core import ticket_history as th
from slm_app.core.directory import BadValue
from slm_app.core.instants import NAT, OPEN_END
from slm_app.utils import clean_text, from_site_time, translate_problem

SOURCES = {"Helpdesk": "HD Ticket", "ERPNext": "Issue"}
# the source's field for each thing we read (absent fields are read as empty)
FIELDS = {
	"Helpdesk": {"customer": "customer", "ticket_type": "ticket_type", "team": "agent_group", "raised_by": "raised_by"},
	"ERPNext": {"customer": "customer", "ticket_type": "issue_type", "team": "agent_group", "raised_by": "raised_by"},
}
DEFAULT_PRIORITY_MAP = {"urgent": "Critical", "critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
BATCH = 2000  # tickets read, rebuilt and written at a time
LOOK_BACK = timedelta(minutes=10)
WATERMARK = "slm_ticket_sync_{0}"


def installed_sources() -> dict[str, str]:
	return {source: doctype for source, doctype in SOURCES.items() if frappe.db.exists("DocType", doctype)}


# ------------------------------------------------------------------------------------------ rules


def parse_priority_map(text: str | None) -> tuple[dict[str, str], list[str]]:
	"""``Urgent = Critical`` lines → {source priority: ours}, and the lines that are not such a mapping."""
	from slm_app.core.targets import PRIORITIES

	out, bad = {}, []
	for line in (text or "").splitlines():
		if not line.strip():
			continue
		left, sep, right = line.partition("=")
		if not sep or not left.strip() or right.strip() not in PRIORITIES:
			bad.append(line.strip())
			continue
		out[left.strip()] = right.strip()
	return out, bad


def validate_rule(doc) -> None:
	"""An SLM Ticket Rule: its agreement may be measured (signed or in force) and its mapping is readable."""
	_map, bad = parse_priority_map(doc.priority_map)
	if bad:
		frappe.throw(
			_("Priority Mapping: each line must look like Urgent = Critical, with one of Critical, High, Medium, Low on the right; not: {0}").format(", ".join(bad)),
			title=_("Invalid priority mapping"),
		)
	for field in ("customer", "ticket_type", "team"):
		value = doc.get(field)
		if value and len(value) > 140:
			frappe.throw(_("{0} is longer than 140 characters").format(_(doc.meta.get_label(field))))
	kind = frappe.db.get_value("SLM Agreement", doc.agreement, "agreement_type")
	if kind not in ("SLA", "OLA"):
		frappe.throw(_("A ticket rule gives tickets to an SLA or an OLA; {0} is a {1}").format(doc.agreement, kind or "-"), title=_("Invalid agreement"))
	doc.agreement_type = kind


def sync_rules(source: str) -> th.Rules:
	"""The rules of the source: its own pause / resolved statuses plus those our settings add, and the settings."""
	settings = frappe.get_cached_doc("SLM Settings")

	def lines(value):
		return {v.strip() for v in (value or "").splitlines() if v.strip()}

	pause, resolved = set(th.DEFAULT_PAUSE[source]), set(th.DEFAULT_RESOLVED[source])
	if source == "Helpdesk" and frappe.db.exists("DocType", "HD Ticket Status"):
		rows = frappe.get_all("HD Ticket Status", fields=["name", "category"])
		if rows:
			pause = {r.name for r in rows if r.category == "Paused"}
			resolved = {r.name for r in rows if r.category == "Resolved"}
	if source == "ERPNext" and frappe.db.exists("DocType", "Pause SLA On Status"):
		pause |= set(frappe.get_all("Pause SLA On Status", filters={"parenttype": "Service Level Agreement"}, pluck="status", distinct=True))
	resolved |= lines(settings.get("ticket_resolved_statuses"))
	pause = (pause | lines(settings.get("ticket_pause_statuses"))) - resolved
	return th.Rules(
		frozenset(pause),
		frozenset(resolved),
		settings.get("ticket_priority_after_change") or "latest",
		settings.get("ticket_reopened") or "resolved_paused",
	)


class Matcher:
	"""Which agreement code a ticket (and each team's share) goes to: the source's enabled SLM Ticket
	Rules, every condition given matching; without a matching SLA rule, the customer's one SLA (the
	party whose name or External Customer is the source's customer, by the directory's rule)."""

	def __init__(self, source: str):
		self.rules = frappe.get_all(
			"SLM Ticket Rule",
			filters={"source": source, "enabled": 1},
			fields=["name", "customer", "ticket_type", "team", "agreement", "service", "priority_map"],
			order_by="name",
		)
		versions = {
			v.name: v
			for v in frappe.get_all("SLM Agreement", filters={"name": ["in", [r.agreement for r in self.rules] or [""]]}, fields=["name", "agreement_code", "agreement_type"])
		}
		for r in self.rules:
			v = versions.get(r.agreement)
			r.code, r.kind = (v.agreement_code, v.agreement_type) if v else (None, None)
			r.pmap = parse_priority_map(r.priority_map)[0]
		self.has_ola_rules = any(r.kind == "OLA" for r in self.rules)
		self.directory = monitoring.directory_for()
		self.party_of: dict[str, str] = {}
		for p in frappe.get_all("SLM Party", filters={"party_type": "Customer"}, fields=["name", "external_customer"]):
			self.party_of[p.name] = p.name
			if p.external_customer:
				self.party_of[p.external_customer] = p.name

	@staticmethod
	def _fits(rule, customer, ticket_type, team) -> bool:
		return all(not getattr(rule, f) or getattr(rule, f) == v for f, v in (("customer", customer), ("ticket_type", ticket_type), ("team", team)))

	def sla(self, customer: str, ticket_type: str, team: str, created_site: datetime):
		"""(code, service, priority map, party, None) or (None, ..., reason)."""
		hits = [r for r in self.rules if r.kind == "SLA" and self._fits(r, customer, ticket_type, team)]
		codes = sorted({r.code for r in hits})
		if len(codes) == 1:
			return codes[0], hits[0].service, hits[0].pmap, None
		if len(codes) > 1:
			return None, None, {}, _("the rules {0} give it to several agreements: {1}").format(", ".join(r.name for r in hits), ", ".join(codes))
		party = self.party_of.get(customer or "")
		if not party:
			if not customer:
				return None, None, {}, _("it has no customer and no rule takes it")
			return None, None, {}, _("no rule takes it and customer {0} is no SLM customer (set the party's External Customer)").format(customer)
		try:
			code, _tz = self.directory.ticket_agreement("", party, created_site, 0, lambda value, zone: int(from_site_time([value])[0]))
		except BadValue as e:
			# the directory's message names a row; a synced ticket has none
			return None, None, {}, re.sub(r"^[^:：]*0[^:：]{0,3}[:：]\s*", "", translate_problem(e.problem), count=1)
		return code, None, {}, None

	def ola(self, customer: str, ticket_type: str, team: str):
		"""(code, None) or (None, reason) for a team's share; (None, None) when no OLA rule exists at all."""
		if not self.has_ola_rules:
			return None, None
		hits = [r for r in self.rules if r.kind == "OLA" and r.team and self._fits(r, customer, ticket_type, team)]
		codes = sorted({r.code for r in hits})
		if len(codes) == 1:
			return codes[0], None
		if codes:
			return None, _("the rules {0} give team {1}'s share to several OLAs: {2}").format(", ".join(r.name for r in hits), team, ", ".join(codes))
		return None, _("no rule gives team {0}'s share to an OLA").format(team)


# ------------------------------------------------------------------------------------------ reading


def _changes(doctype: str, names: list[str]) -> dict[str, list[th.Change]]:
	"""The status, priority and team changes of the tickets from the Version log, one query a batch."""
	out: dict[str, list[th.Change]] = defaultdict(list)
	if not names:
		return out
	rows = frappe.db.sql(
		"""select docname, cast(creation as char), data from `tabVersion`
		where ref_doctype = %(dt)s and docname in %(names)s""",
		{"dt": doctype, "names": [str(n) for n in names]},
	)
	if not rows:
		return out
	at = from_site_time([r[1] for r in rows])
	watched = {"status": th.STATUS, "priority": th.PRIORITY, "agent_group": th.TEAM}
	for (docname, _c, data), ns in zip(rows, at, strict=True):
		if not data or '"changed"' not in data:
			continue
		try:
			changed = json.loads(data).get("changed") or []
		except ValueError:
			continue
		for item in changed:
			if isinstance(item, list | tuple) and len(item) == 3 and item[0] in watched:
				out[docname].append(th.Change(int(ns), watched[item[0]], str(item[1] or ""), str(item[2] or "")))
	return out


def _read(doctype: str, source: str, after: tuple[str, str] | None, since: str | None, limit: int, until: str | None = None):
	"""The next batch of tickets in (modified, name) order."""
	meta = frappe.get_meta(doctype)
	want = {"customer": "", "ticket_type": "", "team": "", "raised_by": ""}
	cols = ["name", "cast(modified as char) as modified", "opening_date", "cast(opening_time as char) as opening_time", "cast(creation as char) as creation"]
	cols += [f"cast({f} as char) as {f}" for f in ("first_responded_on", "resolution_date") if meta.has_field(f)]
	for field in ("status", "priority"):
		cols.append(field if meta.has_field(field) else f"'' as {field}")
	for ours, theirs in FIELDS[source].items():
		if meta.has_field(theirs):
			cols.append(f"`{theirs}` as {ours}")
			want.pop(ours)
	where, values = [], {"limit": limit}
	if since:
		where.append("modified >= %(since)s")
		values["since"] = since
	if until:
		where.append("modified < %(until)s")
		values["until"] = until
	if after:
		where.append("(modified > %(m)s or (modified = %(m)s and name > %(n)s))")
		values.update(m=after[0], n=after[1])
	rows = frappe.db.sql(
		f"select {', '.join(cols)} from `tab{doctype}` {'where ' + ' and '.join(where) if where else ''} order by modified, name limit %(limit)s",
		values,
		as_dict=True,
	)
	for r in rows:
		r.update({k: v for k, v in want.items() if k not in r})
	return rows


def _opened(r) -> str:
	if not r.opening_date:
		return r.creation
	t = str(r.opening_time or "00:00:00")
	return f"{r.opening_date} {t}"


# ------------------------------------------------------------------------------------------ one batch


def _process(source: str, doctype: str, rows: list, rules: th.Rules, matcher: Matcher) -> dict:
	"""Rebuild, match and write one batch of tickets (their rows replaced as a whole)."""
	names = [str(r.name) for r in rows]
	log = _changes(doctype, names)
	n = len(rows)
	times = from_site_time([_opened(r) for r in rows] + [r.get("first_responded_on") for r in rows] + [r.get("resolution_date") for r in rows])
	events, pauses, changes, unmatched = [], [], [], []
	now, user = now_datetime(), frappe.session.user
	seen_at = now
	for i, r in enumerate(rows):
		tid = f"{source}-{r.name}"
		created, response, resolution = int(times[i]), int(times[n + i]), int(times[2 * n + i])
		if created == NAT:
			unmatched.append((tid, str(r.name), "", r, _("it has no opening date")))
			continue
		opened_site = _opened(r)
		first_team = next((c.old for c in sorted(log.get(str(r.name), []), key=lambda c: c.at_ns) if c.field == th.TEAM), r.team) or ""
		code, service, pmap, reason = matcher.sla(r.customer or "", r.ticket_type or "", first_team, opened_site)
		priority_map = {**{k: v for k, v in ((p, DEFAULT_PRIORITY_MAP.get(str(p).strip().lower(), "")) for p in _priorities(r, log)) if v}, **pmap}
		h = th.rebuild(
			tid,
			created,
			{"status": r.status or "", "priority": r.priority or "", "team": r.team or ""},
			log.get(str(r.name), []),
			rules,
			first_response_ns=response if response == NAT or response >= created else created,
			resolution_ns=resolution,
			priority_map=priority_map,
		)
		if reason:
			unmatched.append((tid, str(r.name), "", r, reason))
		else:
			events.append(_event(tid, source, r, code, service, h, h.created_ns, h.first_response_ns, h.resolved_ns, "", h.pauses))
			changes.extend(_change_rows(tid, h))
			pauses.extend((tid, s, e) for s, e in h.pauses)
		for tr in th.team_rows(h):
			ola, why = matcher.ola(r.customer or "", r.ticket_type or "", tr.team)
			team_id = f"{tid}@{tr.team}"
			if why:
				unmatched.append((team_id, str(r.name), tr.team, r, why))
			elif ola:
				events.append(_event(team_id, source, r, ola, service, h, tr.created_ns, tr.response_ns, tr.resolved_ns, tr.team, tr.pauses))
				pauses.extend((team_id, s, e) for s, e in tr.pauses)
	_write(source, names, events, pauses, changes, unmatched, now, user, seen_at)
	return {"events": len(events), "unmatched": len({u[1] for u in unmatched})}


def _priorities(r, log) -> set[str]:
	out = {r.priority or ""}
	for c in log.get(str(r.name), []):
		if c.field == th.PRIORITY:
			out |= {c.old, c.new}
	return out - {""}


def _event(tid, source, r, code, service, h, created, response, resolved, team, pauses):
	from slm_app.core.targets import PRIORITIES

	return {
		"name": tid,
		"ticket_id": tid,
		"source": source,
		"agreement_code": code,
		"service": service or None,
		"priority": h.priority if h.priority in PRIORITIES else "",
		"raised_by": clean_text(r.raised_by or "")[:140],
		"created_at": created,
		"first_response_at": response,
		"resolved_at": resolved if resolved == NAT or resolved >= created else created,
		"source_ticket": str(r.name),
		"team": team,
		"source_status": (r.status or "")[:140],
		"reopen_count": len(h.reopens),
		"resolutions": tuple(h.resolutions),  # instants, written as site times one per line
	}


def _change_rows(tid, h) -> list:
	out = []
	for kind, intervals in (("Status", h.statuses), ("Priority", h.priorities), ("Team", h.teams)):
		if kind != "Status" and len(intervals) == 1 and not intervals[0][2]:
			continue
		out.extend((tid, kind, v, s, e) for s, e, v in intervals)
	return out


def _site_times(values) -> np.ndarray:
	"""UTC instants (ns; NAT or the open end for none) as the site's naive time text, in one go."""
	ns = np.asarray(values, dtype=np.int64)
	out = np.full(len(ns), None, dtype=object)
	real = (ns != NAT) & (ns < OPEN_END)
	if real.any():
		local = pd.to_datetime(ns[real], utc=True).tz_convert(get_system_timezone()).tz_localize(None)
		out[real] = np.char.replace(np.datetime_as_string(local.values, unit="us"), "T", " ")
	return out


def _insert(doctype: str, columns: list[str], rows: list[tuple], times: tuple[str, ...] = ()) -> None:
	"""Rows into a table as multi-row INSERTs (the driver batches them by statement size); the ``times``
	columns hold instants, converted to site time for the whole batch at once."""
	if not rows:
		return
	if times:
		rows = [list(r) for r in rows]
		for c in times:
			k = columns.index(c)
			for r, v in zip(rows, _site_times([r[k] for r in rows]), strict=True):
				r[k] = v
	sql = f"insert into `tab{doctype}` ({', '.join(f'`{c}`' for c in columns)}) values ({', '.join(['%s'] * len(columns))})"
	frappe.db.sql("select 1")  # makes sure the connection (and its cursor) is open
	cursor = frappe.db._cursor
	for i in range(0, len(rows), 20000):
		cursor.executemany(sql, rows[i : i + 20000])


def _write(source, names, events, pauses, changes, unmatched, now, user, seen_at) -> None:
	"""Replace the batch's rows: events (SLA and team shares), their pauses and changes, unmatched rows."""
	names = names or [""]
	old = frappe.db.sql("select name from `tabSLM Ticket Event` where source = %(s)s and source_ticket in %(n)s", {"s": source, "n": names}, pluck=True)
	old = sorted(set(old) | {e["name"] for e in events})
	for i in range(0, len(old), 5000):
		chunk = old[i : i + 5000]
		for child in ("SLM Ticket Pause", "SLM Ticket Change"):
			frappe.db.sql(f"delete from `tab{child}` where parenttype = 'SLM Ticket Event' and parent in %(p)s", {"p": chunk})
		frappe.db.sql("delete from `tabSLM Ticket Event` where name in %(p)s", {"p": chunk})
	frappe.db.sql("delete from `tabSLM Unmatched Ticket` where source = %(s)s and ticket in %(n)s", {"s": source, "n": names})
	meta = ["owner", "modified_by", "creation", "modified", "docstatus"]
	base = (user, user, now, now, 0)
	if events:
		flat = [r for e in events for r in e["resolutions"]]
		text = iter(_site_times(flat))
		for e in events:
			e["resolutions"] = "\n".join(next(text).removesuffix(".000000") for _r in e["resolutions"])
		cols = list(events[0])
		_insert("SLM Ticket Event", [*cols, *meta], [tuple(e[c] for c in cols) + base for e in events], ("created_at", "first_response_at", "resolved_at"))
	idx: dict[str, int] = defaultdict(int)
	pv = []
	for tid, s, e in pauses:
		idx[tid] += 1
		pv.append((f"{tid}-p{idx[tid]}", *base, tid, "SLM Ticket Event", "pauses", idx[tid], s, e))
	_insert("SLM Ticket Pause", ["name", *meta, "parent", "parenttype", "parentfield", "idx", "pause_start", "pause_end"], pv, ("pause_start", "pause_end"))
	idx.clear()
	cv = []
	for tid, kind, value, s, e in changes:
		idx[tid] += 1
		cv.append((f"{tid}-c{idx[tid]}", *base, tid, "SLM Ticket Event", "changes", idx[tid], kind, (value or "")[:140], s, e))
	_insert("SLM Ticket Change", ["name", *meta, "parent", "parenttype", "parentfield", "idx", "kind", "value", "change_start", "change_end"], cv, ("change_start", "change_end"))
	_insert(
		"SLM Unmatched Ticket",
		["name", *meta, "key", "source", "ticket", "team", "customer", "ticket_type", "opened_at", "reason", "seen_at"],
		[
			(key, *base, key, source, ticket, team, (r.customer or "")[:140], (r.ticket_type or "")[:140], get_datetime(_opened(r)) if r.opening_date or r.creation else None, reason, seen_at)
			for key, ticket, team, r, reason in unmatched
		],
	)


# ------------------------------------------------------------------------------------------ runs


def sync_source(source: str, since: str | None = None, until: str | None = None, progress=None, batch: int = BATCH, resume: bool = False) -> dict:
	"""Read every ticket of the source modified in [since, until) (all when not given) in batches;
	``progress(done, batch_summary)`` after each batch (committed by the caller's job, or here for a
	backfill). ``resume``: start after the backfill's last finished batch."""
	doctype = SOURCES[source]
	rules, matcher = sync_rules(source), Matcher(source)
	after, total = None, {"tickets": 0, "events": 0, "unmatched": 0, "batches": 0}
	key = f"slm_ticket_backfill_{source}"
	if resume:
		saved = frappe.db.get_default(key)
		if saved:
			after = tuple(json.loads(saved))
	while True:
		rows = _read(doctype, source, after, since, batch, until)
		if not rows:
			break
		out = _process(source, doctype, rows, rules, matcher)
		after = (rows[-1].modified, str(rows[-1].name))
		total["tickets"] += len(rows)
		total["events"] += out["events"]
		total["unmatched"] += out["unmatched"]
		total["batches"] += 1
		if progress:
			frappe.db.set_default(key, json.dumps(list(after)))
			progress(total)
		if len(rows) < batch:
			break
	total["last"] = after
	return total


def sync_tickets() -> dict[str, dict]:
	"""The hourly job: every installed source's tickets changed since its watermark (minus the look-back)."""
	summary = {}
	for source in installed_sources():
		key = WATERMARK.format(source)
		mark = frappe.db.get_default(key)
		since = str(add_to_date(get_datetime(mark), seconds=-LOOK_BACK.total_seconds())) if mark else None
		started = time.monotonic()
		out = sync_source(source, since=since)
		if out["last"]:
			frappe.db.set_default(key, out["last"][0])
		out["seconds"] = round(time.monotonic() - started, 2)
		summary[source] = out
	return summary


def backfill(source: str, from_date: str | None = None, to_date: str | None = None, resume: bool = False, batch: int = BATCH) -> dict:
	"""A source's past tickets modified between two dates, committed batch by batch with progress printed;
	``resume`` goes on after the last committed batch of an interrupted run."""
	if source not in SOURCES:
		frappe.throw(_("Source must be one of {0}, not {1}").format(", ".join(SOURCES), source))
	if source not in installed_sources():
		frappe.throw(_("{0} is not installed on this site").format(source))
	started = time.monotonic()

	def progress(total):
		frappe.db.commit()
		print(_("{0}: {1} tickets, {2} events, {3} unmatched, {4:.1f} s").format(source, total["tickets"], total["events"], total["unmatched"], time.monotonic() - started), flush=True)

	out = sync_source(source, since=from_date, until=to_date, progress=progress, batch=batch, resume=resume)
	frappe.db.set_default(f"slm_ticket_backfill_{source}", None)
	frappe.db.commit()
	out["seconds"] = round(time.monotonic() - started, 2)
	return out
