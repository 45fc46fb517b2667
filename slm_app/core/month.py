"""One month of monitoring (SL4.1, SL4.2), from its inputs to everything it writes.

The site's monthly job, the desk's Compute Month and Recompute Month, and the offline command all call
:func:`compute_month` with a :class:`MonthInput`; the site reads every input up front in bulk and writes
afterwards, the offline command reads them from files. Nothing here reads or writes anything.

What it does, in order:

1. The versions in force in the month (:func:`slm_app.core.agreements.in_force_frame`: the in-force
   states, each until the earlier of Valid To and Ended On) and their targets.
2. The results of every version × target (:func:`slm_app.core.compliance.evaluate`) and the tickets that
   missed. Each result is named (:func:`record_name`) and says whether the month writes it: a record
   already closed (submitted or cancelled) is kept as it is.
3. The breaches (:func:`slm_app.core.breaches.find_breaches`) of the results the month writes that are not
   recorded yet, each with the customer it affects (an SLA's own customer; for an OLA or UC the customer
   of the first SLA, by name, that it underpins), the people affected (who raised the tickets that
   missed; without them, the number of those tickets) and the OLA / UC targets under it that breached in
   the same month (:func:`slm_app.core.breaches.attribute`), whether computed now or earlier.
4. For an OLA / UC breach found now, the SLA breaches recorded earlier in the month that it underpins and
   do not list it yet (``late``): an OLA computed after its SLA still shows under the SLA's breach.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from slm_app.core import breaches as core_breaches
from slm_app.core import targets as tgt
from slm_app.core.agreements import VERSION_COLUMNS, in_force_frame
from slm_app.core.calendar import ServiceCalendar
from slm_app.core.compliance import AGREEMENT_COLUMNS, BREACHED, NAT, TARGET_COLUMNS, Measurements, evaluate
from slm_app.core.periods import next_month, period_key

TARGET_ROW_COLUMNS = ["agreement", "target_code", "service", *tgt.VALUE_FIELDS]
# breached monitoring records of the month written before this run
EARLIER_COLUMNS = ["agreement", "agreement_code", "agreement_type", "target_code", "measured_value"]
# breaches of the month recorded before this run, with the underpinning rows they list (none: empty)
RECORDED_COLUMNS = ["breach", "underpinning_agreement", "underpinning_target"]
# what the site's records and breaches hold (record_values, breach_values); their other fields are the site's own
RECORD_FIELDS = [
	"name", "agreement", "agreement_code", "version", "agreement_type", "party", "period", "period_start", "period_end",
	"target_code", "service", "metric_kind", "metric_name", "priority", "target_value", "unit", "compliance_share",
	"result", "measured_value", "sample_count", "met_count", "occurred_at", "method",
]
BREACH_FIELDS = [
	"name", "agreement", "agreement_type", "agreement_code", "version", "party", "period", "occurred_at",
	"monitoring_record", "service", "target_code", "metric_kind", "priority", "measured_value", "target_value",
	"compliance_share", "sample_count", "missed_count", "affected_customer", "affected_users_count", "affected_users",
]
BREACH_CHILD_FIELDS = {
	"actions": ["action_on", "action_by", "action", "note"],
	"tickets": ["ticket", "elapsed_minutes", "target_minutes", "deadline"],
	"underpinning": ["underpinning_agreement", "agreement_type", "target_code", "measured_value", "monitoring_record"],
}
LATE_COLUMNS = ["breach", "underpinning_agreement", "underpinning_type", "underpinning_target", "underpinning_measured", "underpinning_record"]


def _records(frame: pd.DataFrame) -> list:
	"""Rows as named tuples; DataFrame.itertuples costs more than the few rows of one agreement."""
	if frame.empty:
		return []
	row = namedtuple("Row", list(frame.columns), rename=True)
	return [row(*values) for values in zip(*(frame[c].to_numpy() for c in frame.columns), strict=True)]


def record_name(agreement: str, target_code: str, year: int, month: int) -> str:
	"""The deterministic name of a monitoring record: one per agreement version, target and month."""
	return f"MON-{agreement}-{target_code}-{period_key(year, month)}"


def _names(prefix: str, agreements, targets, year: int, month: int) -> np.ndarray:
	suffix = f"-{period_key(year, month)}"
	a = pd.Series(agreements, dtype=object).astype(str)
	t = pd.Series(targets, dtype=object).astype(str)
	return (prefix + a + "-" + t + suffix).to_numpy(dtype=object)


@dataclass
class MonthInput:
	"""Everything one month needs. Frames may be empty (with their columns); see the module docstring."""

	year: int
	month: int
	versions: pd.DataFrame  # agreements.VERSION_COLUMNS, any state: only those in force count
	targets: pd.DataFrame  # TARGET_ROW_COLUMNS, the targets of those versions
	calendars: dict[str, ServiceCalendar]
	measurements: Measurements
	links: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=core_breaches.LINK_COLUMNS))
	sla_parties: dict[str, str] = field(default_factory=dict)  # SLA version → customer, for the SLAs the links name
	earlier: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EARLIER_COLUMNS))
	recorded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RECORDED_COLUMNS))
	closed: frozenset[str] = frozenset()  # monitoring records of the month that stay as they are
	as_of: datetime | None = None
	now: datetime | None = None


@dataclass
class Month:
	"""What one month gives."""

	year: int
	month: int
	targets: pd.DataFrame  # compliance.TARGET_COLUMNS of the versions in force
	results: pd.DataFrame  # compliance.RESULT_COLUMNS + record, write
	missed: pd.DataFrame  # compliance.MISSED_COLUMNS
	breaches: pd.DataFrame  # breaches.BREACH_COLUMNS + name, record, affected_customer, affected_users_count, affected_users, underpinning_breached
	attribution: pd.DataFrame  # breaches.ATTRIBUTION_COLUMNS + underpinning_record
	late: pd.DataFrame  # LATE_COLUMNS

	@property
	def period(self) -> str:
		return period_key(self.year, self.month)


def month_targets(versions: pd.DataFrame, targets: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
	"""The targets of the versions in force in the month, as compliance.evaluate takes them."""
	first = date(year, month, 1)
	after = date(*next_month(year, month), 1)
	v = in_force_frame(versions.reindex(columns=VERSION_COLUMNS), first, after)
	if v.empty or targets.empty:
		return pd.DataFrame(columns=TARGET_COLUMNS)
	t = targets.reindex(columns=TARGET_ROW_COLUMNS).merge(v[AGREEMENT_COLUMNS], on="agreement", how="inner")
	return t.reindex(columns=TARGET_COLUMNS).reset_index(drop=True)


def compute_month(inp: MonthInput) -> Month:
	year, month = inp.year, inp.month
	targets = month_targets(inp.versions, inp.targets, year, month)
	results, missed = evaluate(targets, inp.calendars, inp.measurements, year, month, inp.as_of, inp.now)
	results["record"] = _names("MON-", results["agreement"], results["target_code"], year, month)
	results["write"] = ~results["record"].isin(inp.closed).to_numpy(dtype=bool)

	found = core_breaches.find_breaches(results[results["write"].to_numpy(dtype=bool)])
	recorded_names = set(inp.recorded["breach"]) if len(inp.recorded) else set()
	new = found[~found["name"].isin(recorded_names).to_numpy(dtype=bool)].reset_index(drop=True)
	new["record"] = _names("MON-", new["agreement"], new["target_code"], year, month)
	links = inp.links.reindex(columns=core_breaches.LINK_COLUMNS)

	# underpinning targets breached in the same month, whether computed in this run or an earlier one
	earlier = inp.earlier.reindex(columns=EARLIER_COLUMNS)
	earlier = earlier[~earlier["agreement"].isin(results["agreement"])].assign(year=year, month=month, result=BREACHED)
	known = pd.concat([results, earlier], ignore_index=True) if len(earlier) else results
	attribution = core_breaches.attribute(new, known, links)
	attribution["underpinning_record"] = _names("MON-", attribution["underpinning_agreement"], attribution["underpinning_target"], year, month)

	new["affected_customer"] = _affected_customers(new, links, inp.sla_parties)
	counts, people = _affected_users(new, missed, inp.measurements.tickets)
	new["affected_users_count"], new["affected_users"] = counts, people
	named: dict[tuple[str, str], list[str]] = {}
	for a in _records(attribution):
		named.setdefault((a.agreement, a.target_code), []).append(f"{a.underpinning_agreement}:{a.underpinning_target}")
	new["underpinning_breached"] = ["; ".join(named.get((a, t), [])) for a, t in zip(new["agreement"], new["target_code"], strict=True)]

	late = _late_attribution(new, links, inp.recorded, year, month)
	return Month(year, month, targets, results, missed, new, attribution, late)


def _affected_customers(breaches: pd.DataFrame, links: pd.DataFrame, sla_parties: dict[str, str]) -> list:
	"""An SLA's own customer; for an OLA / UC, the customer of the first SLA (by name) it underpins."""
	under: dict[str, str] = {}
	if len(links):
		for code, sla in sorted(zip(links["underpinning_code"], links["sla_agreement"], strict=True), key=lambda x: (str(x[0]), str(x[1]))):
			if sla in sla_parties:
				under.setdefault(code, sla_parties[sla])
	return [party if kind == "SLA" else under.get(code) for kind, party, code in zip(breaches["agreement_type"], breaches["party"], breaches["agreement_code"], strict=True)]


def _affected_users(breaches: pd.DataFrame, missed: pd.DataFrame, tickets: pd.DataFrame) -> tuple[list[int], list[str | None]]:
	"""Who a breach affected: the people who raised the tickets that missed, when the tickets say; else the
	number of those tickets."""
	counts: list[int] = []
	people: list[str | None] = []
	raised = {}
	if len(missed) and "raised_by" in tickets.columns:
		who = tickets[["ticket_id", "raised_by"]]
		who = who[who["raised_by"].fillna("").astype(str).str.strip().ne("")]
		raised = dict(zip(who["ticket_id"], who["raised_by"].astype(str).str.strip(), strict=True))
	by_target = missed.groupby(["agreement", "target_code"], sort=False)["ticket_id"].apply(list).to_dict() if len(missed) else {}
	for a, t in zip(breaches["agreement"], breaches["target_code"], strict=True):
		ids = by_target.get((a, t), [])
		names = sorted({raised[i] for i in ids if i in raised})
		counts.append(len(names) if names else len(ids))
		people.append(", ".join(names) if names else None)
	return counts, people


def _late_attribution(breaches: pd.DataFrame, links: pd.DataFrame, recorded: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
	under = breaches[breaches["agreement_type"] != "SLA"]
	if under.empty or links.empty or recorded.empty:
		return pd.DataFrame(columns=LATE_COLUMNS)
	j = links.merge(under, left_on=["underpinning_code", "underpinning_target"], right_on=["agreement_code", "target_code"])
	if j.empty:
		return pd.DataFrame(columns=LATE_COLUMNS)
	j["breach"] = [core_breaches.breach_key(a, t, year, month) for a, t in zip(j["sla_agreement"], j["sla_target"], strict=True)]
	names = set(recorded["breach"])
	listed = {(b, a, t) for b, a, t in _records(recorded[RECORDED_COLUMNS])}
	rows = [
		(b.breach, b.agreement, b.agreement_type, b.target_code, b.measured_value, b.record)
		for b in _records(j)
		if b.breach in names and (b.breach, b.agreement, b.target_code) not in listed
	]
	return pd.DataFrame(rows, columns=LATE_COLUMNS).drop_duplicates(["breach", "underpinning_agreement", "underpinning_target"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------
# what the records and breaches hold (the site writes them; the offline command prints them)


def _number(value) -> float | None:
	return None if value is None or pd.isna(value) else float(value)


def record_values(month: Month, instant: Callable[[int], object] = lambda ns: ns, rows: pd.DataFrame | None = None) -> list[dict]:
	"""One SLM Monitoring Record's fields per result (``rows``: some of ``month.results``). ``instant``
	turns UTC ns into what the store keeps (None for NAT). No data keeps a measured value of 0 (a record's
	number is never empty) and is told apart by its result and sample count."""
	rows = month.results if rows is None else rows
	period = month.period
	return [
		{
			"name": r.record,
			"agreement": r.agreement,
			"agreement_code": r.agreement_code,
			"version": int(r.version),
			"agreement_type": r.agreement_type,
			"party": r.party,
			"period": period,
			"period_start": r.period_start,
			"period_end": r.period_end,
			"target_code": r.target_code,
			"service": r.service,
			"metric_kind": r.metric_kind,
			"metric_name": r.metric_name or "",
			"priority": r.priority or "",
			"target_value": float(r.target_value),
			"unit": r.unit or "",
			"compliance_share": float(r.compliance_share),
			"result": r.result,
			"measured_value": _number(r.measured_value) or 0.0,
			"sample_count": int(r.sample_count),
			"met_count": int(r.met_count),
			"occurred_at": None if int(r.occurred_ns) == NAT else instant(int(r.occurred_ns)),
			"method": r.method or "",
		}
		for r in _records(rows)
	]


def breach_values(month: Month, instant: Callable[[int], object] = lambda ns: ns) -> list[dict]:
	"""One SLM Breach's fields per new breach, with its tickets and underpinning rows."""
	missed = month.missed
	by_target = {k: g for k, g in missed.groupby(["agreement", "target_code"], sort=False)} if len(missed) else {}
	under = {k: g for k, g in month.attribution.groupby(["agreement", "target_code"], sort=False)} if len(month.attribution) else {}
	out = []
	for b in _records(month.breaches):
		mine = by_target.get((b.agreement, b.target_code))
		att = under.get((b.agreement, b.target_code))
		out.append(
			{
				"name": b.name,
				"agreement": b.agreement,
				"agreement_type": b.agreement_type,
				"agreement_code": b.agreement_code,
				"version": int(b.version),
				"party": b.party,
				"period": month.period,
				"occurred_at": None if int(b.occurred_ns) == NAT else instant(int(b.occurred_ns)),
				"monitoring_record": b.record,
				"service": b.service,
				"target_code": b.target_code,
				"metric_kind": b.metric_kind,
				"priority": b.priority or "",
				"measured_value": _number(b.measured_value),
				"target_value": float(b.target_value),
				"compliance_share": float(b.compliance_share),
				"sample_count": int(b.sample_count),
				"missed_count": int(b.missed_count),
				"affected_customer": b.affected_customer,
				"affected_users_count": int(b.affected_users_count),
				"affected_users": b.affected_users,
				"tickets": []
				if mine is None
				else [
					{"ticket": m.ticket_id, "elapsed_minutes": float(m.elapsed_minutes), "target_minutes": float(m.target_minutes), "deadline": None if int(m.deadline_ns) == NAT else instant(int(m.deadline_ns))}
					for m in _records(mine)
				],
				"underpinning": []
				if att is None
				else [
					{
						"underpinning_agreement": a.underpinning_agreement,
						"agreement_type": a.underpinning_type,
						"target_code": a.underpinning_target,
						"measured_value": _number(a.underpinning_measured),
						"monitoring_record": a.underpinning_record,
					}
					for a in _records(att)
				],
			}
		)
	return out


def late_values(month: Month) -> list[dict]:
	"""The underpinning rows to add to SLA breaches recorded earlier: breach, and the row's fields."""
	return [
		{
			"breach": r.breach,
			"underpinning_agreement": r.underpinning_agreement,
			"agreement_type": r.underpinning_type,
			"target_code": r.underpinning_target,
			"measured_value": _number(r.underpinning_measured),
			"monitoring_record": r.underpinning_record,
		}
		for r in _records(month.late)
	]
