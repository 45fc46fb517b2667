"""The two KPIs the SLM process is judged by (PROCESS.md, 关键绩效指标), per month and per year.

1. SLAs monitored on time: an SLA (agreement code) in force in month M is monitored on time when it has
   monitoring records for M and every target's record was first submitted no later than the end of the
   due day of the following month (``due_day`` from the settings, 1–28). With ``target_code`` in the
   SLAs in force, a target without any record also makes the SLA late. Count, and count / all SLAs in
   force in M × 100.
2. SLA breaches: the breached SLA items of M (submitted records of SLA agreements whose result is
   Breached), and their count / all submitted SLA records of M × 100. OLA and UC records never count.

Per year: SLA-months monitored on time / SLA-months in force, and breached items / all items of the
year, which is the sum of the months, never the mean of monthly percentages.

A percentage with nothing to divide by is ``None`` (no SLAs, no items), never 0 or 100. Percentages are
full floats; rounding is for presentation.

Times: ``monitored_on`` is compared as a naive local datetime (Frappe stores the system time zone's wall
time), so the due day ends at 24:00 local time; an aware ``monitored_on`` is read at its own wall time.
"First submitted" is the earliest ``monitored_on`` among the target's submitted (docstatus 1) and
cancelled (docstatus 2, submitted then amended) records: recomputing a closed month after the due day
amends its records, and that does not make a month that was monitored on time late. A target with only a
draft (docstatus 0) record is not monitored. Breaches count the current records only (docstatus 1).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from slm_app.core.compliance import BREACHED, MET
from slm_app.core.errors import Problem, _, raise_if

SLA = "SLA"
DUE_DAY_FIELD = "monitoring_due_day"
KPI_COLUMNS = [
	"year",
	"month",
	"slas",
	"slas_on_time",
	"on_time_pct",
	"sla_items",
	"breached_items",
	"breached_pct",
]
YEAR_COLUMNS = [c for c in KPI_COLUMNS if c != "month"]
RECORD_COLUMNS = [
	"agreement",
	"agreement_code",
	"agreement_type",
	"target_code",
	"year",
	"month",
	"result",
	"docstatus",
	"monitored_on",
]

_TARGET = ["agreement_code", "agreement", "target_code", "year", "month"]
_SLA_MONTH = ["agreement_code", "year", "month"]
_TEXT = ("agreement", "agreement_code", "target_code")


def validate_due_day(day) -> list[Problem]:
	"""The due day is a whole day of the month from 1 to 28, so every month has it."""
	if day is None or (isinstance(day, str) and not day.strip()):
		return [Problem(_("Monitoring Due Day is required"), (), DUE_DAY_FIELD)]
	try:
		ok = not isinstance(day, bool) and float(day) == int(float(day)) and 1 <= int(float(day)) <= 28
	except (TypeError, ValueError, OverflowError):
		ok = False
	if not ok:
		return [
			Problem(
				_("Monitoring Due Day must be a whole number from 1 to 28, not {0}"), (day,), DUE_DAY_FIELD
			)
		]
	return []


def percent(part, whole) -> float | None:
	"""part / whole × 100, or None when whole is 0."""
	return float(part) * 100.0 / float(whole) if whole else None


def due_by(year, month, due_day: int):
	"""The first instant after the due day of the month following (year, month): 24:00 of that day.

	Works on scalars (gives a Timestamp) and on arrays (gives a DatetimeIndex).
	"""
	year, month = np.asarray(year, dtype=np.int64), np.asarray(month, dtype=np.int64)
	following = (year - 1970) * 12 + month  # months since 1970-01 of the following month
	out = following.astype("datetime64[M]").astype("datetime64[D]") + np.timedelta64(int(due_day), "D")
	return pd.Timestamp(out) if out.ndim == 0 else pd.DatetimeIndex(out)


def last_judged_month(today, due_day: int) -> tuple[int, int]:
	"""The latest month whose monitoring due day is over on ``today``: the previous month once the due
	day has passed, else the month before it. Later months are pending, neither on time nor late."""
	year, month = today.year, today.month
	back = 1 if today.day > int(due_day) else 2
	index = year * 12 + (month - 1) - back
	return index // 12, index % 12 + 1


def _records(records: pd.DataFrame) -> pd.DataFrame:
	missing = [c for c in RECORD_COLUMNS if c not in records.columns]
	if missing:
		raise ValueError(f"monitoring records need the columns {missing}")
	r = records.loc[(records["agreement_type"] == SLA).to_numpy(), RECORD_COLUMNS]
	out = {c: r[c].astype(object).where(r[c].notna(), "").astype(str).to_numpy() for c in _TEXT}
	for c in ("year", "month", "docstatus"):
		out[c] = pd.to_numeric(r[c], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
	on = pd.to_datetime(r["monitored_on"], errors="coerce")
	if getattr(on.dt, "tz", None) is not None:
		on = on.dt.tz_localize(None)
	out["monitored_on"] = on.to_numpy()
	out["result"] = r["result"].to_numpy()
	return pd.DataFrame(out)


def _in_force(slas_in_force) -> tuple[set, set]:
	"""The SLA-months (agreement_code, year, month) in force, and their expected targets (…, target_code)."""
	f = pd.DataFrame(slas_in_force)
	if f.empty:
		return set(), set()
	f = f.dropna(subset=_SLA_MONTH)
	slas = set(
		zip(f["agreement_code"].astype(str), f["year"].astype(int), f["month"].astype(int), strict=True)
	)
	expected = set()
	if "target_code" in f.columns:
		f = f[f["target_code"].notna() & (f["target_code"].astype(str) != "")]
		expected = set(
			zip(
				f["agreement_code"].astype(str),
				f["year"].astype(int),
				f["month"].astype(int),
				f["target_code"].astype(str),
				strict=True,
			)
		)
	return slas, expected


def _on_time_slas(r: pd.DataFrame, slas: set, expected: set, due_day: int) -> set:
	"""The SLA-months of ``slas`` (agreement_code, year, month) that were monitored on time."""
	if not slas or r.empty:
		return set()
	sent = r["monitored_on"].where(r["docstatus"].isin([1, 2]))
	first = sent.groupby([r[c] for c in _TARGET], sort=False).min()
	levels = first.index
	in_time = first.notna().to_numpy() & (
		first.to_numpy()
		< due_by(levels.get_level_values("year"), levels.get_level_values("month"), due_day).to_numpy()
	)
	late, seen, have = set(), set(), set()
	for (code, _agreement, target, year, month), ok in zip(levels, in_time, strict=True):
		key = (code, int(year), int(month))
		seen.add(key)
		if ok:
			have.add((*key, target))
		else:
			late.add(key)
	late |= {(c, y, m) for c, y, m, t in expected if (c, y, m, t) not in have}
	return (slas & seen) - late


def monthly_kpis(
	records: pd.DataFrame,
	slas_in_force: pd.DataFrame,
	due_day: int,
	months: Iterable[tuple[int, int]] | None = None,
) -> pd.DataFrame:
	"""One row per (year, month): KPI_COLUMNS.

	``records``: monitoring records (RECORD_COLUMNS, more are ignored). ``slas_in_force``: one row per SLA
	agreement code in force per month (agreement_code, year, month), optionally one per expected target
	(target_code). The rows are ``months`` when given (in that order; records of other months are
	ignored), else every month that has an SLA in force or an SLA record, in order.
	Raises RuleError when ``due_day`` is not a day from 1 to 28.
	"""
	raise_if(validate_due_day(due_day))
	due_day = int(float(due_day))
	r = _records(records)
	slas, expected = _in_force(slas_in_force)
	on_time = _on_time_slas(r, slas, expected, due_day)
	current = (r["docstatus"] == 1).to_numpy()
	item_months = list(
		zip(r["year"].to_numpy()[current].tolist(), r["month"].to_numpy()[current].tolist(), strict=True)
	)
	breached = (r["result"].to_numpy()[current] == BREACHED).tolist()

	counts: dict[tuple[int, int], list[int]] = {}
	if months is not None:
		for y, m in months:
			counts[(int(y), int(m))] = [0, 0, 0, 0]
	grow = months is None

	def add(month: tuple[int, int], column: int) -> None:
		if month in counts:
			counts[month][column] += 1
		elif grow:
			counts[month] = [0, 0, 0, 0]
			counts[month][column] += 1

	for _code, y, m in slas:
		add((y, m), 0)
	for _code, y, m in on_time:
		add((y, m), 1)
	for month, hit in zip(item_months, breached, strict=True):
		add(month, 2)
		if hit:
			add(month, 3)
	keys = sorted(counts) if grow else list(counts)
	frame = pd.DataFrame(
		[(y, m, *counts[(y, m)]) for y, m in keys],
		columns=["year", "month", "slas", "slas_on_time", "sla_items", "breached_items"],
		dtype=np.int64,
	)
	return _with_percentages(frame)[KPI_COLUMNS]


def _with_percentages(frame: pd.DataFrame) -> pd.DataFrame:
	frame = frame.copy()
	frame["on_time_pct"] = pd.Series(
		[percent(a, b) for a, b in zip(frame["slas_on_time"], frame["slas"], strict=True)],
		index=frame.index,
		dtype=object,
	)
	frame["breached_pct"] = pd.Series(
		[percent(a, b) for a, b in zip(frame["breached_items"], frame["sla_items"], strict=True)],
		index=frame.index,
		dtype=object,
	)
	return frame


def yearly_from_monthly(monthly: pd.DataFrame) -> pd.DataFrame:
	"""One row per year (YEAR_COLUMNS) from :func:`monthly_kpis` rows: counts summed, percentages of the sums."""
	counts = ["slas", "slas_on_time", "sla_items", "breached_items"]
	if monthly.empty:
		return pd.DataFrame(columns=YEAR_COLUMNS)
	years = monthly.groupby("year", sort=True)[counts].sum().reset_index()
	for c in ["year", *counts]:
		years[c] = years[c].astype(np.int64)
	return _with_percentages(years)[YEAR_COLUMNS]


def yearly_kpis(
	records: pd.DataFrame,
	slas_in_force: pd.DataFrame,
	due_day: int,
	years: Iterable[int] | None = None,
) -> pd.DataFrame:
	"""One row per year (YEAR_COLUMNS): the KPIs over the year's months, from the sums of its months.

	With ``years`` the rows are those years (all twelve months of each); else every year with data.
	The twelve monthly rows are ``monthly_kpis(..., months=year_months(year))``.
	"""
	months = None if years is None else [m for y in years for m in year_months(y)]
	return yearly_from_monthly(monthly_kpis(records, slas_in_force, due_day, months))


def year_months(year: int) -> list[tuple[int, int]]:
	return [(int(year), m) for m in range(1, 13)]


COMPLIANCE_COLUMNS = ["group", "met", "breached", "compliance_pct"]


def compliance_by(records: Iterable[dict], key: str = "service") -> pd.DataFrame:
	"""Target-months met per ``key`` (e.g. service): met / (met + breached) × 100 over the given records
	(COMPLIANCE_COLUMNS, worst first, then by name). No Data records and records without ``key`` are left
	out; a group whose records are all No Data does not appear. Only submitted records count when a
	docstatus is given."""
	counts: dict[str, list[int]] = {}
	for r in records:
		if "docstatus" in r and int(r["docstatus"] or 0) != 1:
			continue
		group = r.get(key)
		if not group or r.get("result") not in (MET, BREACHED):
			continue
		counts.setdefault(str(group), [0, 0])[0 if r["result"] == MET else 1] += 1
	rows = [(g, m, b, percent(m, m + b)) for g, (m, b) in counts.items()]
	rows.sort(key=lambda r: (r[3], r[0]))
	return pd.DataFrame(rows, columns=COMPLIANCE_COLUMNS)
