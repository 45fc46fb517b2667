"""Adapter for knowing before a breach (issue 12): the month-to-date run, its warnings and digests, the
at-risk tickets and a ticket's SLA timeline.

- :func:`run` (hourly, and on demand with :func:`refresh`) reads the running month in bulk through the
  monthly job's own reader (:func:`slm_app.monitoring.month_input`, a fixed number of queries for all
  agreements) and the last closed months' monitoring records (one query), computes every target's budget
  and projection in the core (:func:`slm_app.core.budget.month_to_date`), and writes one SLM Budget Status
  per target and day in bulk (the day's row is replaced by each run, so the history of the forecast is
  kept one row a day; the latest rows carry ``is_latest``). Then the warnings that are new
  (:func:`slm_app.core.alerts.new_warnings`: a threshold once per target and month, a ticket whose miss
  alone breaches its target once) are recorded with their recipients, and each recipient whose working
  hours it is gets one digest with everything pending for them.
- :func:`at_risk_list` reads only the open tickets of the agreements the user may read and ranks them by
  business time left (:mod:`slm_app.core.at_risk`).
- :func:`ticket_timeline` gives a ticket's timeline (:mod:`slm_app.core.timeline`) to whoever may read
  the agreement the ticket is measured against.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import frappe
import numpy as np
import pandas as pd
from frappe import _
from frappe.utils import get_system_timezone, get_url_to_form, get_url_to_report, now_datetime

from slm_app import monitoring
from slm_app.core import alerts as core_alerts
from slm_app.core import at_risk as core_at_risk
from slm_app.core import budget as core_budget
from slm_app.core import instants
from slm_app.core import targets as tgt
from slm_app.core import timeline as core_timeline
from slm_app.core.agreements import IN_FORCE_STATES, VERSION_COLUMNS, in_force_frame
from slm_app.core.compliance import NAT, Measurements
from slm_app.core.errors import RuleError
from slm_app.core.month import TARGET_ROW_COLUMNS, month_targets
from slm_app.core.periods import next_month, parse_month, period_key
from slm_app.core.roles import MANAGER, MONITOR, PROCESS_OWNER
from slm_app.utils import from_site_time, site_now, throw_problems, to_site_time

STATUS = "SLM Budget Status"
WARNING = "SLM Budget Warning"
LOCK = "slm_app_watch"
MANY_CODES = 100  # the at-risk list reads by agreement code up to this many codes
SEVERITY = {core_budget.BREACHED: 0, core_budget.AT_RISK: 1, core_budget.ON_TRACK: 2, core_budget.NO_DATA: 3}


# ------------------------------------------------------------------------------------------ settings


def settings() -> frappe._dict:
	"""The watch settings, checked: thresholds (global and per agreement code), the share of its target
	time that makes a ticket near its deadline, the months of history and the managers' calendar."""
	s = frappe.get_single("SLM Watch Settings")
	try:
		default = core_alerts.parse_thresholds(s.thresholds if s.thresholds is not None else "50, 75, 100")
		rows = [(r.agreement, core_alerts.parse_thresholds(r.thresholds)) for r in s.agreement_thresholds or []]
	except RuleError as e:
		throw_problems(e.problems, title=_("SLM Watch Settings"))
	codes = dict(frappe.get_all("SLM Agreement", filters={"name": ["in", [a for a, _t in rows] or [""]]}, fields=["name", "agreement_code"], as_list=True))
	calendar = s.manager_calendar or frappe.db.get_single_value("SLM Settings", "default_service_calendar")
	return frappe._dict(
		thresholds=default,
		per_agreement={codes[a]: t for a, t in rows if a in codes},
		near_pct=float(s.near_pct if s.near_pct not in (None, "") else core_alerts.DEFAULT_NEAR_PCT) or core_alerts.DEFAULT_NEAR_PCT,
		history_months=int(s.history_months if s.history_months not in (None, "") else 3),
		manager_calendar=calendar,
	)


# ------------------------------------------------------------------------------------------ the run


def _aware(now: datetime | None) -> datetime:
	"""An aware instant: now, or a naive site time (system time zone), or an aware one."""
	if now is None:
		return site_now()
	if now.utcoffset() is None:
		return instants.naive_to_aware(now, get_system_timezone())
	return now


def watched_month(now: datetime) -> tuple[int, int]:
	"""The month of an instant in the site's time zone: the month the watch runs on."""
	local = now.astimezone(ZoneInfo(get_system_timezone()))
	return local.year, local.month


def history(codes: list[str], year: int, month: int, months: int) -> pd.DataFrame:
	"""The last ``months`` closed months' monitoring records of the codes, as the core's history."""
	if months <= 0 or not codes:
		return pd.DataFrame(columns=core_budget.HISTORY_COLUMNS)
	keys, y, m = [], year, month
	for _i in range(months):
		y, m = (y - 1, 12) if m == 1 else (y, m - 1)
		keys.append(period_key(y, m))
	return monitoring._sql(
		"""select agreement_code, target_code, period, metric_kind, sample_count, met_count, measured_value, result
		from `tabSLM Monitoring Record` where docstatus = 1 and period in %(periods)s and agreement_code in %(codes)s""",
		{"periods": keys, "codes": sorted(set(codes))},
		core_budget.HISTORY_COLUMNS,
	)


def compute(now: datetime | None = None, codes: list[str] | None = None) -> tuple[core_budget.MonthToDate, datetime, frappe._dict]:
	"""The running month's status at ``now`` (default: the site's now)."""
	at = _aware(now)
	year, month = watched_month(at)
	conf = settings()
	inp, _known = monitoring.month_input(year, month, codes, as_of=at, closed=False)
	h = history(list(inp.versions["agreement_code"]), year, month, conf.history_months)
	return core_budget.month_to_date(inp, at, h), at, conf


def run(now: datetime | None = None, notify: bool = True, codes: list[str] | None = None, warn: bool = True) -> dict:
	"""The month-to-date run: statuses written, new warnings recorded, digests sent to whoever it is
	working hours for. Serialised: two runs at once take turns (a named lock), so no warning is given
	twice. ``warn=False`` writes the statuses only (filling in a forecast's history afterwards)."""
	if not frappe.db.sql("select get_lock(%s, 300)", LOCK)[0][0]:
		# another run has held the lock for five minutes: it writes the same month; leave it to it
		return {"skipped": _("Another month-to-date run is still going on")}
	try:
		mtd, at, conf = compute(now, codes)
		written = write_status(mtd.status, at)
		raised = raise_warnings(mtd, at, conf) if warn else 0
		sent = send_digests(at) if notify else {}
	finally:
		frappe.db.sql("select release_lock(%s)", LOCK)
	counts = mtd.status["status"].value_counts().to_dict() if len(mtd.status) else {}
	return {"as_of": str(to_site_time(int(pd.Timestamp(at).value))), "targets": written, "statuses": counts, "warnings": raised, "digests": sent}


def _number(value) -> float:
	"""A number for a Float field (which stores no empty value: 0 where there is none; the unit, result
	or status says whether it applies)."""
	try:
		value = float(value)
	except (TypeError, ValueError):
		return 0.0
	return value if np.isfinite(value) else 0.0


def status_values(status: pd.DataFrame, at: datetime) -> list[dict]:
	"""One SLM Budget Status's fields per target (texts in the site's language)."""
	day = at.astimezone(ZoneInfo(get_system_timezone())).date()
	as_of = to_site_time(int(pd.Timestamp(at).value))
	out = []
	for r in status.to_dict("records"):
		text = core_budget.budget_text(r, _)
		why = _("{0} % chance of a breach").format(round(float(r["breach_chance"]))) + " · " if r["status"] == core_budget.AT_RISK and np.isfinite(r["breach_chance"]) else ""
		out.append(
			{
				"name": f"BUD-{r['agreement']}-{r['target_code']}-{day.isoformat()}",
				"title": f"{r['agreement']} {r['target_code']} · {why}{text}"[:140],
				**{k: r[k] for k in ("agreement", "agreement_code", "agreement_type", "party", "service", "target_code", "metric_kind", "period")},
				"version": int(r["version"]),
				"day": day,
				"as_of": as_of,
				"is_latest": 1,
				"metric_name": r.get("metric_name") or "",
				"priority": r.get("priority") or "",
				"target_value": _number(r["target_value"]),
				"time_unit": r.get("time_unit") or "",
				"unit": r.get("unit") or "",
				"compliance_share": _number(r["compliance_share"]),
				"status": r["status"],
				"budget_text": text,
				"basis_text": core_budget.basis_text(r, _),
				"elapsed_pct": _number(r["elapsed_pct"]),
				"measured_value": _number(r["measured_value"]),
				"result_so_far": r["result_so_far"],
				**{k: int(r[k]) for k in ("sample_count", "met_count", "missed_count", "pending_count", "history_months")},
				"budget_unit": r.get("budget_unit") or "",
				**{k: _number(r[k]) for k in ("budget_total", "budget_used", "budget_left", "used_pct", "burn_rate", "expected_count", "miss_rate", "projected_value", "breach_chance")},
				"projected_result": r["projected_result"],
			}
		)
	return out


STATUS_FIELDS = [
	"title", "agreement", "agreement_code", "version", "agreement_type", "party", "period", "day", "as_of", "is_latest",
	"target_code", "service", "metric_kind", "metric_name", "priority", "target_value", "time_unit", "unit", "compliance_share",
	"status", "budget_text", "basis_text", "elapsed_pct", "measured_value", "result_so_far", "sample_count", "met_count",
	"missed_count", "pending_count", "budget_unit", "budget_total", "budget_used", "budget_left", "used_pct", "burn_rate",
	"expected_count", "miss_rate", "history_months", "projected_value", "breach_chance", "projected_result",
]


def write_status(status: pd.DataFrame, at: datetime) -> int:
	"""Today's status rows, in bulk: this run's rows replace today's, and only they are the latest."""
	rows = status_values(status, at)
	if rows:
		frappe.db.delete(STATUS, {"name": ["in", [r["name"] for r in rows]]})
	frappe.db.sql(f"update `tab{STATUS}` set is_latest = 0 where is_latest = 1")
	monitoring._insert(STATUS, rows, STATUS_FIELDS)
	return len(rows)


# ------------------------------------------------------------------------------------------ warnings


def _message(w: dict) -> str:
	if w["kind"] == core_alerts.TICKET:
		return _("Ticket {0} would breach {1} {2} on its own: no more misses are allowed this month; deadline {3}, {4} business minutes left").format(
			w["ticket_id"], w["agreement"], w["target_code"], frappe.format(w["deadline"], {"fieldtype": "Datetime"}), round(float(w["left_s"]) / 60.0)
		)
	return _("{0} % of the budget of {1} {2} used ({3} %): {4}").format(int(w["threshold"]), w["agreement"], w["target_code"], round(float(w["used_pct"]), 1), w.get("budget_text") or "")


def raise_warnings(mtd: core_budget.MonthToDate, at: datetime, conf: frappe._dict) -> int:
	"""Record the run's new warnings, each with its recipients (pending until their digest): the service
	level managers, and for an OLA or UC the team's or supplier's people."""
	from slm_app import notifications

	status = mtd.status
	if status.empty:
		return 0
	periods = sorted(set(status["period"]))
	# a locking read: a run that waited for the lock sees what the run before it committed
	warned = set(frappe.db.sql_list(f"select name from `tab{WARNING}` where period in %(p)s lock in share mode", {"p": periods}))
	new = core_alerts.new_warnings(status, mtd.pairs, warned, conf.per_agreement, conf.thresholds, conf.near_pct)
	if new.empty:
		return 0
	text = {(r["agreement"], r["target_code"]): core_budget.budget_text(r, _) for r in status.to_dict("records")}
	calendar_of = dict(zip(status["agreement"], status["calendar"], strict=True))
	now = now_datetime()
	items = []
	for w in new.to_dict("records"):
		w["deadline"] = to_site_time(w["deadline_ns"]) if w["kind"] == core_alerts.TICKET else None
		w["budget_text"] = text.get((w["agreement"], w["target_code"]), "")
		items.append(w)
	plan = notifications.recipients_for(items)
	managers = set(notifications.users_with_role(MANAGER))
	children = []
	for user, mine in plan.items():
		for w in mine:
			calendar = conf.manager_calendar if user in managers else calendar_of.get(w["agreement"])
			children.append({"parent": w["name"], "recipient": user, "calendar": calendar})
	rows = []
	for w in items:
		title = f"{w['agreement']} {w['target_code']} · " + (
			_("ticket {0}").format(w["ticket_id"]) if w["kind"] == core_alerts.TICKET else _("{0} % used").format(int(w["threshold"]))
		)
		rows.append(
			{
				"name": w["name"],
				"title": title[:140],
				**{k: w[k] for k in ("kind", "agreement", "agreement_code", "agreement_type", "party", "period", "service", "target_code", "metric_kind", "status")},
				"priority": w.get("priority") or "",
				"threshold": int(w["threshold"]) if w["kind"] == core_alerts.BUDGET else 0,
				"used_pct": _number(w["used_pct"]),
				"budget_left": _number(w["budget_left"]),
				"budget_unit": w.get("budget_unit") or "",
				"ticket": w.get("ticket_id") if w["kind"] == core_alerts.TICKET else None,
				"deadline": w["deadline"],
				"message": _message(w),
				"raised_on": to_site_time(int(pd.Timestamp(at).value)),
			}
		)
	fields = ["title", "kind", "agreement", "agreement_code", "agreement_type", "party", "period", "service", "target_code", "metric_kind", "priority", "status", "threshold", "used_pct", "budget_left", "budget_unit", "ticket", "deadline", "message", "raised_on"]
	monitoring._insert(WARNING, rows, fields)
	counts: dict[str, int] = {}
	for c in children:
		counts[c["parent"]] = counts.get(c["parent"], 0) + 1
		c.update(parenttype=WARNING, parentfield="recipients", idx=counts[c["parent"]])
	monitoring._insert("SLM Budget Warning Recipient", children, ["parent", "parenttype", "parentfield", "idx", "recipient", "calendar"])
	return len(rows)


DIGEST_TEMPLATE = "slm_app/templates/emails/slm_budget_digest.html"
DIGEST_LINES = 100  # the rest of a long digest is in SLA Watch


def send_digests(at: datetime | None = None) -> dict[str, list[str]]:
	"""One digest per recipient with every warning pending for them, to those whose working hours it is
	(their calendar; without one, at any hour): by email when an outgoing email account exists, and always
	as a desk notification. What was sent is marked on the recipient rows, so nothing is sent twice."""
	from slm_app import notifications

	at = _aware(at)
	pending = frappe.db.sql(
		f"""select r.name, r.parent, r.recipient, r.calendar, w.title, w.message, w.agreement, w.target_code, w.kind, w.period
		from `tabSLM Budget Warning Recipient` r join `tab{WARNING}` w on w.name = r.parent
		where r.parenttype = %(dt)s and r.sent_on is null order by w.raised_on, w.threshold, w.name""",
		{"dt": WARNING},
		as_dict=True,
	)
	if not pending:
		return {}
	by_user: dict[str, list] = {}
	for p in pending:
		by_user.setdefault(p.recipient, []).append(p)
	calendars = monitoring.load_calendars(sorted({p.calendar for p in pending if p.calendar}))
	due = core_alerts.due({u: [calendars.get(p.calendar) for p in rows if p.calendar in calendars] for u, rows in by_user.items()}, at)
	if not due:
		return {}
	can_email = notifications.outgoing_email_configured()
	now = to_site_time(int(pd.Timestamp(at).value))  # the run's instant (now, but for a run replayed afterwards)
	sent: dict[str, list[str]] = {}
	for user in sorted(due):
		rows = by_user[user]
		shown = _one_line_per_target(rows)
		subject = _("{0} service level warning(s): budgets running out").format(len(shown))
		body = frappe.render_template(
			DIGEST_TEMPLATE,
			{
				"warnings": [{**r, "url": get_url_to_form(WARNING, r.parent)} for r in shown[:DIGEST_LINES]],
				"more": max(len(shown) - DIGEST_LINES, 0),
				"watch_url": get_url_to_report("SLA Watch", "Script Report", None),
			},
		)
		email = frappe.db.get_value("User", user, "email")
		channels = [_("System Notification")]
		if email and can_email:
			frappe.sendmail(recipients=[email], subject=subject, message=body, reference_doctype=WARNING, reference_name=rows[0].parent)
			channels.insert(0, _("Email"))
		frappe.get_doc(
			{"doctype": "Notification Log", "for_user": user, "type": "Alert", "document_type": WARNING, "document_name": rows[0].parent, "subject": subject, "email_content": body}
		).insert(ignore_permissions=True)
		frappe.db.sql(
			"update `tabSLM Budget Warning Recipient` set sent_on = %(now)s, channel = %(channel)s where name in %(names)s",
			{"now": now, "channel": ", ".join(channels), "names": [r.name for r in rows]},
		)
		sent[user] = [r.parent for r in rows]
	return sent


def _one_line_per_target(rows: list) -> list:
	"""Thresholds of one target passed in the same stretch come as one line: the highest (rows are in the
	order raised, so the last)."""
	out: dict = {}
	for r in rows:
		key = (r.agreement, r.target_code, r.period) if r.kind == core_alerts.BUDGET else r.parent
		out.pop(key, None)
		out[key] = r
	return list(out.values())


@frappe.whitelist(methods=["POST"])
def refresh() -> dict:
	"""Compute the month to date now (the service level manager's or monitor's on-demand run)."""
	if not {MANAGER, MONITOR, PROCESS_OWNER} & set(frappe.get_roles()):
		frappe.throw(_("Only {0} may do this").format(" / ".join(sorted({MANAGER, MONITOR, PROCESS_OWNER}))), frappe.PermissionError)
	return run()


# ------------------------------------------------------------------------------------------ reading what the user may read


def readable_versions(filters: dict | None = None, year: int | None = None, month: int | None = None) -> pd.DataFrame:
	"""The agreement versions in force in the month that the user may read (permission-aware), narrowed by
	the filters agreement, agreement_type, party, team (an OLA's team)."""
	filters = filters or {}
	conditions = [["workflow_state", "in", list(IN_FORCE_STATES)]]
	for key in ("agreement_type", "party"):
		if filters.get(key):
			conditions.append([key, "=", filters[key]])
	if filters.get("agreement"):
		conditions.append(["name", "=", filters["agreement"]])
	if filters.get("team"):
		conditions += [["party", "=", filters["team"]], ["agreement_type", "=", "OLA"]]
	rows = frappe.get_list(
		"SLM Agreement",
		filters=conditions,
		fields=["name as agreement", "agreement_code", "version", "agreement_type", "party", "service_calendar as calendar", "valid_from", "valid_to", "ended_on", "workflow_state as state"],
		limit_page_length=0,
	)
	versions = pd.DataFrame([dict(r) for r in rows], columns=VERSION_COLUMNS)
	if year is not None:
		first, after = date(year, month, 1), date(*next_month(year, month), 1)
		versions = in_force_frame(versions, first, after)
	return versions


def at_risk_list(filters: dict | None = None, now: datetime | None = None, near_pct: float | None = None, only_near: bool = True) -> pd.DataFrame:
	"""The open tickets of the running month near or past their deadline (or all open ones), of the
	agreements the user may read, most urgent first, with the budget of their target (from the latest
	month-to-date run) and whether their miss alone would breach it."""
	filters = filters or {}
	at = _aware(now)
	year, month = watched_month(at)
	versions = readable_versions(filters, year, month)
	empty = pd.DataFrame(columns=[*core_at_risk.PAIR_COLUMNS, "budget_left", "budget_total", "status", "alone"])
	if versions.empty:
		return empty
	names = sorted(set(versions["agreement"]))
	targets = monitoring._sql(
		f"""select parent, target_code, service, {", ".join(tgt.VALUE_FIELDS)} from `tabSLM Agreement Target`
		where parent in %(names)s and parenttype = 'SLM Agreement' and parentfield = 'targets' and metric_kind in %(kinds)s""",
		{"names": names, "kinds": list(tgt.TIME_KINDS)},
		TARGET_ROW_COLUMNS,
	)
	if filters.get("service"):
		targets = targets[targets["service"] == filters["service"]]
	frame = month_targets(versions, targets, year, month)
	if frame.empty:
		return empty
	codes = sorted(set(frame["agreement_code"]))
	first = date(year, month, 1)
	lo = datetime.combine(first - timedelta(days=2), datetime.min.time())
	until = to_site_time(int(pd.Timestamp(at).value))
	# few agreements: by their codes (an index); many: the month's range of creation, whose index reads far
	# fewer rows than one range per code, and the codes kept here
	by_code = "and agreement_code in %(codes)s" if len(codes) <= MANY_CODES else ""
	rows = monitoring._sql(
		f"""select name, agreement_code, priority, cast(created_at as char), cast(first_response_at as char), cast(resolved_at as char)
		from `tabSLM Ticket Event`
		where created_at >= %(lo)s and created_at < %(until)s {by_code}
			and (first_response_at is null or resolved_at is null or first_response_at >= %(until)s or resolved_at >= %(until)s)""",
		{"codes": codes, "lo": lo, "until": until},
		["ticket_id", "agreement_code", "priority", "created", "response", "resolved"],
	)
	if not by_code:
		rows = rows[rows["agreement_code"].isin(codes).to_numpy(dtype=bool)].reset_index(drop=True)
	if rows.empty:
		return empty
	paused = monitoring._sql(
		"""select parent, cast(pause_start as char), cast(pause_end as char) from `tabSLM Ticket Pause`
		where parenttype = 'SLM Ticket Event' and parent in %(ids)s""",
		{"ids": list(rows["ticket_id"])},
		["ticket_id", "start", "end"],
	)
	n, k = len(rows), len(paused)
	times = from_site_time(np.concatenate([rows[c].to_numpy(dtype=object) for c in ("created", "response", "resolved")] + [paused[c].to_numpy(dtype=object) for c in ("start", "end")]))
	end = times[3 * n + k :]
	tickets = pd.DataFrame(
		{"ticket_id": rows["ticket_id"].astype(str), "agreement_code": rows["agreement_code"], "priority": rows["priority"].fillna(""), "created_ns": times[:n], "response_ns": times[n : 2 * n], "resolved_ns": times[2 * n : 3 * n]}
	)
	pauses = pd.DataFrame({"ticket_id": paused["ticket_id"].astype(str), "start_ns": times[3 * n : 3 * n + k], "end_ns": np.where(end == NAT, instants.OPEN_END, end)})
	calendars = monitoring.load_calendars(sorted(set(frame["calendar"])))
	none = Measurements.empty()
	m = Measurements(tickets, pauses, none.outages, none.coverage, none.metrics)
	pairs = core_at_risk.open_pairs(frame, calendars, m, year, month, at)
	if only_near:
		pairs = core_at_risk.at_risk(pairs, settings().near_pct if near_pct is None else near_pct)
	if pairs.empty:
		return empty
	budgets = frappe.get_list(
		STATUS,
		filters={"is_latest": 1, "agreement": ["in", names], "period": period_key(year, month)},
		fields=["agreement", "target_code", "budget_left", "budget_total", "status"],
		limit_page_length=0,
	)
	b = pd.DataFrame([dict(r) for r in budgets], columns=["agreement", "target_code", "budget_left", "budget_total", "status"])
	out = pairs.merge(b, on=["agreement", "target_code"], how="left")
	left = pd.to_numeric(out["budget_left"], errors="coerce")
	out["alone"] = (left == 0) & ~out["late"].to_numpy(dtype=bool)
	return out


# ------------------------------------------------------------------------------------------ a ticket's timeline


def _not_found(ticket) -> None:
	frappe.throw(_("Ticket {0} not found").format(ticket), frappe.DoesNotExistError)


def timeline(ticket: str, now: datetime | None = None) -> dict:
	"""A ticket's SLA timeline, for whoever may read the agreement version it is measured against (a
	ticket of an agreement the user may not read is answered like one that does not exist)."""
	if not isinstance(ticket, str) or not ticket.strip():
		frappe.throw(_("Give the ticket"), title=_("Ticket required"))
	ticket = ticket.strip()
	row = frappe.db.sql(
		"""select name, agreement_code, priority, cast(created_at as char), cast(first_response_at as char), cast(resolved_at as char)
		from `tabSLM Ticket Event` where name = %s""",
		ticket,
	)
	if not row:
		_not_found(ticket)
	name, code, priority, *times = row[0]
	versions = frappe.get_list(
		"SLM Agreement",
		filters={"agreement_code": code or "", "workflow_state": ["in", list(IN_FORCE_STATES)]},
		fields=["name as agreement", "agreement_code", "version", "agreement_type", "party", "service_calendar as calendar", "valid_from", "valid_to", "ended_on", "workflow_state as state"],
		limit_page_length=0,
	)
	if not versions:
		_not_found(ticket)
	versions = pd.DataFrame([dict(v) for v in versions])
	created, response, resolved = (int(x) for x in from_site_time(np.array(times, dtype=object)))
	calendars = monitoring.load_calendars(sorted(set(versions["calendar"])))
	# the day of creation in the zone of the latest version's calendar (versions of one agreement share it)
	latest = versions.sort_values("version").iloc[-1]
	version = core_timeline.version_in_force(versions, created, calendars[latest["calendar"]].tz)
	if version is None:
		frappe.throw(_("No version of {0} was in force on the day ticket {1} was created").format(code, ticket), title=_("Not measured"))
	version["tz"] = calendars[version["calendar"]].tz
	targets = frappe.get_list(
		"SLM Agreement Target",
		parent_doctype="SLM Agreement",
		filters={"parent": version["agreement"], "parenttype": "SLM Agreement", "parentfield": "targets"},
		fields=["parent as agreement", "target_code", "service", *tgt.VALUE_FIELDS],
		limit_page_length=0,
	)
	clocks = core_timeline.clocks_for(pd.DataFrame([dict(t) for t in targets], columns=TARGET_ROW_COLUMNS), version["agreement"], priority or "")
	paused = frappe.db.sql(
		"""select cast(pause_start as char), cast(pause_end as char), reason from `tabSLM Ticket Pause`
		where parenttype = 'SLM Ticket Event' and parent = %s order by pause_start""",
		name,
	)
	ends = from_site_time(np.array([p[0] for p in paused] + [p[1] for p in paused], dtype=object)) if paused else np.zeros(0, dtype=np.int64)
	events = [
		core_timeline.Event(core_timeline.PAUSE, int(ends[i]), int(ends[len(paused) + i]) if int(ends[len(paused) + i]) != NAT else instants.OPEN_END, paused[i][2] or "")
		for i in range(len(paused))
	]
	history, first_team = _history_events(name, created)
	events += history
	at = _aware(now)
	team = first_team or (version["party"] if version["agreement_type"] == "OLA" else "")
	t = core_timeline.ticket_timeline(
		{"ticket_id": name, "priority": priority or "", "created_ns": created, "response_ns": response, "resolved_ns": resolved},
		calendars[version["calendar"]],
		clocks,
		events,
		as_of_ns=int(pd.Timestamp(at).value),
		agreement=version["agreement"],
		calendar_name=version["calendar"],
		team=team,
	)
	return _timeline_dict(t, version, {"response": response, "resolved": resolved}, events)


def _history_events(name: str, created: int) -> tuple[list, str]:
	"""The status intervals and the priority and team changes a sync from Helpdesk / ERPNext recorded
	(on the ticket's own row; a team's share shows its ticket's history), and the team that held the
	ticket at its creation."""
	changes = frappe.db.sql(
		"""select kind, value, cast(change_start as char), cast(change_end as char) from `tabSLM Ticket Change`
		where parenttype = 'SLM Ticket Event' and parent = %s order by idx""",
		name.split("@", 1)[0],
	)
	if not changes:
		return [], ""
	ends = from_site_time(np.array([c[2] for c in changes] + [c[3] for c in changes], dtype=object))
	out, first_team = [], ""
	for i, (kind, value, _s, _e) in enumerate(changes):
		start, end = int(ends[i]), int(ends[len(changes) + i])
		if kind == "Status":
			out.append(core_timeline.Event(core_timeline.STATUS, start, end if end != NAT else instants.OPEN_END, value or ""))
		else:  # the source's value from creation on, then each change (the judged priority may differ)
			out.append(core_timeline.Event(core_timeline.PRIORITY if kind == "Priority" else core_timeline.TEAM, start, NAT, value or ""))
			if kind == "Team" and start <= created:
				first_team = value or ""
	return out, first_team


def _local(value: int, tz) -> str:
	"""An instant as local time in the calendar's zone, with its UTC offset (so DST shows)."""
	if value in (NAT, None) or int(value) >= instants.OPEN_END:
		return ""
	return pd.Timestamp(int(value), tz="UTC").tz_convert(tz).strftime("%Y-%m-%d %H:%M:%S %z")


def _timeline_dict(t: core_timeline.Timeline, version: dict, ends: dict, events) -> dict:
	tz = version["tz"]
	from slm_app.core.business_time import BEYOND

	clocks = []
	for c in t.clocks:
		clocks.append(
			{
				"target_code": c["target_code"],
				"target": c["label"],
				"metric_kind": c["metric_kind"],
				"limit_minutes": round(c["limit_minutes"], 3),
				"elapsed_minutes": round(c["elapsed_minutes"], 3),
				"left_minutes": round(c["left_minutes"], 3),
				"deadline": "" if c["deadline_ns"] == BEYOND else _local(c["deadline_ns"], tz),
				"stopped_at": _local(c["stop_ns"], tz),
				"stopped_by": c["stopped_by"],
				"result": c["result"],
			}
		)
	segments = []
	for s in t.segments.to_dict("records"):
		segments.append(
			{
				"start": _local(s["start_ns"], tz),
				"end": _local(s["end_ns"], tz),
				"kind": s["kind"],
				"detail": s["detail"],
				"minutes": round(s["minutes"], 3),
				"priority": s["priority"],
				"team": s["team"],
				"status": s["status"],
				"counted": {c["target_code"]: round(s[f"{c['target_code']}_minutes"], 3) for c in t.clocks},
				"total": {c["target_code"]: round(s[f"{c['target_code']}_total"], 3) for c in t.clocks},
			}
		)
	return {
		"ticket": t.ticket_id,
		"agreement": version["agreement"],
		"agreement_code": version["agreement_code"],
		"version": int(version["version"]),
		"agreement_type": version["agreement_type"],
		"party": version["party"],
		"calendar": t.calendar,
		"timezone": t.timezone,
		"priority": t.priority,
		"created": _local(t.created_ns, tz),
		"first_response": _local(ends["response"], tz),
		"resolved": _local(ends["resolved"], tz),
		"as_of": _local(t.as_of_ns, tz),
		"pauses": [{"start": _local(e.start_ns, tz), "end": _local(e.end_ns, tz), "reason": e.value} for e in events if e.kind == core_timeline.PAUSE],
		"clocks": clocks,
		"segments": segments,
		"marks": [{"at": _local(m["at_ns"], tz), "what": m["what"], "value": m.get("value", "")} for m in t.marks],
	}


@frappe.whitelist()
def ticket_timeline(ticket: str) -> dict:
	"""A ticket's SLA timeline: the calendar windows, holidays and extra working days it crossed, its pauses,
	the agreement version in force, the business minutes each segment counted and the deadlines."""
	return timeline(ticket)


@frappe.whitelist()
def record_tickets(record: str) -> list[dict]:
	"""The tickets a monitoring record counted (its agreement, target and month), to open their timelines:
	for whoever may read the record."""
	if not isinstance(record, str) or not record:
		frappe.throw(_("Give the monitoring record"), title=_("Monitoring record required"))
	rows = frappe.get_list(
		"SLM Monitoring Record",
		filters={"name": record},
		fields=["name", "agreement", "agreement_code", "target_code", "period", "metric_kind", "priority", "period_start", "period_end"],
		limit_page_length=1,
	)
	if not rows:
		frappe.throw(_("Monitoring record {0} not found").format(record), frappe.DoesNotExistError)
	r = rows[0]
	if r.metric_kind not in tgt.TIME_KINDS:
		return []
	missed = {
		t.ticket
		for t in frappe.get_list(
			"SLM Breach Ticket", parent_doctype="SLM Breach", filters={"parent": ["like", f"BR-{r.agreement}-{r.target_code}-{r.period}%"]}, fields=["ticket"], limit_page_length=0
		)
	}
	tz = monitoring.load_calendars([frappe.db.get_value("SLM Agreement", r.agreement, "service_calendar")])
	zone = next(iter(tz.values())).timezone if tz else get_system_timezone()
	lo = instants.naive_to_ns([datetime.combine(r.period_start, datetime.min.time())], zone)[0]
	hi = instants.naive_to_ns([datetime.combine(r.period_end + timedelta(days=1), datetime.min.time())], zone)[0]
	lo_site, hi_site = to_site_time(lo), to_site_time(hi)
	condition = "and priority = %(priority)s" if r.priority else ""
	tickets = frappe.db.sql(
		f"""select name, priority, created_at, first_response_at, resolved_at from `tabSLM Ticket Event`
		where agreement_code = %(code)s and created_at >= %(lo)s and created_at < %(hi)s {condition} order by created_at""",
		{"code": r.agreement_code, "lo": lo_site, "hi": hi_site, "priority": r.priority},
		as_dict=True,
	)
	return [{"ticket": t.name, "priority": t.priority, "created_at": t.created_at, "missed": t.name in missed} for t in tickets]


def months_of(filters: dict) -> tuple[int, int]:
	"""The month of a filter (YYYY-MM), or the running month."""
	value = (filters.get("month") or "").strip() if isinstance(filters.get("month"), str) else ""
	if not value:
		return watched_month(site_now())
	try:
		return parse_month(value, _("Month"), "month")
	except RuleError as e:
		throw_problems(e.problems, title=_("Invalid filter"))


# ------------------------------------------------------------------------------------------ backtest


def backtest_site(months: int = 12, days: str | list = "10,20", history_months: int = 3) -> dict:
	"""How often the projection was right on this site's last ``months`` closed months
	(:mod:`slm_app.core.backtest`): ``bench --site <site> execute slm_app.watch.backtest_site``. Reads each
	month through the monthly job's reader; writes nothing."""
	from slm_app.core import backtest as core_backtest
	from slm_app.core.periods import previous_month

	day_list = [int(d) for d in str(days).split(",")] if isinstance(days, str) else [int(d) for d in days]
	today = site_now().astimezone(ZoneInfo(get_system_timezone())).date()
	chosen, month = [], previous_month(today)
	for _i in range(int(months)):
		chosen.append(month)
		month = previous_month(date(month[0], month[1], 1))
	inputs = [monitoring.month_input(y, m, None, closed=False)[0] for y, m in reversed(chosen)]
	frame = core_backtest.backtest(inputs, days=day_list, tz=get_system_timezone(), history_months=history_months)
	summary = core_backtest.summary(frame)
	print(summary.to_string(index=False))
	return {"months": [period_key(y, m) for y, m in reversed(chosen)], "summary": summary.to_dict("records")}
