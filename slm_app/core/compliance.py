"""Monthly compliance of agreement targets (SL4.1), vectorised over arrays.

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
  no data, outages or not. Overlapping reports of the same outage count once, and downtime outside
  coverage counts nowhere: not in the measured value and not in the first miss, which is the instant the
  downtime that counts had used up the allowed downtime (plus one second, the first whole second over it).
- Named metrics: the mean of the values recorded for the target in the period, compared by direction.

How it scales: string keys (agreement codes, priorities, services, ticket ids) are turned into integer
codes once at the start; tickets are sorted once by (agreement, priority) so that every target finds its
tickets as one slice; pairs of a ticket and a target, and their pauses, are built and computed one
calendar at a time on that calendar's business-time index (:mod:`slm_app.core.business_time`). No step
loops in Python over tickets, pairs or targets: the cost is linear in the tickets and targets (plus the
sorts).

Instants are int64 UTC nanoseconds (NaT is :data:`NAT`); see :mod:`slm_app.core.business_time`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from slm_app.core import targets as tgt
from slm_app.core.business_time import NS_PER_SECOND, from_ns, index_for
from slm_app.core.calendar import ServiceCalendar, local_instant
from slm_app.core.errors import _

NAT = np.iinfo(np.int64).min
_NEVER = np.iinfo(np.int64).max
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
	"time_unit",
	"unit",
	"compliance_share",
	"measured_value",
	"sample_count",
	"met_count",
	"result",
	"method",
	"occurred_ns",
]
MISSED_COLUMNS = ["agreement", "target_code", "ticket_id", "elapsed_minutes", "target_minutes", "deadline_ns"]

# how each kind of target is computed, as the monitoring record states it
METHODS = {
	tgt.RESPONSE_TIME: _(
		"Share of tickets created in the period whose business time to first response, net of pauses, met the target; tickets not yet answered count once past the target"
	),
	tgt.RESOLUTION_TIME: _(
		"Share of tickets created in the period whose business time to resolution, net of pauses, met the target; tickets not yet resolved count once past the target"
	),
	tgt.AVAILABILITY: _(
		"Availability over monitored service hours, excluding planned maintenance: (covered − planned − unplanned down) / (covered − planned)"
	),
	tgt.CUSTOM_METRIC: _("Mean of the values recorded for the target in the period"),
}

_PRIORITIES = pd.Index(tgt.PRIORITIES)
_NO_PRIORITY = len(tgt.PRIORITIES)  # the priority code of a ticket without one
_KEYS_PER_CODE = _NO_PRIORITY + 1


@dataclass(frozen=True)
class Measurements:
	"""What was measured. Empty frames are fine.

	tickets:  ticket_id (unique), agreement_code, priority, created_ns, response_ns, resolved_ns (NAT when
	          not yet); optionally raised_by (who is affected)
	pauses:   ticket_id, start_ns, end_ns; optionally ticket_row, the row of the pause's ticket in tickets
	          (saves looking every ticket id up; whoever reads tickets and pauses together knows it)
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
		"""No measurements (one shared instance: its frames are never changed)."""
		return _EMPTY


_EMPTY = Measurements(
	pd.DataFrame(columns=["ticket_id", "agreement_code", "priority", "created_ns", "response_ns", "resolved_ns"]),
	pd.DataFrame(columns=["ticket_id", "start_ns", "end_ns"]),
	pd.DataFrame(columns=["service", "start_ns", "end_ns", "planned"]),
	pd.DataFrame(columns=["service", "start_ns", "end_ns"]),
	pd.DataFrame(columns=["agreement_code", "target_code", "at_ns", "value"]),
)


def _ns(dt: datetime) -> int:
	return int(pd.Timestamp(dt).value)


def _i64(frame: pd.DataFrame, column: str) -> np.ndarray:
	return frame[column].to_numpy(dtype=np.int64) if len(frame) else np.zeros(0, dtype=np.int64)


def _csr(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
	"""Rows grouped by an integer key in [0, size): (order, pointers) so that the rows of key k are
	``order[pointers[k]:pointers[k + 1]]`` (stable: in their original order)."""
	order = np.argsort(keys, kind="stable")
	pointers = np.zeros(size + 1, dtype=np.int64)
	np.cumsum(np.bincount(keys, minlength=size), out=pointers[1:])
	return order, pointers


def _expand(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
	"""For slices [starts[i], starts[i] + lengths[i]): (i, position) of every element, slice by slice."""
	total = int(lengths.sum())
	owner = np.repeat(np.arange(len(lengths)), lengths)
	first = np.cumsum(lengths) - lengths
	return owner, np.repeat(starts - first, lengths) + np.arange(total)


def _by_calendar(cal_codes: np.ndarray, rows: np.ndarray):
	"""(calendar code, rows of it), each calendar once."""
	if not len(rows):
		return
	order = np.argsort(cal_codes[rows], kind="stable")
	ordered = rows[order]
	codes = cal_codes[ordered]
	cuts = np.flatnonzero(np.diff(codes)) + 1
	for part in np.split(ordered, cuts):
		yield int(cal_codes[part[0]]), part


def _span_index(calendar: ServiceCalendar, lo_ns: int, hi_ns: int):
	return index_for(calendar, from_ns(lo_ns) - timedelta(days=1), from_ns(hi_ns) + timedelta(days=1))


# ---------------------------------------------------------------------------------------------------
# periods


def periods(targets: pd.DataFrame, calendars: dict[str, ServiceCalendar], year: int, month: int) -> pd.DataFrame:
	"""The part of the month each target's agreement version was in force, as instants in its time zone.

	``valid_to`` is the last day the version is in force (see :func:`slm_app.core.agreements.in_force_until`).
	Adds period_start_ns / period_end_ns (and local dates period_start / period_end, inclusive), month_end_ns
	(local midnight after the month) and drops targets whose version was not in force at all in the month.
	Vectorised: a local midnight is computed once per calendar and day (at most 33 a month).
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
	cal_codes, cal_names = pd.factorize(out["calendar"].to_numpy())
	span = int((after - first).astype(np.int64)) + 1
	day = lambda d: (d - first).astype(np.int64)  # noqa: E731
	keys = np.concatenate([cal_codes * span + day(start), cal_codes * span + day(end), cal_codes * span + span - 1])
	uniq, inverse = np.unique(keys, return_inverse=True)
	midnights = np.array(
		[
			_ns(local_instant((first + np.timedelta64(int(k % span), "D")).astype(object), 0, calendars[cal_names[k // span]].tz))
			for k in uniq
		],
		dtype=np.int64,
	)[inverse]
	n = len(out)
	out["period_start_ns"], out["period_end_ns"], out["month_end_ns"] = midnights[:n], midnights[n : 2 * n], midnights[2 * n :]
	out["period_start"] = start.astype(object)
	out["period_end"] = (end - np.timedelta64(1, "D")).astype(object)
	return out


# ---------------------------------------------------------------------------------------------------
# response and resolution


@dataclass
class _Targets:
	"""The month's target rows as arrays, with integer codes for their strings."""

	frame: pd.DataFrame
	kind: np.ndarray
	value: np.ndarray
	share: np.ndarray
	period_start: np.ndarray
	period_end: np.ndarray
	as_of: np.ndarray
	cal_codes: np.ndarray
	cal_names: np.ndarray
	code_codes: np.ndarray
	code_names: pd.Index


def _pause_tickets(tickets: pd.DataFrame, pauses: pd.DataFrame) -> np.ndarray:
	"""The row in ``tickets`` of each pause's ticket (-1 for none): its ``ticket_row`` when the producer
	linked them (every reader in slm_app does), else by ticket id, which costs a hash of every ticket id."""
	if "ticket_row" in pauses.columns:
		rows = _i64(pauses, "ticket_row")
		inside = (rows >= 0) & (rows < len(tickets))
		rows = np.where(inside, rows, -1)
		ids = tickets["ticket_id"].to_numpy()
		if not (ids[rows[inside]] == pauses["ticket_id"].to_numpy()[inside]).all():
			raise ValueError("a pause's ticket_row is not the row of its ticket_id")
		return rows
	try:
		return pd.Index(tickets["ticket_id"].to_numpy()).get_indexer(pauses["ticket_id"].to_numpy())
	except pd.errors.InvalidIndexError:
		raise ValueError("ticket ids must be unique") from None


def _ticket_results(t: _Targets, calendars, m: Measurements, counts) -> pd.DataFrame:
	"""Response / resolution targets into ``counts``; returns the (ticket, target) pairs that missed, with
	their exact deadlines."""
	sample, met, occurred = counts
	rows = np.flatnonzero(np.isin(t.kind, tgt.TIME_KINDS))
	tk = m.tickets
	if not len(rows) or tk.empty:
		return pd.DataFrame(columns=MISSED_COLUMNS)
	# tickets of the targets' agreements created in some period, by integer agreement and priority
	created_all = _i64(tk, "created_ns")
	codes = t.code_names.get_indexer(tk["agreement_code"].to_numpy())
	chosen = np.flatnonzero((codes >= 0) & (created_all >= t.period_start[rows].min()) & (created_all < t.period_end[rows].max()))
	if not len(chosen):
		return pd.DataFrame(columns=MISSED_COLUMNS)
	prio = _PRIORITIES.get_indexer(tk["priority"].to_numpy()[chosen])
	keys = codes[chosen] * _KEYS_PER_CODE + np.where(prio < 0, _NO_PRIORITY, prio)
	order, pointers = _csr(keys, len(t.code_names) * _KEYS_PER_CODE)
	ticket = chosen[order]  # position in ``tk`` of each sorted ticket
	created = created_all[ticket]
	response = _i64(tk, "response_ns")[ticket]
	resolved = _i64(tk, "resolved_ns")[ticket]
	# each target's tickets are one slice of the sorted tickets: its priority's, or all of its agreement's
	row_prio = _PRIORITIES.get_indexer(t.frame["priority"].to_numpy())
	base = t.code_codes * _KEYS_PER_CODE
	lo = pointers[np.where(row_prio < 0, base, base + row_prio)]
	hi = pointers[np.where(row_prio < 0, base + _KEYS_PER_CODE, base + row_prio + 1)]
	# pauses by sorted ticket
	p_start = p_end = np.zeros(0, dtype=np.int64)
	p_pointers = np.zeros(len(ticket) + 1, dtype=np.int64)
	if len(m.pauses):
		where = np.full(len(tk), -1, dtype=np.int64)
		where[ticket] = np.arange(len(ticket))
		found = _pause_tickets(tk, m.pauses)
		owner = np.where(found >= 0, where[np.maximum(found, 0)], -1)
		mine = np.flatnonzero(owner >= 0)
		p_order, p_pointers = _csr(owner[mine], len(ticket))
		p_start = _i64(m.pauses, "start_ns")[mine][p_order]
		p_end = _i64(m.pauses, "end_ns")[mine][p_order]
	is_response = t.kind == tgt.RESPONSE_TIME
	target_s = np.where(t.frame["time_unit"].to_numpy() == "Hours", 3600.0, 60.0) * t.value
	missed_parts = []
	for cal_code, group in _by_calendar(t.cal_codes, rows):
		which, pos = _expand(lo[group], hi[group] - lo[group])
		row = group[which]
		c = created[pos]
		inside = (c >= t.period_start[row]) & (c < t.period_end[row])
		row, pos, c = row[inside], pos[inside], c[inside]
		if not len(row):
			continue
		end = np.where(is_response[row], response[pos], resolved[pos])
		done = end != NAT
		stop = np.where(done, end, np.maximum(t.as_of[row], c))
		limit = target_s[row]
		# the pauses of each pair
		count = p_pointers[pos + 1] - p_pointers[pos]
		paused = np.flatnonzero(count)
		p_owner, p_at = _expand(p_pointers[pos[paused]], count[paused])
		p_owner = paused[p_owner]
		ps, pe = p_start[p_at], p_end[p_at]
		index = _span_index(calendars[t.cal_names[cal_code]], int(c.min()), int(max(stop.max(), c.max())))
		elapsed = index.elapsed_excluding(c, stop, p_owner, ps, pe)
		late = elapsed > limit + 1e-9
		sample += np.bincount(row[done | late], minlength=len(sample))
		met += np.bincount(row[done & ~late], minlength=len(met))
		if not late.any():
			continue
		# exact deadlines, for the tickets that missed only (the first miss of the month is one of them)
		lr = np.flatnonzero(late)
		remap = np.full(len(row), -1, dtype=np.int64)
		remap[lr] = np.arange(len(lr))
		keep = remap[p_owner] >= 0
		deadline = index.deadline_excluding_ns(
			c[lr], np.round(limit[lr] * NS_PER_SECOND).astype(np.int64), remap[p_owner[keep]], ps[keep], pe[keep], stop[lr]
		)
		np.minimum.at(occurred, row[lr], deadline)
		missed_parts.append((row[lr], ticket[pos[lr]], elapsed[lr], limit[lr], deadline))
	if not missed_parts:
		return pd.DataFrame(columns=MISSED_COLUMNS)
	row, tpos, elapsed, limit, deadline = (np.concatenate(p) for p in zip(*missed_parts, strict=True))
	order = np.lexsort((tpos, row))
	row, tpos = row[order], tpos[order]
	return pd.DataFrame(
		{
			"agreement": t.frame["agreement"].to_numpy()[row],
			"target_code": t.frame["target_code"].to_numpy()[row],
			"ticket_id": tk["ticket_id"].to_numpy()[tpos],
			"elapsed_minutes": elapsed[order] / 60.0,
			"target_minutes": limit[order] / 60.0,
			"deadline_ns": deadline[order],
		},
		columns=MISSED_COLUMNS,
	)


# ---------------------------------------------------------------------------------------------------
# availability

_COVERED, _PLANNED, _DOWN = 0, 1, 2


def _availability_results(t: _Targets, calendars, m: Measurements, measured, counts, totals: dict | None = None) -> None:
	"""Availability targets into ``measured`` and ``counts``.

	In each calendar's business-time coordinates, the coverage, planned and unplanned spans of a target's
	service become events (+1 where a span starts, −1 where it ends) sorted by target and position; a
	running count of each kind tells, between two events, whether that stretch is covered, planned and
	down. Covered and not planned is the base; covered, not planned and down is the downtime. Summing the
	stretches gives both, and the running sum of the downtime gives the instant it exceeded the allowance.
	"""
	sample, met, occurred = counts
	rows = np.flatnonzero(t.kind == tgt.AVAILABILITY)
	if not len(rows):
		return
	svc_codes, svc_names = pd.factorize(t.frame["service"].to_numpy()[rows])
	svc_index = pd.Index(svc_names)
	row_order, row_pointers = _csr(svc_codes, len(svc_names))
	spans = []  # (kind, service code, start, end)
	outages = m.outages
	for kind, frame in (
		(_COVERED, m.coverage),
		(_PLANNED, outages[outages["planned"].astype(bool).to_numpy()] if len(outages) else outages),
		(_DOWN, outages[~outages["planned"].astype(bool).to_numpy()] if len(outages) else outages),
	):
		if not len(frame):
			continue
		svc = svc_index.get_indexer(frame["service"].to_numpy())
		mine = np.flatnonzero(svc >= 0)
		spans.append((np.full(len(mine), kind, dtype=np.int8), svc[mine], _i64(frame, "start_ns")[mine], _i64(frame, "end_ns")[mine]))
	if not spans:
		return
	s_kind, s_svc, s_start, s_end = (np.concatenate(p) for p in zip(*spans, strict=True))
	# every span with every target on its service
	which, at = _expand(row_pointers[s_svc], row_pointers[s_svc + 1] - row_pointers[s_svc])
	e_row = rows[row_order[at]]
	e_kind, e_start, e_end = s_kind[which], s_start[which], s_end[which]
	lo = np.zeros(len(e_row), dtype=np.int64)
	hi = np.zeros(len(e_row), dtype=np.int64)
	a_row = np.zeros(len(t.kind), dtype=np.int64)
	b_row = np.zeros(len(t.kind), dtype=np.int64)
	indexes = {}
	for cal_code, group in _by_calendar(t.cal_codes, rows):
		index = _span_index(calendars[t.cal_names[cal_code]], int(t.period_start[group].min()), int(t.period_end[group].max()))
		indexes[cal_code] = index
		# a target's own period, in its calendar's business-time coordinates
		a_row[group] = index.positions_ns(t.period_start[group])
		b_row[group] = index.positions_ns(t.period_end[group])
		sel = np.flatnonzero(t.cal_codes[e_row] == cal_code)
		r = e_row[sel]
		lo[sel] = np.clip(index.positions_ns(e_start[sel]), a_row[r], b_row[r])
		hi[sel] = np.clip(index.positions_ns(e_end[sel]), a_row[r], b_row[r])
	live = np.flatnonzero(hi > lo)
	if not len(live):
		return
	ev_row = np.concatenate([e_row[live], e_row[live]])
	ev_pos = np.concatenate([lo[live], hi[live]])
	ev_kind = np.concatenate([e_kind[live], e_kind[live]])
	ev_delta = np.concatenate([np.ones(len(live), dtype=np.int64), -np.ones(len(live), dtype=np.int64)])
	order = np.lexsort((ev_pos, ev_row))
	ev_row, ev_pos, ev_kind, ev_delta = ev_row[order], ev_pos[order], ev_kind[order], ev_delta[order]
	# each target's deltas add up to 0, so one running sum over all of them restarts at every target
	depth = [np.cumsum(np.where(ev_kind == k, ev_delta, 0)) > 0 for k in (_COVERED, _PLANNED, _DOWN)]
	same = np.concatenate([ev_row[1:] == ev_row[:-1], [False]])
	length = np.where(same, np.concatenate([ev_pos[1:] - ev_pos[:-1], [0]]), 0)
	counted = depth[_COVERED] & ~depth[_PLANNED]
	base_len = np.where(counted, length, 0)
	down_len = np.where(counted & depth[_DOWN], length, 0)
	heads = np.flatnonzero(np.concatenate([[True], ev_row[1:] != ev_row[:-1]]))
	target_rows = ev_row[heads]
	base = np.add.reduceat(base_len, heads)
	down = np.add.reduceat(down_len, heads)
	have = base > 0
	value = np.where(have, (base - down) / np.where(have, base, 1) * 100.0, np.nan)
	if totals is not None:  # the base and the downtime themselves, for whoever asked (evaluate's ``spans``)
		totals["base_ns"][target_rows], totals["down_ns"][target_rows] = base, down
	required = t.value[target_rows]
	ok = value >= required - 1e-9
	measured[target_rows] = value
	sample[target_rows] = have.astype(np.int64)
	met[target_rows] = (have & ok).astype(np.int64)
	# the first miss: where the downtime that counts first exceeds the allowed downtime by a second (or,
	# when the month's downtime is over the allowance by less than that, where the last of it ends)
	breached = have & ~ok
	if not breached.any():
		return
	allowed = base * (1.0 - required / 100.0)
	need = np.minimum(np.rint(allowed + NS_PER_SECOND).astype(np.int64), down)
	group_of_event = np.repeat(np.arange(len(heads)), np.diff(np.concatenate([heads, [len(ev_row)]])))
	running = np.cumsum(down_len)
	before_group = (running - down_len)[heads]
	reached = (running - before_group[group_of_event] >= need[group_of_event]) & (down_len > 0) & breached[group_of_event]
	first = np.minimum.reduceat(np.where(reached, np.arange(len(ev_row)), len(ev_row)), heads)
	hit = np.flatnonzero(first < len(ev_row))
	at = first[hit]
	position = ev_pos[at] + need[hit] - (running[at] - down_len[at] - before_group[hit])
	for cal_code, index in indexes.items():
		mine = t.cal_codes[target_rows[hit]] == cal_code
		if mine.any():
			occurred[target_rows[hit][mine]] = index.instants_ns(position[mine])


# ---------------------------------------------------------------------------------------------------
# named metrics


def _metric_results(t: _Targets, m: Measurements, measured, counts) -> None:
	sample, met, occurred = counts
	rows = np.flatnonzero(t.kind == tgt.CUSTOM_METRIC)
	mk = m.metrics
	if not len(rows) or mk.empty:
		return
	tc_codes, tc_names = pd.factorize(t.frame["target_code"].to_numpy()[rows])
	keys = t.code_codes[rows] * len(tc_names) + tc_codes
	size = len(t.code_names) * len(tc_names)
	order, pointers = _csr(keys, size)
	code = t.code_names.get_indexer(mk["agreement_code"].to_numpy())
	tcode = pd.Index(tc_names).get_indexer(mk["target_code"].to_numpy())
	valid = np.flatnonzero((code >= 0) & (tcode >= 0))
	key = code[valid] * len(tc_names) + tcode[valid]
	which, at = _expand(pointers[key], pointers[key + 1] - pointers[key])
	row = rows[order[at]]
	value_at = _i64(mk, "at_ns")[valid][which]
	value = mk["value"].to_numpy(dtype=float)[valid][which]
	inside = (value_at >= t.period_start[row]) & (value_at < t.period_end[row])
	row, value_at, value = row[inside], value_at[inside], value[inside]
	if not len(row):
		return
	lower = t.frame["direction"].to_numpy()[row] == tgt.LOWER_IS_BETTER
	required = t.value[row]
	ok = np.where(lower, value <= required + 1e-9, value >= required - 1e-9)
	n = len(t.kind)
	total = np.bincount(row, weights=value, minlength=n)
	count = np.bincount(row, minlength=n)
	sample += count
	met += np.bincount(row[ok], minlength=n)
	# the first value that missed is when the miss occurred
	np.minimum.at(occurred, row[~ok], value_at[~ok])
	seen = count > 0
	measured[seen] = total[seen] / count[seen]


# ---------------------------------------------------------------------------------------------------
# the month


def evaluate(
	targets: pd.DataFrame,
	calendars: dict[str, ServiceCalendar],
	measurements: Measurements,
	year: int,
	month: int,
	as_of: datetime | None = None,
	now: datetime | None = None,
	spans: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""Results for one month (RESULT_COLUMNS), and the tickets that missed (MISSED_COLUMNS, by target row
	and ticket).

	Open tickets are judged at ``as_of`` when given, else at the end of the month in each agreement's own
	time zone (never later than ``now``, while the month is still running), so an agreement's result does
	not depend on which other agreements are computed with it.

	``spans`` (a dict, optional) receives ``base_ns`` and ``down_ns``, by result row: an availability
	target's counted base (covered and not planned) and the downtime in it, in business nanoseconds.
	"""
	frame = periods(targets.reset_index(drop=True), calendars, year, month).reset_index(drop=True)
	if frame.empty:
		return pd.DataFrame(columns=RESULT_COLUMNS), pd.DataFrame(columns=MISSED_COLUMNS)
	n = len(frame)
	month_end = _i64(frame, "month_end_ns")
	if as_of is not None:
		as_of_ns = np.full(n, _ns(as_of), dtype=np.int64)
	else:
		as_of_ns = np.minimum(month_end, _ns(now) if now is not None else _NEVER)
	cal_codes, cal_names = pd.factorize(frame["calendar"].to_numpy())
	code_codes, code_names = pd.factorize(frame["agreement_code"].to_numpy())
	t = _Targets(
		frame=frame,
		kind=frame["metric_kind"].to_numpy(dtype=object),
		value=pd.to_numeric(frame["target_value"], errors="coerce").to_numpy(dtype=float),
		share=pd.to_numeric(frame["compliance_share"], errors="coerce").fillna(100.0).to_numpy(dtype=float),
		period_start=_i64(frame, "period_start_ns"),
		period_end=_i64(frame, "period_end_ns"),
		as_of=as_of_ns,
		cal_codes=cal_codes,
		cal_names=np.asarray(cal_names, dtype=object),
		code_codes=code_codes,
		code_names=pd.Index(code_names),
	)
	sample = np.zeros(n, dtype=np.int64)
	met = np.zeros(n, dtype=np.int64)
	occurred = np.full(n, _NEVER, dtype=np.int64)
	measured = np.full(n, np.nan)
	counts = (sample, met, occurred)

	missed = _ticket_results(t, calendars, measurements, counts)
	is_time = np.isin(t.kind, tgt.TIME_KINDS)
	has = is_time & (sample > 0)
	measured[has] = met[has] / sample[has] * 100.0
	if spans is not None:
		spans.update(base_ns=np.zeros(n, dtype=np.int64), down_ns=np.zeros(n, dtype=np.int64))
	_availability_results(t, calendars, measurements, measured, counts, spans)
	_metric_results(t, measurements, measured, counts)

	required = np.where(is_time, t.share, t.value)
	lower = (t.kind == tgt.CUSTOM_METRIC) & (frame["direction"].to_numpy() == tgt.LOWER_IS_BETTER)
	ok = np.where(lower, measured <= required + 1e-9, measured >= required - 1e-9)
	result = np.where(sample == 0, NO_DATA, np.where(ok, MET, BREACHED))
	occurred = np.where((result == BREACHED) & (occurred != _NEVER), occurred, NAT)

	def text(column):
		return frame[column].fillna("").to_numpy(dtype=object) if column in frame.columns else np.full(n, "", dtype=object)

	out = pd.DataFrame(
		{
			"agreement": frame["agreement"].to_numpy(),
			"agreement_code": frame["agreement_code"].to_numpy(),
			"version": frame["version"].to_numpy(),
			"agreement_type": frame["agreement_type"].to_numpy(),
			"party": frame["party"].to_numpy(),
			"target_code": frame["target_code"].to_numpy(),
			"service": frame["service"].to_numpy(),
			"metric_kind": t.kind,
			"metric_name": text("metric_name"),
			"priority": text("priority"),
			"year": year,
			"month": month,
			"period_start": frame["period_start"].to_numpy(),
			"period_end": frame["period_end"].to_numpy(),
			"target_value": t.value,
			"time_unit": np.where(is_time, text("time_unit"), ""),
			"unit": text("unit"),
			"compliance_share": t.share,
			"measured_value": np.where(sample > 0, measured, np.nan),
			"sample_count": sample,
			"met_count": met,
			"result": result,
			"method": pd.Series(t.kind).map(METHODS).to_numpy(dtype=object),
			"occurred_ns": occurred,
		},
		columns=RESULT_COLUMNS,
	)
	return out, missed
