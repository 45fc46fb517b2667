"""Quarterly service reports to customers (the reporting side of SL4–SL5).

After each quarter the scheduler drafts one report per customer (all its SLAs) and one per SLA, once
the monitoring of the quarter's last month is due (the KPI due day of the month after the quarter).
A report summarises, for the SLAs in force during the quarter: each target's result per month and for
the quarter, the breaches and how they were handled, the service reviews held and the improvement
plans. The manager approves a draft; only then is it sent to the customer's contacts.

Everything here works on plain rows (dicts) so the core stays free of the framework.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from slm_app.core.agreements import IN_FORCE_STATES, in_force_between
from slm_app.core.calendar import parse_date
from slm_app.core.compliance import BREACHED, MET, NO_DATA
from slm_app.core.errors import Problem, _
from slm_app.core.periods import period_key
from slm_app.core.targets import AVAILABILITY, CUSTOM_METRIC, format_number, value_text

CUSTOMER, SLA_SCOPE = "Customer", "SLA"
SCOPES = (CUSTOMER, SLA_SCOPE)
BOTH = "Customer and SLA"
SCOPE_SETTINGS = {BOTH: SCOPES, CUSTOMER: (CUSTOMER,), SLA_SCOPE: (SLA_SCOPE,), "No Reports": ()}
REPORTED_STATES = frozenset(IN_FORCE_STATES)
HANDLED_STATES = frozenset({"Resolved", "Closed"})
PLAN_CLOSED = "Closed"


def quarter_of(day: date) -> tuple[int, int]:
	day = parse_date(day)
	return day.year, (day.month - 1) // 3 + 1


def check_quarter(year, quarter) -> list[Problem]:
	problems = []
	try:
		y = int(year)
	except (TypeError, ValueError):
		y = None
	if y is None or not 2000 <= y <= 2100:
		problems.append(Problem(_("Year must be a year between 2000 and 2100, not {0}"), (year,), "year"))
	if str(quarter) not in {"1", "2", "3", "4"}:
		problems.append(Problem(_("Quarter must be 1, 2, 3 or 4, not {0}"), (quarter,), "quarter"))
	return problems


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
	"""First and last day of the quarter."""
	first = date(int(year), 3 * (int(quarter) - 1) + 1, 1)
	after = date(first.year + (first.month + 3 > 12), (first.month + 3 - 1) % 12 + 1, 1)
	return first, after - timedelta(days=1)


def quarter_months(year: int, quarter: int) -> list[str]:
	"""The quarter's months as the monitoring table writes them: ["2026-07", "2026-08", "2026-09"]."""
	first = 3 * (int(quarter) - 1) + 1
	return [period_key(int(year), m) for m in range(first, first + 3)]


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
	return (int(year) - 1, 4) if int(quarter) == 1 else (int(year), int(quarter) - 1)


def quarter_due(today: date, due_day: int) -> tuple[int, int] | None:
	"""The quarter whose reports are due by ``today``: the last closed quarter, from the day after the
	monitoring due day of the month after it (its last month's monitoring is then due); None before."""
	today = parse_date(today)
	year, quarter = previous_quarter(*quarter_of(today))
	_first, last = quarter_bounds(year, quarter)
	return (year, quarter) if today > last + timedelta(days=int(due_day)) else None


def in_force(agreement: dict, first: date, last: date) -> bool:
	"""Was the agreement (a version) in force on some day of [first, last]? (core.agreements)"""
	a = agreement
	return in_force_between(a.get("workflow_state"), a.get("valid_from"), a.get("valid_to"), a.get("ended_on"), first, last)


def report_key(scope: str, party: str | None, agreement_code: str | None) -> tuple[str, str]:
	return (scope, party if scope == CUSTOMER else agreement_code)


def reports_to_create(
	slas: Iterable[dict], year: int, quarter: int, existing: Iterable[tuple[str, str]], scopes=SCOPES
) -> list[dict]:
	"""The reports of the quarter not made yet: {scope, party, agreement_code} per customer with an SLA in
	force during the quarter and per such SLA (one per agreement code, whatever its versions).
	``existing`` holds report_key()s of the quarter's reports (any state)."""
	first, last = quarter_bounds(year, quarter)
	existing = set(existing)
	out, seen = [], set()
	for sla in sorted(slas, key=lambda a: (str(a.get("party")), str(a.get("agreement_code")))):
		if sla.get("agreement_type", "SLA") != "SLA" or not in_force(sla, first, last):
			continue
		for scope in scopes:
			key = report_key(scope, sla.get("party"), sla.get("agreement_code"))
			if key in seen or key in existing:
				continue
			seen.add(key)
			out.append({"scope": scope, "party": sla.get("party"), "agreement_code": sla.get("agreement_code") if scope == SLA_SCOPE else None})
	return out


# ---------------------------------------------------------------------------------------------------
# Content


def measured_text(record: dict) -> str:
	"""The measured value as a customer reads it: "99.95 %", "96.1 % in target", "4.2 points"; "–" when
	there was no data."""
	if record.get("result") == NO_DATA or record.get("result") is None:
		return "–"
	value = format_number(round(float(record.get("measured_value") or 0), 2))
	kind = record.get("metric_kind")
	if kind == AVAILABILITY:
		return f"{value} %"
	if kind == CUSTOM_METRIC:
		return f"{value} {record.get('unit') or ''}".rstrip()
	return f"{value} %"


def target_text(record: dict) -> str:
	"""The promise: "≥ 99.9 %", "≤ 4 h for 95 %", "≥ 4.5 points"."""
	text = value_text(record)
	if record.get("metric_kind") not in (AVAILABILITY, CUSTOM_METRIC):
		text += f" / {format_number(record.get('compliance_share') or 100)} %"
	return text


def _month_result(results: list[str]) -> str:
	if BREACHED in results:
		return BREACHED
	if MET in results:
		return MET
	return NO_DATA


def compliance_rows(records: Iterable[dict], months: list[str], targets: Iterable[dict] = ()) -> list[dict]:
	"""One row per agreement code × target: the result and measured value in each month of ``months``,
	the quarter's result (Breached when any month breached, else Met when any month met, else No Data)
	and the months met / breached / without data.

	Records are the submitted monitoring records of the quarter. An agreement amended during a month has
	one record per version in that month: the month is Breached if any of them breached, and the value
	shown is the one of the latest version. Target texts come from the latest version's record.
	``targets`` (rows of the agreement versions in force, with agreement_code and version) add a row for
	a target that has no record yet, its months without data; a record's own values win over them.
	"""
	groups: dict[tuple[str, str], dict[str, list[dict]]] = {}
	declared: dict[tuple[str, str], dict] = {}
	for t in targets:
		key = (str(t["agreement_code"]), str(t["target_code"]))
		if key not in declared or int(t.get("version") or 0) > int(declared[key].get("version") or 0):
			declared[key] = t
		groups.setdefault(key, {})
	for r in records:
		if r.get("period") not in months:
			continue
		groups.setdefault((str(r["agreement_code"]), str(r["target_code"])), {}).setdefault(r["period"], []).append(r)
	rows = []
	for (code, target_code), by_month in sorted(groups.items(), key=lambda kv: (kv[0][0], _code_no(kv[0][1]))):
		seen = [r for rs in by_month.values() for r in rs]
		latest = max(seen, key=lambda r: (r["period"], int(r.get("version") or 0))) if seen else declared[(code, target_code)]
		row = {
			"agreement_code": code,
			"agreement": latest.get("agreement"),
			"target_code": target_code,
			"service": latest.get("service"),
			"metric_kind": latest.get("metric_kind"),
			"metric_name": latest.get("metric_name"),
			"priority": latest.get("priority"),
			"target_text": target_text(latest),
		}
		results = []
		for i, month in enumerate(months, start=1):
			rs = by_month.get(month, [])
			result = _month_result([r.get("result") for r in rs]) if rs else None
			shown = max(rs, key=lambda r: int(r.get("version") or 0)) if rs else None
			row[f"result_{i}"] = result or ""
			row[f"value_{i}"] = measured_text(shown) if shown else ""
			if result:
				results.append(result)
		row["months_met"] = results.count(MET)
		row["months_breached"] = results.count(BREACHED)
		row["months_no_data"] = results.count(NO_DATA) + (len(months) - len(results))
		row["quarter_result"] = _month_result(results)
		rows.append(row)
	return rows


def _code_no(code: str) -> tuple[int, str]:
	digits = "".join(ch for ch in str(code) if ch.isdigit())
	return (int(digits) if digits else 0, str(code))


def summary(compliance: list[dict], breaches: list[dict], reviews: list[dict], plans: list[dict]) -> dict:
	"""The headline figures of a report.

	compliance_pct = target-months met / target-months met or breached × 100 (None with no data);
	breaches handled = Resolved or Closed; reviews held = Held or Closed; open plans = not Closed."""
	met = sum(r["months_met"] for r in compliance)
	breached = sum(r["months_breached"] for r in compliance)
	return {
		"agreement_count": len({r["agreement_code"] for r in compliance}),
		"target_count": len(compliance),
		"targets_met": sum(r["quarter_result"] == MET for r in compliance),
		"months_met": met,
		"months_breached": breached,
		"months_no_data": sum(r["months_no_data"] for r in compliance),
		"compliance_pct": round(100.0 * met / (met + breached), 2) if met + breached else None,
		"breach_count": len(breaches),
		"breaches_handled": sum(b.get("status") in HANDLED_STATES for b in breaches),
		"review_count": sum(r.get("status") in ("Held", "Closed") for r in reviews),
		"plan_count": len(plans),
		"open_plan_count": sum(p.get("status") != PLAN_CLOSED for p in plans),
	}


def check_recipients(recipients: list[str]) -> list[Problem]:
	if not recipients:
		return [
			Problem(
				_("The customer has no contact with an email address to send the report to: add an email to the party or a member with a user"),
				(),
				"party",
			)
		]
	return []
