"""Month-to-date status, error budget and projection of every target (issue 12).

While a month runs, each target of each agreement version in force has a *budget*: how much of the month's
allowance it may still use and still be met at the end of the month, as a service level manager counts it.

- **Response / resolution** (a share of tickets must meet the time): with ``N`` tickets expected in the
  month, ``floor(N × (1 − share))`` of them may miss. ``N`` is the tickets so far (counted, and open
  ones not yet late) plus the usual volume of the rest of the month: the tickets per business second of
  the last closed months (their monitoring records) times the business time left on the agreement's
  calendar; without history, this month's own pace. The budget is counted in tickets: "3 more High
  resolutions may miss 8 h this month".
- **Availability**: the allowed downtime is ``(1 − target)`` of the counted base of the whole month — the
  base so far (covered service hours, planned maintenance excluded) plus the service hours left, as if
  monitoring goes on. The budget is counted in minutes of downtime: "17 of 43 minutes of downtime left".
- **Named metrics** have no budget: the mean so far against the target.

The month so far is computed by the one month pipeline (:func:`slm_app.core.month.compute_month`) on the
measurements *as they were known* at ``as_of`` (:func:`censor`): tickets created later are not there,
responses, resolutions and pause ends after ``as_of`` have not happened, outages, coverage and metric values
end at ``as_of``. So a projection made on the 10th sees exactly what the site saw on the 10th, which is what
the backtest checks.

**Projection** (with its basis): for a time target, the misses at the end of the month are the misses so
far plus, for the open tickets not yet late and the tickets still expected, a miss rate: this month's so
far, weighted with the last months' (:data:`PRIOR_TICKETS` tickets' worth) when there is history. For
availability, the downtime so far plus, for the service hours left, the last months' downtime share (this
month's so far without history). For a named metric, the mean so far.

**Status**: *Breached* when the month's allowance is used up already (more misses, or more downtime, than
the month can absorb at the expected volume); *At Risk* when the projection misses the target; *On Track*
otherwise; *No Data* without anything to measure (and nothing expected).

**Burn rate**: the share of the budget used over the share of the period's business time gone — 1.0 uses
the budget up exactly at the end of the month; above 1 it runs out early.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import pandas as pd

from slm_app.core import at_risk
from slm_app.core import targets as tgt
from slm_app.core.business_time import NS_PER_SECOND, index_for, to_ns
from slm_app.core.compliance import BREACHED, MET, NAT, NO_DATA, Measurements, evaluate, periods
from slm_app.core.errors import _
from slm_app.core.instants import OPEN_END
from slm_app.core.month import Month, MonthInput, compute_month
from slm_app.core.periods import month_bounds, parse_month, period_key

ON_TRACK, AT_RISK = "On Track", "At Risk"
STATUSES = (ON_TRACK, AT_RISK, BREACHED, NO_DATA)
# how many tickets' worth of weight the last months' miss rate has against this month's own
PRIOR_TICKETS = 20.0
# and, without history, the miss rate of all targets of its kind this month
POOLED_TICKETS = 20.0
TICKETS, MINUTES = "Tickets", "Minutes"

# the closed months a projection learns from: one row per agreement code × target code × month
HISTORY_COLUMNS = ["agreement_code", "target_code", "period", "metric_kind", "sample_count", "met_count", "measured_value", "result"]

BUDGET_COLUMNS = [
	"agreement",
	"agreement_code",
	"version",
	"agreement_type",
	"party",
	"calendar",
	"service",
	"target_code",
	"metric_kind",
	"metric_name",
	"priority",
	"target_value",
	"time_unit",
	"unit",
	"direction",
	"compliance_share",
	"period",
	"as_of_ns",
	"elapsed_pct",  # share of the period's business time gone
	"business_left_s",  # business seconds of the period left after as_of
	"measured_value",  # so far
	"result_so_far",  # the month pipeline's result at as_of
	"sample_count",
	"met_count",
	"missed_count",
	"pending_count",  # open tickets not yet late
	"expected_count",  # tickets expected in the whole month (N); availability: outages expected in the rest
	"budget_unit",  # Tickets, Minutes, or "" (named metrics)
	"budget_total",  # misses allowed / minutes of downtime allowed in the month
	"budget_used",
	"budget_left",
	"used_pct",
	"burn_rate",
	"miss_rate",  # the miss rate (%) applied to what is still to come; availability: minutes an outage brings
	"projected_value",
	"breach_chance",  # time targets: the chance, %, that the misses to come use up the budget
	"projected_result",  # Met / Breached / No Data
	"status",
	"basis",  # "history" (last closed months) or "month" (this month's pace)
	"history_months",
]


@dataclass
class MonthToDate:
	"""What a month-to-date run gives: the status of every target, the open (ticket, target) pairs and the
	month so far as the pipeline computed it."""

	status: pd.DataFrame  # BUDGET_COLUMNS
	pairs: pd.DataFrame  # at_risk.PAIR_COLUMNS
	month: Month


# ---------------------------------------------------------------------------------------------------
# what was known at as_of


def censor(m: Measurements, as_of_ns: int) -> Measurements:
	"""The measurements as they were known at ``as_of_ns``: tickets created before it, their responses,
	resolutions and pauses up to it (a pause running then is still running), outages and coverage cut at it,
	metric values recorded before it."""
	tk = m.tickets
	keep = np.flatnonzero(tk["created_ns"].to_numpy(dtype=np.int64) < as_of_ns) if len(tk) else np.zeros(0, dtype=np.int64)
	tickets = tk.iloc[keep].reset_index(drop=True).copy()
	for column in ("response_ns", "resolved_ns"):
		if len(tickets):
			at = tickets[column].to_numpy(dtype=np.int64)
			tickets[column] = np.where(at >= as_of_ns, NAT, at)
	pauses = m.pauses
	if len(pauses):
		if "ticket_row" in pauses.columns:
			where = np.full(len(tk), -1, dtype=np.int64)
			where[keep] = np.arange(len(keep))
			rows = pauses["ticket_row"].to_numpy(dtype=np.int64)
			rows = np.where((rows >= 0) & (rows < len(tk)), where[np.clip(rows, 0, max(len(tk) - 1, 0))], -1)
		else:
			rows = pd.Index(tickets["ticket_id"].to_numpy()).get_indexer(pauses["ticket_id"].to_numpy())
		start = pauses["start_ns"].to_numpy(dtype=np.int64)
		chosen = np.flatnonzero((rows >= 0) & (start < as_of_ns))
		end = pauses["end_ns"].to_numpy(dtype=np.int64)[chosen]
		pauses = pd.DataFrame(
			{
				"ticket_id": pauses["ticket_id"].to_numpy()[chosen],
				"start_ns": start[chosen],
				"end_ns": np.where((end >= as_of_ns) | (end == NAT), OPEN_END, end),
				"ticket_row": rows[chosen],
			}
		)

	def cut(frame: pd.DataFrame) -> pd.DataFrame:
		if not len(frame):
			return frame
		start = frame["start_ns"].to_numpy(dtype=np.int64)
		out = frame[start < as_of_ns].copy()
		out["end_ns"] = np.minimum(out["end_ns"].to_numpy(dtype=np.int64), as_of_ns)
		return out.reset_index(drop=True)

	metrics = m.metrics
	if len(metrics):
		metrics = metrics[metrics["at_ns"].to_numpy(dtype=np.int64) < as_of_ns].reset_index(drop=True)
	return Measurements(tickets, pauses, cut(m.outages), cut(m.coverage), metrics)


# ---------------------------------------------------------------------------------------------------
# the month so far


def _business_seconds(calendars, names, starts, ends) -> np.ndarray:
	"""Business seconds in [start, end) for each row, on each row's calendar."""
	out = np.zeros(len(names))
	starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
	for name in sorted(set(names)):
		rows = np.flatnonzero(np.asarray(names) == name)
		lo, hi = int(starts[rows].min()), int(max(ends[rows].max(), starts[rows].max()))
		index = index_for(calendars[name], pd.Timestamp(lo, tz="UTC").to_pydatetime(), pd.Timestamp(hi, tz="UTC").to_pydatetime())
		out[rows] = index.elapsed(starts[rows], np.maximum(ends[rows], starts[rows]))
	return out


def history_rates(history: pd.DataFrame | None, status: pd.DataFrame, calendars) -> pd.DataFrame:
	"""Per status row (by agreement code and target code): the last closed months' tickets, misses and
	business seconds, and their mean downtime share; ``months`` how many months there are."""
	n = len(status)
	out = pd.DataFrame(
		{
			"h_sample": np.zeros(n),
			"h_miss": np.zeros(n),
			"h_seconds": np.zeros(n),
			"h_down": np.full(n, np.nan),
			"h_months": np.zeros(n, dtype=np.int64),
			"h_outage_months": np.zeros(n),  # availability: months with downtime
			"h_outage_s": np.full(n, np.nan),  # and the mean downtime of those months, business seconds
		}
	)
	if history is None or history.empty or not n:
		return out
	h = history.reindex(columns=HISTORY_COLUMNS).copy()
	cal_of = dict(zip(status["agreement_code"], status["calendar"], strict=True))
	h = h[h["agreement_code"].isin(cal_of)].reset_index(drop=True)
	if h.empty:
		return out
	h["calendar"] = h["agreement_code"].map(cal_of)
	# the business seconds of each month on the agreement's calendar (once per calendar and month)
	keys = h[["calendar", "period"]].drop_duplicates().reset_index(drop=True)
	bounds = [month_bounds(*parse_month(p), calendars[c].tz) for c, p in zip(keys["calendar"], keys["period"], strict=True)]
	keys["h_seconds"] = _business_seconds(
		calendars, keys["calendar"].to_numpy(), [to_ns(b[0]) for b in bounds], [to_ns(b[1]) for b in bounds]
	) if len(keys) else []
	h = h.merge(keys, on=["calendar", "period"])
	sample = pd.to_numeric(h["sample_count"], errors="coerce").fillna(0)
	met = pd.to_numeric(h["met_count"], errors="coerce").fillna(0)
	measured = pd.to_numeric(h["measured_value"], errors="coerce")
	h["h_sample"], h["h_miss"] = sample, (sample - met).clip(lower=0)
	h["h_down"] = np.where((h["metric_kind"] == tgt.AVAILABILITY) & (sample > 0), (100.0 - measured) / 100.0, np.nan)
	outage = h["h_down"].to_numpy(dtype=float) > 1e-12
	h["h_outage_months"] = outage.astype(float)
	h["h_outage_s"] = np.where(outage, h["h_down"].to_numpy(dtype=float) * h["h_seconds"].to_numpy(dtype=float), np.nan)
	# an availability target's business seconds count only in the months it had data
	h["h_seconds"] = np.where((h["metric_kind"] != tgt.AVAILABILITY) | (sample > 0), h["h_seconds"], 0.0)
	g = h.groupby(["agreement_code", "target_code"]).agg(
		h_sample=("h_sample", "sum"),
		h_miss=("h_miss", "sum"),
		h_seconds=("h_seconds", "sum"),
		h_down=("h_down", "mean"),
		h_months=("period", "nunique"),
		h_outage_months=("h_outage_months", "sum"),
		h_outage_s=("h_outage_s", "mean"),
	)
	keyed = status[["agreement_code", "target_code"]].merge(g, left_on=["agreement_code", "target_code"], right_index=True, how="left")
	for column in ("h_sample", "h_miss", "h_seconds", "h_months", "h_outage_months"):
		out[column] = keyed[column].fillna(0).to_numpy()
	out["h_down"] = keyed["h_down"].to_numpy(dtype=float)
	out["h_outage_s"] = keyed["h_outage_s"].to_numpy(dtype=float)
	out["h_months"] = out["h_months"].astype(np.int64)
	return out


def month_to_date(inp: MonthInput, as_of: datetime, history: pd.DataFrame | None = None) -> MonthToDate:
	"""The status of every target of the month at ``as_of`` (an aware instant inside or after the month):
	the month pipeline on what was known then, the open tickets, the budgets and the projections."""
	as_of_ns = int(to_ns(as_of))
	known = censor(inp.measurements, as_of_ns)
	month = compute_month(replace(inp, measurements=known, as_of=as_of))
	pairs = at_risk.ticket_pairs(month.targets, inp.calendars, known, inp.year, inp.month, as_of_ns)
	status = _status(month, inp.calendars, known, pairs, as_of_ns, history)
	open_ = pairs[~pairs["done"].to_numpy(dtype=bool)].reset_index(drop=True) if len(pairs) else pairs
	return MonthToDate(status, open_, month)


def _status(month: Month, calendars, known: Measurements, pairs: pd.DataFrame, as_of_ns: int, history) -> pd.DataFrame:
	r = month.results
	if r.empty:
		return pd.DataFrame(columns=BUDGET_COLUMNS)
	# the results are the in-force targets in order (evaluate: periods of month.targets)
	frame = periods(month.targets.reset_index(drop=True), calendars, month.year, month.month).reset_index(drop=True)
	assert list(frame["agreement"]) == list(r["agreement"]) and list(frame["target_code"]) == list(r["target_code"])
	n = len(r)
	start = frame["period_start_ns"].to_numpy(dtype=np.int64)
	end = frame["period_end_ns"].to_numpy(dtype=np.int64)
	names = frame["calendar"].to_numpy()
	now = np.clip(np.full(n, as_of_ns, dtype=np.int64), start, end)
	total_s = _business_seconds(calendars, names, start, end)
	gone_s = _business_seconds(calendars, names, start, now)
	left_s = np.maximum(total_s - gone_s, 0.0)
	elapsed_pct = np.where(total_s > 0, gone_s / np.where(total_s > 0, total_s, 1) * 100.0, 100.0)

	out = r.reindex(columns=[c for c in BUDGET_COLUMNS if c in r.columns]).copy()
	out["calendar"] = names
	out["direction"] = frame["direction"].fillna("").to_numpy() if "direction" in frame.columns else ""
	out["period"] = period_key(month.year, month.month)
	out["as_of_ns"] = as_of_ns
	out["elapsed_pct"] = elapsed_pct
	out["business_left_s"] = left_s
	out["result_so_far"] = r["result"].to_numpy()
	kind = r["metric_kind"].to_numpy(dtype=object)
	sample = r["sample_count"].to_numpy(dtype=np.int64)
	met = r["met_count"].to_numpy(dtype=np.int64)
	out["missed_count"] = np.where(np.isin(kind, tgt.TIME_KINDS), sample - met, 0)
	pending = at_risk.pending_counts(pairs)
	keys = pd.MultiIndex.from_arrays([r["agreement"], r["target_code"]])
	out["pending_count"] = pending.reindex(keys).fillna(0).astype(np.int64).to_numpy() if len(pending) else np.zeros(n, dtype=np.int64)
	h = history_rates(history, out, calendars)
	out["history_months"] = h["h_months"].to_numpy()
	for column in ("expected_count", "budget_total", "budget_used", "budget_left", "used_pct", "burn_rate", "miss_rate", "projected_value", "breach_chance"):
		out[column] = np.nan
	out["budget_unit"] = ""
	out["projected_result"] = NO_DATA
	out["status"] = NO_DATA
	out["basis"] = np.where(h["h_months"].to_numpy() > 0, "history", "month")

	_time_budgets(out, h, gone_s, left_s, pairs)
	_availability_budgets(out, month, calendars, known, h, gone_s, left_s)
	_metric_projection(out)
	used = out["used_pct"].to_numpy(dtype=float)
	out["burn_rate"] = np.where(np.isfinite(used) & (elapsed_pct > 0), used / np.where(elapsed_pct > 0, elapsed_pct, 1), np.nan)
	return out.reindex(columns=BUDGET_COLUMNS).reset_index(drop=True)


class Survival:
	"""For each time target, the Kaplan-Meier estimate of S(t): the share of its tickets still open (not
	answered, or not resolved) after t business seconds, from its tickets so far — those answered (resolved)
	are events at their elapsed time, the open ones are censored at theirs. Counting only the tickets done
	so far would be biased early in the month: the quick ones are done, the slow ones still open."""

	def __init__(self, pairs: pd.DataFrame):
		self.keys = pd.MultiIndex.from_arrays([[], []])
		self.size = np.zeros(0, dtype=np.int64)
		if pairs.empty:
			return
		group, keys = pd.factorize(pd.MultiIndex.from_arrays([pairs["agreement"], pairs["target_code"]]))
		self.keys = keys
		e = pairs["elapsed_s"].to_numpy(dtype=float)
		done = pairs["done"].to_numpy(dtype=bool)
		# by target, elapsed time, events before censored ones at the same time
		order = np.lexsort((~done, e, group))
		g, e_s, d_s = group[order], e[order], done[order]
		self.size = np.bincount(group, minlength=len(keys))
		self.first = np.concatenate(([0], np.cumsum(self.size)[:-1]))
		at_risk_n = self.size[g] - (np.arange(len(order)) - self.first[g])
		self.cum = np.cumsum(np.where(d_s, np.log(np.maximum(1.0 - 1.0 / at_risk_n, 1e-12)), 0.0))
		self.before = np.concatenate(([0.0], self.cum))[self.first]
		self.span = float(max(e.max(), pairs["limit_s"].to_numpy(dtype=float).max())) * 4.0 + 1.0
		self.sorted_key = g * self.span + e_s

	def groups(self, agreements, target_codes) -> np.ndarray:
		"""The target of each (agreement, target code); -1 for one without tickets."""
		if not len(self.keys):
			return np.full(len(agreements), -1, dtype=np.int64)
		return self.keys.get_indexer(pd.MultiIndex.from_arrays([agreements, target_codes]))

	def s(self, groups, t) -> np.ndarray:
		"""S(t) of each row's target (1 for a target without tickets)."""
		groups = np.asarray(groups, dtype=np.int64)
		t = np.broadcast_to(np.asarray(t, dtype=float), groups.shape)
		out = np.ones(groups.shape)
		known = groups >= 0
		if known.any():
			g = groups[known]
			at = np.searchsorted(self.sorted_key, g * self.span + np.minimum(t[known], self.span - 1.0), side="right") - 1
			inside = at >= self.first[g]
			out[known] = np.exp(np.where(inside, self.cum[np.maximum(at, 0)] - self.before[g], 0.0))
		return out


def breach_chance(left, mean) -> tuple[np.ndarray, np.ndarray]:
	"""For X ~ Poisson(mean) by row: P(X > left) (1 where left < 0) and the median of X. Exact sums for
	means up to 50, the normal approximation (with continuity correction) above."""
	left = np.floor(np.asarray(left, dtype=float))
	mean = np.maximum(np.asarray(mean, dtype=float), 0.0)
	chance = np.ones(len(mean))
	median = np.zeros(len(mean))
	small = mean <= 50.0
	if small.any():
		lam, m = mean[small], left[small]
		top = int(min(max(np.nanmax(np.where(m >= 0, m, 0)), 0) + 1, 200))
		term = np.exp(-lam)
		cdf = term.copy()
		at_left = np.where(m >= 0, cdf, 0.0)
		med = np.where(cdf >= 0.5, 0, -1)
		k = 0
		while k < max(top, 200) and ((med < 0).any() or k < top):
			k += 1
			term = term * lam / k
			cdf = cdf + term
			at_left = np.where(m == k, cdf, at_left)
			med = np.where((med < 0) & (cdf >= 0.5), k, med)
		at_left = np.where(m > k, 1.0, at_left)
		chance[small] = np.where(m < 0, 1.0, np.clip(1.0 - at_left, 0.0, 1.0))
		median[small] = np.where(med < 0, k, med)
	big = ~small
	if big.any():
		lam, m = mean[big], left[big]
		z = (m + 0.5 - lam) / np.sqrt(lam)
		phi = 0.5 * (1.0 + np.array([math.erf(v / math.sqrt(2.0)) for v in z]))
		chance[big] = np.where(m < 0, 1.0, 1.0 - phi)
		median[big] = np.floor(lam + 1.0 / 3.0 - 0.02 / lam)
	return chance, median


def _time_budgets(out: pd.DataFrame, h: pd.DataFrame, gone_s: np.ndarray, left_s: np.ndarray, pairs: pd.DataFrame) -> None:
	rows = np.flatnonzero(out["metric_kind"].isin(tgt.TIME_KINDS).to_numpy())
	if not len(rows):
		return
	sample = out["sample_count"].to_numpy(dtype=float)[rows]
	missed = out["missed_count"].to_numpy(dtype=float)[rows]
	pending = out["pending_count"].to_numpy(dtype=float)[rows]
	share = out["compliance_share"].to_numpy(dtype=float)[rows] / 100.0
	h_sample, h_miss, h_seconds = (h[c].to_numpy(dtype=float)[rows] for c in ("h_sample", "h_miss", "h_seconds"))
	has_history = (h_seconds > 0) & (h_sample > 0)
	# the usual volume of the rest of the month, in business time
	pace_history = np.where(h_seconds > 0, h_sample / np.where(h_seconds > 0, h_seconds, 1), 0.0)
	gone = gone_s[rows]
	pace_month = np.where(gone > 0, (sample + pending) / np.where(gone > 0, gone, 1), 0.0)
	future = np.where(h_seconds > 0, pace_history, pace_month) * left_s[rows]
	# the chance that a ticket misses: this month's (Kaplan-Meier), weighted with the last months'
	survival = Survival(pairs)
	agreements, codes = out["agreement"].to_numpy()[rows], out["target_code"].to_numpy()[rows]
	groups = survival.groups(agreements, codes)
	limit = at_risk.limit_seconds(out["target_value"].to_numpy()[rows], out["time_unit"].to_numpy()[rows])
	q_month = np.where(groups >= 0, survival.s(groups, limit), 0.0)
	n = sample  # the tickets whose outcome is known: answered (resolved) or late
	# the prior: the target's last months; without them, all targets of its kind this month
	kind = out["metric_kind"].to_numpy()[rows]
	pooled = np.zeros(len(rows))
	for k in tgt.TIME_KINDS:
		mine = kind == k
		if mine.any() and n[mine].sum() > 0:
			pooled[mine] = float((q_month[mine] * n[mine]).sum() / n[mine].sum())
	rate_history = np.where(has_history, h_miss / np.where(h_sample > 0, h_sample, 1), pooled)
	prior = np.where(has_history, PRIOR_TICKETS, POOLED_TICKETS)
	rate = np.where(n + prior > 0, (n * q_month + prior * rate_history) / np.where(n + prior > 0, n + prior, 1), 0.0)
	# The month counts a ticket once it is answered (resolved) or late, so at its end a ticket open for less
	# than the target's time is not counted, and cannot miss. Of the business time left, R:
	rest = left_s[rows]
	# - a ticket still to come, created d before the end, counts if done within d (when d <= limit: it
	#   misses only if created more than a limit before the end)
	grid = (np.arange(12) + 0.5) / 12.0
	window = np.minimum(rest, limit)
	open_at_end = np.array([survival.s(groups, window * x) for x in grid]).mean(axis=0) * window
	counted_share = np.where(rest > 0, 1.0 - open_at_end / np.where(rest > 0, rest, 1), 1.0)
	late_share = np.where(rest > 0, np.maximum(rest - limit, 0.0) / np.where(rest > 0, rest, 1), 0.0)
	# - an open ticket, e into its clock, is late by the end when e + R > limit, and misses with the rate
	#   scaled by how long it has been open (rate / S(e), at most 1); else it counts only if done by then
	open_counted = np.zeros(len(rows))
	open_misses = np.zeros(len(rows))
	if len(pairs):
		mine = ~pairs["done"].to_numpy(dtype=bool) & ~pairs["late"].to_numpy(dtype=bool)
		p = pairs[mine]
		where = pd.Series(np.arange(len(rows)), index=pd.MultiIndex.from_arrays([agreements, codes])).reindex(pd.MultiIndex.from_arrays([p["agreement"], p["target_code"]])).to_numpy()
		ok = ~np.isnan(where)
		row = where[ok].astype(np.int64)
		e = p["elapsed_s"].to_numpy(dtype=float)[ok]
		g = groups[row]
		s_e = np.maximum(survival.s(g, e), 1e-12)
		late_by_end = e + rest[row] > limit[row]
		counted = np.where(late_by_end, 1.0, 1.0 - survival.s(g, e + rest[row]) / s_e)
		misses = np.where(late_by_end, np.minimum(rate[row] / s_e, 1.0), 0.0)
		open_counted = np.bincount(row, weights=counted, minlength=len(rows))
		open_misses = np.bincount(row, weights=misses, minlength=len(rows))
	expected = sample + open_counted + future * counted_share
	allowed = np.floor(expected * (1.0 - share) + 1e-9)
	# the misses still to come are about Poisson with that mean: the projection is their median, and the
	# chance of a breach that of more of them than the budget has left
	chance, median = breach_chance(allowed - missed, open_misses + rate * future * late_share)
	projected_missed = missed + median
	have = (expected > 0) | (pending > 0)
	projected = np.where(expected > 0, (expected - projected_missed) / np.where(expected > 0, expected, 1) * 100.0, np.nan)
	ok = projected_missed <= allowed
	# no miss allowed at all: each miss is a whole budget over
	used_pct = missed / np.maximum(allowed, 1.0) * 100.0
	status = np.where(~have, NO_DATA, np.where(missed > allowed, BREACHED, np.where(ok, ON_TRACK, AT_RISK)))
	out.loc[out.index[rows], "expected_count"] = expected
	out.loc[out.index[rows], "budget_unit"] = TICKETS
	out.loc[out.index[rows], "budget_total"] = allowed
	out.loc[out.index[rows], "budget_used"] = missed
	out.loc[out.index[rows], "budget_left"] = allowed - missed
	out.loc[out.index[rows], "used_pct"] = np.where(have, used_pct, np.nan)
	out.loc[out.index[rows], "miss_rate"] = np.where(have, rate * 100.0, np.nan)
	out.loc[out.index[rows], "projected_value"] = projected
	out.loc[out.index[rows], "breach_chance"] = np.where(have, chance * 100.0, np.nan)
	out.loc[out.index[rows], "projected_result"] = np.where(~have, NO_DATA, np.where(ok & (missed <= allowed), MET, BREACHED))
	out.loc[out.index[rows], "status"] = status


def _availability_budgets(out: pd.DataFrame, month: Month, calendars, known: Measurements, h: pd.DataFrame, gone_s: np.ndarray, left_s: np.ndarray) -> None:
	"""Downtime comes in outages, rare and long: what matters is whether one more (or how many more) of
	them fits in the downtime left. Outages arrive at the rate of the last months (months with downtime
	per business second of the months with data), each as long as their mean downtime; without history, at
	the rate of all availability targets this month (those with downtime so far per business second gone),
	as long as this target's own downtime so far (else theirs). The chance of a breach is that of as many
	outages as exceed the downtime left, in the service hours left (Poisson); the projection adds the
	median number of them."""
	rows = np.flatnonzero(out["metric_kind"].to_numpy() == tgt.AVAILABILITY)
	if not len(rows):
		return
	spans: dict = {}
	evaluate(month.targets.iloc[rows].reset_index(drop=True), calendars, known, month.year, month.month, spans=spans)
	base = spans.get("base_ns", np.zeros(len(rows), dtype=np.int64)) / NS_PER_SECOND
	down = spans.get("down_ns", np.zeros(len(rows), dtype=np.int64)) / NS_PER_SECOND
	target = out["target_value"].to_numpy(dtype=float)[rows] / 100.0
	rest = left_s[rows]
	gone = gone_s[rows]
	expected_base = base + rest
	allowed = expected_base * (1.0 - target)
	have = base > 0
	# outages: how often, and how long
	h_seconds = h["h_seconds"].to_numpy(dtype=float)[rows]
	history = h_seconds > 0
	h_rate = np.where(history, h["h_outage_months"].to_numpy(dtype=float)[rows] / np.where(history, h_seconds, 1), 0.0)
	h_size = h["h_outage_s"].to_numpy(dtype=float)[rows]
	hit = have & (down > 0)
	pooled_rate = float(hit.sum() / gone[have].sum()) if have.any() and gone[have].sum() > 0 else 0.0
	pooled_size = float(down[hit].mean()) if hit.any() else 0.0
	rate = np.where(history, h_rate, pooled_rate)
	size = np.where(history & np.isfinite(h_size) & (h_size > 0), h_size, np.where(down > 0, down, pooled_size))
	outages = rate * rest
	left = allowed - down
	# the outages it takes to use the downtime left up (one, when an outage is longer than it)
	need = np.where(size > 0, np.floor(np.maximum(left, 0.0) / np.where(size > 0, size, 1)) + 1, np.inf)
	chance, median = breach_chance(np.where(np.isfinite(need), need - 1, 1e9), outages)
	chance = np.where(left < -1e-9, 1.0, chance)
	projected_down = down + median * size
	projected = np.where(expected_base > 0, (expected_base - projected_down) / np.where(expected_base > 0, expected_base, 1) * 100.0, np.nan)
	ok = projected >= target * 100.0 - 1e-9
	used_pct = np.where(allowed > 0, down / np.where(allowed > 0, allowed, 1) * 100.0, np.where(down > 0, 100.0, 0.0))
	status = np.where(~have, NO_DATA, np.where(left < -1e-9, BREACHED, np.where(chance >= 0.5, AT_RISK, ON_TRACK)))
	idx = out.index[rows]
	out.loc[idx, "budget_unit"] = MINUTES
	out.loc[idx, "budget_total"] = np.where(have, allowed / 60.0, np.nan)
	out.loc[idx, "budget_used"] = np.where(have, down / 60.0, np.nan)
	out.loc[idx, "budget_left"] = np.where(have, left / 60.0, np.nan)
	out.loc[idx, "used_pct"] = np.where(have, used_pct, np.nan)
	out.loc[idx, "expected_count"] = np.where(have, outages, np.nan)  # outages expected in the rest of the month
	out.loc[idx, "miss_rate"] = np.where(have, size / 60.0, np.nan)  # minutes of downtime an outage brings
	out.loc[idx, "projected_value"] = np.where(have, projected, np.nan)
	out.loc[idx, "breach_chance"] = np.where(have, chance * 100.0, np.nan)
	out.loc[idx, "projected_result"] = np.where(~have, NO_DATA, np.where(ok & (left >= -1e-9), MET, BREACHED))
	out.loc[idx, "status"] = status
	out.loc[idx, "basis"] = np.where(history, "history", "month")


def _metric_projection(out: pd.DataFrame) -> None:
	rows = np.flatnonzero(out["metric_kind"].to_numpy() == tgt.CUSTOM_METRIC)
	if not len(rows):
		return
	idx = out.index[rows]
	result = out["result_so_far"].to_numpy()[rows]
	out.loc[idx, "projected_value"] = out["measured_value"].to_numpy(dtype=float)[rows]
	out.loc[idx, "projected_result"] = result
	out.loc[idx, "status"] = np.where(result == MET, ON_TRACK, np.where(result == BREACHED, AT_RISK, NO_DATA))
	out.loc[idx, "basis"] = "month"


# ---------------------------------------------------------------------------------------------------
# the budget as a user reads it (templates marked for translation; the adapter translates them)


def _num(value, digits: int = 0) -> str:
	if value is None or not np.isfinite(value):
		return "-"
	text = f"{value:,.{digits}f}"
	return text.rstrip("0").rstrip(".") if digits and "." in text else text


def _time_text(row: dict) -> str:
	value = float(row["target_value"])
	unit = "h" if row.get("time_unit") == "Hours" else "min"
	return f"{_num(value, 2)} {unit}"


def budget_text(row: dict, translate=lambda s: s) -> str:
	"""The budget as the manager thinks of it, e.g. "3 more High resolutions may miss 8 h this month"."""
	kind = row.get("metric_kind")
	status = row.get("status")
	if kind in tgt.TIME_KINDS:
		if status == NO_DATA:
			return translate(_("No tickets so far and none expected this month"))
		noun = translate(_("responses") if kind == tgt.RESPONSE_TIME else _("resolutions"))
		what = f"{translate(row['priority'])} {noun}" if row.get("priority") else noun
		left, allowed, used = (int(round(float(row[c]))) for c in ("budget_left", "budget_total", "budget_used"))
		tail = translate(_("{0} of {1} used; {2} tickets so far, about {3} expected")).format(used, allowed, int(row["sample_count"]) + int(row["pending_count"]), _num(float(row["expected_count"])))
		if left > 0:
			text = translate(_("{0} more {1} may miss {2} this month")).format(left, what, _time_text(row))
		elif left == 0:
			text = translate(_("No more {0} may miss {1} this month")).format(what, _time_text(row))
		else:
			text = translate(_("{0} more {1} missed {2} than the month allows")).format(-left, what, _time_text(row))
		return f"{text} ({tail})"
	if kind == tgt.AVAILABILITY:
		if status == NO_DATA:
			return translate(_("Availability: no monitored service hours so far"))
		left, allowed, used = (float(row[c]) for c in ("budget_left", "budget_total", "budget_used"))
		if left >= 0:
			return translate(_("Availability: {0} of {1} minutes of downtime left ({2} used)")).format(_num(left, 1), _num(allowed, 1), _num(used, 1))
		return translate(_("Availability: {0} minutes of downtime over the {1} allowed ({2} used)")).format(_num(-left, 1), _num(allowed, 1), _num(used, 1))
	if status == NO_DATA:
		return translate(_("{0}: no values so far")).format(row.get("metric_name") or translate(kind or ""))
	return translate(_("{0}: mean so far {1} {2} against {3}")).format(
		row.get("metric_name") or translate(kind or ""), _num(float(row["measured_value"]), 2), row.get("unit") or "", tgt.value_text(row)
	)


def basis_text(row: dict, translate=lambda s: s) -> str:
	"""The projection and what it rests on."""
	kind = row.get("metric_kind")
	if row.get("status") == NO_DATA:
		return ""
	projected = _num(float(row["projected_value"]), 2)
	if kind in tgt.TIME_KINDS:
		if row.get("basis") == "history":
			basis = translate(_("volume of the last {0} month(s) for the {1} business hours left, miss rate {2} %")).format(
				int(row["history_months"]), _num(float(row["business_left_s"]) / 3600.0, 1), _num(float(row["miss_rate"]), 1)
			)
		else:
			basis = translate(_("this month's pace for the {0} business hours left, miss rate {1} %")).format(
				_num(float(row["business_left_s"]) / 3600.0, 1), _num(float(row["miss_rate"]), 1)
			)
		return translate(_("Projected {0} % met against {1} %: {2}; chance of a breach {3} %")).format(
			projected, _num(float(row["compliance_share"]), 2), basis, _num(float(row["breach_chance"]), 0)
		)
	if kind == tgt.AVAILABILITY:
		source = translate(_("the last {0} month(s)")).format(int(row["history_months"])) if row.get("basis") == "history" else translate(_("this month so far"))
		return translate(_("Projected {0} % against {1} %: {2} outage(s) of about {3} min expected in the {4} service hours left, as in {5}; chance of a breach {6} %")).format(
			projected,
			_num(float(row["target_value"]), 3),
			_num(float(row["expected_count"]), 2),
			_num(float(row["miss_rate"]), 0),
			_num(float(row["business_left_s"]) / 3600.0, 1),
			source,
			_num(float(row["breach_chance"]), 0),
		)
	return translate(_("Projected: the mean so far, {0}")).format(projected)
