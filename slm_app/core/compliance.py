"""Monthly compliance of agreement targets (SL4.1), vectorised over DataFrames.

One result per agreement version × target × month: the part of the month the version was in force,
in the agreement's own time zone. Every result is Met, Breached or No Data; no data is never 100 %
and never Met.

- Response / resolution targets: the tickets created in the period. Elapsed time is business time on the
  agreement's service calendar, minus the business time the ticket's pauses cover (a pause over a weekend
  removes nothing when the weekend is outside service hours). A ticket with no response / resolution yet
  counts as missed once its elapsed time at ``as_of`` is past the target, and is left out (pending)
  before that. The measured value is the share of counted tickets that met the target, compared with the
  target's compliance share.
- Availability: over the service hours in the period that monitoring covered (coverage rows), excluding
  planned maintenance: (covered − planned − unplanned down) / (covered − planned). Without coverage there is
  no data, outages or not.
- Named metrics: the mean of the values recorded for the target in the period, compared by direction.

Instants are int64 UTC nanoseconds (NaT is :data:`NAT`); see :mod:`slm_app.core.business_time`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from slm_app.core import targets as tgt
from slm_app.core.business_time import NS_PER_SECOND, index_for
from slm_app.core.calendar import ServiceCalendar, local_instant
from slm_app.core.errors import _

NAT = np.iinfo(np.int64).min
MET, BREACHED, NO_DATA = "Met", "Breached", "No Data"

# what a target row carries of its agreement version
AGREEMENT_COLUMNS = ["agreement", "agreement_code", "version", "agreement_type", "party", "calendar", "valid_from", "valid_to"]
TARGET_COLUMNS = [
	*AGREEMENT_COLUMNS,
	"target_code",
	"service",
	"metric_kind",
	"metric_name",
	"unit",
	"direction",
	"priority",
	"target_value",
	"time_unit",
	"compliance_share",
]
RESULT_COLUMNS = [
	"agreement",
	"agreement_code",
	"version",
	"agreement_type",
	"party",
	"target_code",
	"service",
	"metric_kind",
	"metric_name",
	"priority",
	"year",
	"month",
	"period_start",
	"period_end",
	"target_value",
	"unit",
	"compliance_share",
	"measured_value",
	"sample_count",
	"met_count",
	"result",
	"method",
	"occurred_ns",
]


@dataclass(frozen=True)
class Measurements:
	"""What was measured. Empty frames are fine.

	tickets:  ticket_id, agreement_code, priority, created_ns, response_ns, resolved_ns (NAT when not yet)
	pauses:   ticket_id, start_ns, end_ns
	outages:  service, start_ns, end_ns, planned (bool)
	coverage: service, start_ns, end_ns — when availability monitoring was on
	metrics:  agreement_code, target_code, at_ns, value
	"""

	tickets: pd.DataFrame
	pauses: pd.DataFrame
	outages: pd.DataFrame
	coverage: pd.DataFrame
	metrics: pd.DataFrame

	@classmethod
	def empty(cls) -> Measurements:
		return cls(
			pd.DataFrame(columns=["ticket_id", "agreement_code", "priority", "created_ns", "response_ns", "resolved_ns"]),
			pd.DataFrame(columns=["ticket_id", "start_ns", "end_ns"]),
			pd.DataFrame(columns=["service", "start_ns", "end_ns", "planned"]),
			pd.DataFrame(columns=["service", "start_ns", "end_ns"]),
			pd.DataFrame(columns=["agreement_code", "target_code", "at_ns", "value"]),
		)


def _ns(dt: datetime) -> int:
	return int(pd.Timestamp(dt).value)


def _as_date(value) -> date | None:
	if value is None or value == "" or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
		return None
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	return pd.Timestamp(value).date()


def periods(targets: pd.DataFrame, calendars: dict[str, ServiceCalendar], year: int, month: int) -> pd.DataFrame:
	"""The part of the month each target's agreement version was in force, as instants in its time zone.

	Adds period_start_ns / period_end_ns (and local dates period_start / period_end, inclusive), month_end_ns
	(local midnight after the month) and drops targets whose version was not in force at all in the month.
	Vectorised: local midnights are computed once per calendar and day (at most 32 a month).
	"""
	cols = {"period_start_ns": [], "period_end_ns": [], "period_start": [], "period_end": [], "month_end_ns": []}
	if targets.empty:
		return targets.assign(**cols)
	first = np.datetime64(date(year, month, 1), "D")
	after = np.datetime64(date(year + (month == 12), month % 12 + 1, 1), "D")
	vf = pd.to_datetime(targets["valid_from"], errors="coerce").to_numpy("datetime64[D]")
	vt = pd.to_datetime(targets["valid_to"], errors="coerce").to_numpy("datetime64[D]")
	start = np.where(np.isnat(vf), first, np.maximum(vf, first))
	end = np.where(np.isnat(vt), after, np.minimum(vt + np.timedelta64(1, "D"), after))
	keep = end > start
	out = targets[keep].copy()
	start, end = start[keep], end[keep]
	if out.empty:
		return out.assign(**cols)
	s_ns = np.empty(len(out), dtype=np.int64)
	e_ns = np.empty(len(out), dtype=np.int64)
	m_ns = np.empty(len(out), dtype=np.int64)
	cal_names = out["calendar"].to_numpy()
	for name in pd.unique(cal_names):
		rows = np.flatnonzero(cal_names == name)
		zone = calendars[name].tz
		memo: dict = {}

		def midnight(day, zone=zone, memo=memo):
			if day not in memo:
				memo[day] = _ns(local_instant(pd.Timestamp(day).date(), 0, zone))
			return memo[day]

		s_ns[rows] = [midnight(d) for d in start[rows]]
		e_ns[rows] = [midnight(d) for d in end[rows]]
		m_ns[rows] = midnight(after)
	out["period_start_ns"], out["period_end_ns"], out["month_end_ns"] = s_ns, e_ns, m_ns
	out["period_start"] = [pd.Timestamp(d).date() for d in start]
	out["period_end"] = [pd.Timestamp(d).date() - timedelta(days=1) for d in end]
	return out


def _result(measured: np.ndarray, sample: np.ndarray, required: np.ndarray, higher_is_better: np.ndarray) -> np.ndarray:
	ok = np.where(higher_is_better, measured >= required - 1e-9, measured <= required + 1e-9)
	return np.where(sample == 0, NO_DATA, np.where(ok, MET, BREACHED))


PAIR_COLUMNS = ["row", "agreement_code", "priority", "calendar", "metric_kind", "time_unit", "target_value", "period_start_ns", "period_end_ns", "as_of_ns"]


def _pairs(t: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
	"""Each ticket with each time target it counts for: same agreement, created in the target's period,
	and the target's priority (or any priority when the target names none). Only the columns needed."""
	tt = t.reset_index().rename(columns={"index": "row"})[PAIR_COLUMNS]
	lo, hi = tt["period_start_ns"].min(), tt["period_end_ns"].max()
	tk = tickets[(tickets["created_ns"] >= lo) & (tickets["created_ns"] < hi) & tickets["agreement_code"].isin(tt["agreement_code"].unique())]
	if tk.empty:
		return pd.DataFrame(columns=PAIR_COLUMNS + ["ticket_id", "created_ns", "response_ns", "resolved_ns"])
	tk = tk[["ticket_id", "agreement_code", "priority", "created_ns", "response_ns", "resolved_ns"]]
	anyp = tt["priority"].fillna("") == ""
	parts = []
	if (~anyp).any():
		parts.append(tt[~anyp].merge(tk, on=["agreement_code", "priority"]))
	if anyp.any():
		parts.append(tt[anyp].merge(tk.drop(columns=["priority"]), on="agreement_code"))
	pairs = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else pd.DataFrame(columns=parts[0].columns)
	created = pairs["created_ns"].to_numpy(np.int64)
	inside = (created >= pairs["period_start_ns"].to_numpy(np.int64)) & (created < pairs["period_end_ns"].to_numpy(np.int64))
	return pairs[inside].reset_index(drop=True)


def _ticket_results(t: pd.DataFrame, calendars, m: Measurements) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""Response / resolution targets; also the tickets that missed, with their exact deadlines."""
	counts = pd.DataFrame(index=t.index, data={"sample_count": 0, "met_count": 0, "occurred_ns": NAT})
	if t.empty or m.tickets.empty:
		return counts, pd.DataFrame()
	pairs = _pairs(t, m.tickets)
	if pairs.empty:
		return counts, pd.DataFrame()
	created = pairs["created_ns"].to_numpy(np.int64)
	response = pairs["metric_kind"].to_numpy() == "Response Time"
	end = np.where(response, pairs["response_ns"].to_numpy(np.int64), pairs["resolved_ns"].to_numpy(np.int64))
	done = end != NAT
	stop = np.where(done, end, np.maximum(pairs["as_of_ns"].to_numpy(np.int64), created))
	target_s = np.where(pairs["time_unit"].to_numpy() == "Hours", 3600.0, 60.0) * pairs["target_value"].astype(float).to_numpy()
	elapsed = np.zeros(len(pairs))
	deadline = np.full(len(pairs), NAT, dtype=np.int64)
	if not m.pauses.empty:
		pm = m.pauses.merge(pairs[["ticket_id"]].reset_index(), on="ticket_id")
		p_pair, p_lo, p_hi = pm["index"].to_numpy(np.int64), pm["start_ns"].to_numpy(np.int64), pm["end_ns"].to_numpy(np.int64)
	else:
		p_pair = p_lo = p_hi = np.array([], dtype=np.int64)
	cals = pairs["calendar"].to_numpy()
	for cal_name in pd.unique(cals):
		rows = np.flatnonzero(cals == cal_name)
		lo = datetime.fromtimestamp(created[rows].min() / NS_PER_SECOND).astimezone()
		hi = datetime.fromtimestamp(max(stop[rows].max(), created[rows].max()) / NS_PER_SECOND).astimezone()
		index = index_for(calendars[cal_name], lo - timedelta(days=1), hi + timedelta(days=1))
		local = np.full(len(pairs), -1)
		local[rows] = np.arange(len(rows))
		mine = local[p_pair] >= 0 if len(p_pair) else np.array([], dtype=bool)
		owner, ps, pe = local[p_pair[mine]], p_lo[mine], p_hi[mine]
		elapsed[rows] = index.elapsed_excluding(created[rows], stop[rows], owner, ps, pe)
		# exact deadlines, for the tickets that missed only (the first miss of the month is one of them)
		late = elapsed[rows] > target_s[rows] + 1e-9
		if late.any():
			lr = rows[late]
			remap = np.full(len(rows), -1)
			remap[np.flatnonzero(late)] = np.arange(len(lr))
			keep = remap[owner] >= 0 if len(owner) else np.array([], dtype=bool)
			deadline[lr] = index.deadline_excluding_ns(
				created[lr], np.round(target_s[lr] * NS_PER_SECOND).astype(np.int64), remap[owner[keep]], ps[keep], pe[keep], stop[lr]
			)
	missed = elapsed > target_s + 1e-9
	counted = done | missed
	met = done & ~missed
	row = pairs["row"].to_numpy()
	uniq, inv = np.unique(row, return_inverse=True)
	counts.loc[uniq, "sample_count"] = np.bincount(inv, weights=counted).astype(int)
	counts.loc[uniq, "met_count"] = np.bincount(inv, weights=met).astype(int)
	miss = counted & ~met
	if miss.any():
		first = pd.Series(deadline[miss]).groupby(row[miss]).min()
		counts.loc[first.index, "occurred_ns"] = first.to_numpy()
	missed_tickets = pd.DataFrame(
		{"row": row[miss], "ticket_id": pairs["ticket_id"].to_numpy()[miss], "elapsed_s": elapsed[miss], "deadline_ns": deadline[miss], "target_s": target_s[miss]}
	)
	return counts, missed_tickets


def _union_elapsed(index, a, b, owner, lo, hi) -> np.ndarray:
	"""Business seconds of [a_i, b_i) that the union of row i's intervals covers."""
	return index.elapsed(a, b) - index.elapsed_excluding(a, b, owner, lo, hi)


def _budget_exhausted(index, a, b, allowed_s, every, planned, k) -> int:
	"""The instant unplanned downtime in [a, b) first exceeded the allowed downtime (the first miss)."""
	owners, lo, hi = every
	pl_owner, pl_lo, pl_hi = planned
	mine = owners == k
	starts, ends = np.maximum(lo[mine], a), np.minimum(hi[mine], b)
	plo, phi = pl_lo[pl_owner == k], pl_hi[pl_owner == k]
	spent = 0.0
	for s_, e_ in sorted(zip(starts.tolist(), ends.tolist(), strict=True)):
		if e_ <= s_:
			continue
		z = np.zeros(len(plo), dtype=np.int64)
		down = float(index.elapsed_excluding(np.array([s_]), np.array([e_]), z, plo, phi)[0])
		if spent + down > allowed_s + 1e-9:
			return int(index.deadline(np.array([s_]), np.array([allowed_s - spent + 1]))[0])
		spent += down
	return NAT


def _availability_results(t: pd.DataFrame, calendars, m: Measurements) -> pd.DataFrame:
	out = pd.DataFrame(index=t.index, data={"measured_value": np.nan, "sample_count": 0, "met_count": 0, "occurred_ns": NAT, "covered_s": 0.0})
	if t.empty:
		return out
	rows_df = t.reset_index().rename(columns={"index": "row"})

	def owned(frame):
		if frame.empty:
			return np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([], dtype=np.int64)
		j = rows_df[["row", "service"]].reset_index().merge(frame, on="service")
		return j["index"].to_numpy(np.int64), j["start_ns"].to_numpy(np.int64), j["end_ns"].to_numpy(np.int64)

	cov = owned(m.coverage)
	outages = m.outages if not m.outages.empty else pd.DataFrame(columns=["service", "start_ns", "end_ns", "planned"])
	planned = owned(outages[outages["planned"].astype(bool)] if len(outages) else outages)
	every = owned(outages)
	for cal_name, rows in rows_df.groupby("calendar", sort=False).indices.items():
		a = rows_df["period_start_ns"].to_numpy(np.int64)[rows]
		b = rows_df["period_end_ns"].to_numpy(np.int64)[rows]
		lo = datetime.fromtimestamp(a.min() / NS_PER_SECOND).astimezone() - timedelta(days=1)
		hi = datetime.fromtimestamp(b.max() / NS_PER_SECOND).astimezone() + timedelta(days=1)
		index = index_for(calendars[cal_name], lo, hi)
		local = np.full(len(rows_df), -1)
		local[rows] = np.arange(len(rows))

		def part(sel):
			keep = np.isin(sel[0], rows)
			return local[sel[0][keep]], sel[1][keep], sel[2][keep]

		def union(*sels):
			o = np.concatenate([s[0] for s in sels]) if sels else np.array([], dtype=np.int64)
			return _union_elapsed(index, a, b, o, np.concatenate([s[1] for s in sels]), np.concatenate([s[2] for s in sels]))

		c, p, e = part(cov), part(planned), part(every)
		b_cov, b_p, b_all = union(c), union(p), union(e)
		b_cov_p, b_cov_all = union(c, p), union(c, e)
		cov_planned = b_cov + b_p - b_cov_p
		cov_down = b_cov + b_all - b_cov_all
		base = b_cov - cov_planned
		down = cov_down - cov_planned
		with np.errstate(invalid="ignore", divide="ignore"):
			value = np.where(base > 0, (base - down) / base * 100.0, np.nan)
		target_rows = rows_df["row"].to_numpy()[rows]
		required = rows_df["target_value"].astype(float).to_numpy()[rows]
		for k in np.flatnonzero((base > 0) & (value < required - 1e-9)):
			out.loc[target_rows[k], "occurred_ns"] = _budget_exhausted(
				index, a[k], b[k], base[k] * (1 - required[k] / 100.0), e, p, k
			)
		out.loc[target_rows, "measured_value"] = value
		out.loc[target_rows, "sample_count"] = (base > 0).astype(int)
		out.loc[target_rows, "met_count"] = ((base > 0) & (value >= required - 1e-9)).astype(int)
		out.loc[target_rows, "covered_s"] = base
	return out


def _metric_results(t: pd.DataFrame, m: Measurements) -> pd.DataFrame:
	out = pd.DataFrame(index=t.index, data={"measured_value": np.nan, "sample_count": 0, "met_count": 0, "occurred_ns": NAT})
	if t.empty or m.metrics.empty:
		return out
	j = t.reset_index().rename(columns={"index": "row"}).merge(m.metrics, on=["agreement_code", "target_code"])
	j = j[(j["at_ns"] >= j["period_start_ns"]) & (j["at_ns"] < j["period_end_ns"])]
	if j.empty:
		return out
	higher = j["direction"].fillna("Higher is better").to_numpy() != "Lower is better"
	required = pd.to_numeric(j["target_value"], errors="coerce").to_numpy(float)
	value = j["value"].astype(float).to_numpy()
	j = j.assign(ok=np.where(higher, value >= required - 1e-9, value <= required + 1e-9))
	# the first value that missed is when the miss occurred
	j = j.assign(miss_at=np.where(j["ok"], np.iinfo(np.int64).max, j["at_ns"]))
	agg = j.groupby("row").agg(
		measured_value=("value", "mean"), sample_count=("value", "size"), met_count=("ok", "sum"), occurred_ns=("miss_at", "min")
	)
	agg.loc[agg.occurred_ns == np.iinfo(np.int64).max, "occurred_ns"] = NAT
	out.loc[agg.index, ["measured_value", "sample_count", "met_count", "occurred_ns"]] = agg.to_numpy()
	return out


def evaluate(
	targets: pd.DataFrame,
	calendars: dict[str, ServiceCalendar],
	measurements: Measurements,
	year: int,
	month: int,
	as_of: datetime | None = None,
	now: datetime | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""Results for one month (RESULT_COLUMNS), and the tickets that missed (row-aligned by agreement and target).

	Open tickets are judged at ``as_of`` when given, else at the end of the month in each agreement's own
	time zone (never later than ``now``, while the month is still running), so an agreement's result does
	not depend on which other agreements are computed with it.
	"""
	t = periods(targets.reset_index(drop=True), calendars, year, month)
	if t.empty:
		return pd.DataFrame(columns=RESULT_COLUMNS), pd.DataFrame(columns=["agreement", "target_code", "ticket_id", "elapsed_minutes", "target_minutes", "deadline_ns"])
	t = t.copy()
	t["compliance_share"] = pd.to_numeric(t["compliance_share"], errors="coerce").fillna(100.0)
	t["target_value"] = pd.to_numeric(t["target_value"], errors="coerce")
	kinds = t["metric_kind"]
	av_rows = t[kinds == "Availability"]
	mt_rows = t[kinds == "Custom Metric"]
	if as_of is not None:
		t["as_of_ns"] = _ns(as_of)
	else:
		t["as_of_ns"] = np.minimum(t["month_end_ns"].to_numpy(np.int64), _ns(now) if now is not None else np.iinfo(np.int64).max)
	time_rows = t[kinds.isin(tgt.TIME_KINDS)]

	res = pd.DataFrame(index=t.index, columns=["measured_value", "sample_count", "met_count", "occurred_ns", "method"])
	tk, missed = _ticket_results(time_rows, calendars, measurements)
	if len(time_rows):
		share = np.where(tk["sample_count"] > 0, tk["met_count"] / tk["sample_count"].where(tk["sample_count"] > 0, 1) * 100, np.nan)
		res.loc[time_rows.index, ["sample_count", "met_count", "occurred_ns"]] = tk[["sample_count", "met_count", "occurred_ns"]].to_numpy()
		res.loc[time_rows.index, "measured_value"] = share
		response = (time_rows["metric_kind"] == "Response Time").to_numpy()
		res.loc[time_rows.index, "method"] = np.where(
			response,
			_(
				"Share of tickets created in the period whose business time to first response, net of pauses, met the target; tickets not yet answered count once past the target"
			),
			_(
				"Share of tickets created in the period whose business time to resolution, net of pauses, met the target; tickets not yet resolved count once past the target"
			),
		)
	av = _availability_results(av_rows, calendars, measurements)
	if len(av_rows):
		res.loc[av_rows.index, ["measured_value", "sample_count", "met_count", "occurred_ns"]] = av[["measured_value", "sample_count", "met_count", "occurred_ns"]].to_numpy()
		res.loc[av_rows.index, "method"] = _(
			"Availability over monitored service hours, excluding planned maintenance: (covered − planned − unplanned down) / (covered − planned)"
		)
	mt = _metric_results(mt_rows, measurements)
	if len(mt_rows):
		res.loc[mt_rows.index, ["measured_value", "sample_count", "met_count", "occurred_ns"]] = mt[["measured_value", "sample_count", "met_count", "occurred_ns"]].to_numpy()
		res.loc[mt_rows.index, "method"] = _("Mean of the values recorded for the target in the period")

	sample = res["sample_count"].fillna(0).astype(int).to_numpy()
	measured = pd.to_numeric(res["measured_value"], errors="coerce").to_numpy(float)
	is_time = kinds.isin(tgt.TIME_KINDS).to_numpy()
	required = np.where(is_time, t["compliance_share"].to_numpy(float), t["target_value"].to_numpy(float))
	higher = np.where(kinds.to_numpy() == "Custom Metric", t["direction"].fillna("Higher is better").to_numpy() == "Higher is better", True)
	result = _result(np.nan_to_num(measured, nan=-np.inf), sample, required, higher)

	out = t[[c for c in RESULT_COLUMNS if c in t.columns]].copy()
	out["year"], out["month"] = year, month
	out["measured_value"] = np.where(sample > 0, measured, np.nan)
	out["sample_count"] = sample
	out["met_count"] = res["met_count"].fillna(0).astype(int).to_numpy()
	out["result"] = result
	out["method"] = res["method"].to_numpy()
	occurred = res["occurred_ns"].fillna(NAT).astype(np.int64).to_numpy()
	out["occurred_ns"] = np.where(result == BREACHED, occurred, NAT)
	for col in ("metric_name", "unit", "priority"):
		out[col] = t[col].fillna("") if col in t.columns else ""
	out = out.reindex(columns=RESULT_COLUMNS).reset_index(drop=True)

	if len(missed):
		info = t.loc[missed["row"].to_numpy(), ["agreement", "target_code"]].reset_index(drop=True)
		missed = pd.concat([info, missed.reset_index(drop=True)], axis=1)
		missed["elapsed_minutes"] = missed["elapsed_s"] / 60.0
		missed["target_minutes"] = missed["target_s"] / 60.0
		missed = missed[["agreement", "target_code", "ticket_id", "elapsed_minutes", "target_minutes", "deadline_ns"]]
	else:
		missed = pd.DataFrame(columns=["agreement", "target_code", "ticket_id", "elapsed_minutes", "target_minutes", "deadline_ns"])
	return out, missed
