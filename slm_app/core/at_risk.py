"""Open tickets and the time targets they count for, with the business time they have left (issue 12).

A ticket counts for the response and resolution targets of its agreement version in force on the day it
was created — a target with a priority for the tickets of that priority, one without for all of them —
exactly as :func:`slm_app.core.compliance.evaluate` counts it (a core test holds the two equal). While it
has no response (resolution) yet it is *open* for the response (resolution) target, and at ``as_of``:

- its elapsed business time is that of the agreement's calendar from its creation to ``as_of``, net of
  its pauses (:meth:`~slm_app.core.business_time.CalendarIndex.elapsed_excluding`, the engine's own);
- its deadline is the instant it reaches the target's time, net of its pauses so far: a pause still
  running at ``as_of`` ends there, so a paused ticket's deadline is the one it would have if it resumed
  now (:meth:`~slm_app.core.business_time.CalendarIndex.deadline_excluding_ns`);
- it is *late* once the elapsed time is past the target (then the month already counts it as missed),
  else *pending*, with the business time it has left.

Only tickets created in the month's period of the target count: a ticket's miss counts in the month it
was created, so an older ticket still open uses no budget of this month.

Instants are int64 UTC nanoseconds (NaT is :data:`~slm_app.core.compliance.NAT`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from slm_app.core import targets as tgt
from slm_app.core.business_time import BEYOND, NS_PER_SECOND, from_ns, index_for, to_ns
from slm_app.core.calendar import ServiceCalendar
from slm_app.core.compliance import NAT, Measurements, periods
from slm_app.core.instants import OPEN_END

PAIR_COLUMNS = [
	"agreement",
	"agreement_code",
	"version",
	"agreement_type",
	"party",
	"service",
	"target_code",
	"metric_kind",
	"priority",
	"target_value",
	"time_unit",
	"calendar",
	"ticket_id",
	"created_ns",
	"elapsed_s",  # business seconds so far, net of pauses
	"limit_s",  # the target's time in seconds
	"left_s",  # limit_s - elapsed_s: negative once late
	"used_pct",  # elapsed_s / limit_s * 100
	"deadline_ns",  # BEYOND when past the calendar's indexed years
	"paused",  # a pause is running at as_of
	"late",
	"done",  # answered / resolved before as_of (only in ticket_pairs(..., open_only=False))
]
# a deadline is sought this far after as_of at most (past it: BEYOND, "not within a year")
_HORIZON = timedelta(days=400)


def limit_seconds(target_value, time_unit) -> np.ndarray:
	"""A time target's value in seconds (an empty unit counts as minutes, as :func:`targets.normalise`)."""
	value = np.asarray(pd.to_numeric(pd.Series(target_value), errors="coerce"), dtype=float)
	unit = np.asarray(pd.Series(time_unit).fillna("").astype(str))
	return np.where(unit == "Hours", 3600.0, 60.0) * value


def _pairs(frame: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
	"""Each time target row of ``frame`` (with its period) × the tickets it counts: same agreement code, its
	priority (or any, for a target without one), created in its period."""
	t = frame.reset_index(drop=True).assign(_row=lambda f: np.arange(len(f)))
	tk = tickets.reset_index(drop=True).assign(_ticket=lambda f: np.arange(len(f)))
	j = t[["_row", "agreement_code", "priority"]].merge(
		tk[["_ticket", "agreement_code", "priority", "created_ns"]].rename(columns={"priority": "ticket_priority"}), on="agreement_code"
	)
	if j.empty:
		return j.assign(_row=pd.Series(dtype=np.int64), _ticket=pd.Series(dtype=np.int64))[["_row", "_ticket"]]
	prio = j["priority"].fillna("").astype(str).to_numpy()
	# a target's priority is one of the priorities, or it counts every ticket (compliance: _PRIORITIES)
	known = np.isin(prio, tgt.PRIORITIES)
	same = j["ticket_priority"].fillna("").astype(str).to_numpy() == prio
	created = j["created_ns"].to_numpy(dtype=np.int64)
	row = j["_row"].to_numpy()
	start = t["period_start_ns"].to_numpy(dtype=np.int64)[row]
	end = t["period_end_ns"].to_numpy(dtype=np.int64)[row]
	keep = (~known | same) & (created >= start) & (created < end)
	return j.loc[keep, ["_row", "_ticket"]].reset_index(drop=True)


def open_pairs(
	targets: pd.DataFrame,
	calendars: dict[str, ServiceCalendar],
	measurements: Measurements,
	year: int,
	month: int,
	as_of: datetime | int,
) -> pd.DataFrame:
	"""Every (open ticket, time target) pair of the month at ``as_of`` (PAIR_COLUMNS), most urgent first
	(least business time left; late ones first).

	``targets`` are the targets of the versions in force (compliance.TARGET_COLUMNS, as
	:func:`slm_app.core.month.month_targets` gives them); ``measurements`` the tickets and pauses as the
	engine takes them. A ticket created at or after ``as_of`` is not there yet; a response or resolution at
	or after ``as_of`` has not happened yet.
	"""
	return ticket_pairs(targets, calendars, measurements, year, month, as_of, open_only=True)


def ticket_pairs(
	targets: pd.DataFrame,
	calendars: dict[str, ServiceCalendar],
	measurements: Measurements,
	year: int,
	month: int,
	as_of: datetime | int,
	open_only: bool = False,
) -> pd.DataFrame:
	"""Every (ticket, time target) pair of the month known at ``as_of`` (PAIR_COLUMNS): for a ticket answered
	(resolved) before ``as_of`` its elapsed time to then (``done``), for an open one to ``as_of``; deadlines
	for the open ones only (NaT-like :data:`BEYOND` for the others)."""
	as_of_ns = int(to_ns(as_of)) if not isinstance(as_of, int | np.integer) else int(as_of)
	empty = pd.DataFrame(columns=PAIR_COLUMNS)
	tk = measurements.tickets
	if targets.empty or tk.empty:
		return empty
	time_rows = targets[targets["metric_kind"].isin(tgt.TIME_KINDS).to_numpy(dtype=bool)]
	frame = periods(time_rows.reset_index(drop=True), calendars, year, month).reset_index(drop=True)
	if frame.empty:
		return empty
	created = tk["created_ns"].to_numpy(dtype=np.int64)
	response = tk["response_ns"].to_numpy(dtype=np.int64)
	resolved = tk["resolved_ns"].to_numpy(dtype=np.int64)
	not_yet = lambda at: (at == NAT) | (at >= as_of_ns)  # noqa: E731
	before = (created != NAT) & (created < as_of_ns)
	parts = []
	for kind, end in ((tgt.RESPONSE_TIME, response), (tgt.RESOLUTION_TIME, resolved)):
		rows = frame[frame["metric_kind"].to_numpy() == kind].reset_index(drop=True)
		which = np.flatnonzero(before & not_yet(end)) if open_only else np.flatnonzero(before)
		if rows.empty or not len(which):
			continue
		p = _pairs(rows, tk.iloc[which])
		if p.empty:
			continue
		ticket = which[p["_ticket"].to_numpy()]
		parts.append((rows, ticket, p["_row"].to_numpy(), np.where(not_yet(end[ticket]), as_of_ns, end[ticket])))
	if not parts:
		return empty
	out = pd.concat(
		[rows.iloc[row][[c for c in PAIR_COLUMNS if c in rows.columns]].assign(_ticket=ticket, _stop=stop).reset_index(drop=True) for rows, ticket, row, stop in parts],
		ignore_index=True,
	)
	ticket = out.pop("_ticket").to_numpy()
	stop = out.pop("_stop").to_numpy(dtype=np.int64)
	done = stop < as_of_ns
	out["ticket_id"] = tk["ticket_id"].to_numpy()[ticket]
	out["created_ns"] = created[ticket]
	limit = limit_seconds(out["target_value"], out["time_unit"])
	out["limit_s"] = limit
	elapsed = np.zeros(len(out))
	deadline = np.full(len(out), BEYOND, dtype=np.int64)
	paused = np.zeros(len(out), dtype=bool)
	# the pauses of each pair's ticket
	pauses = measurements.pauses
	p_owner = p_start = p_end = np.zeros(0, dtype=np.int64)
	if len(pauses):
		ids = pd.Index(out["ticket_id"].to_numpy())
		j = pd.DataFrame({"ticket_id": pauses["ticket_id"].to_numpy(), "_p": np.arange(len(pauses))}).merge(
			pd.DataFrame({"ticket_id": ids, "_pair": np.arange(len(ids))}), on="ticket_id"
		)
		p_owner = j["_pair"].to_numpy(dtype=np.int64)
		p_start = pauses["start_ns"].to_numpy(dtype=np.int64)[j["_p"].to_numpy()]
		p_end = pauses["end_ns"].to_numpy(dtype=np.int64)[j["_p"].to_numpy()]
		p_end = np.where(p_end == NAT, OPEN_END, p_end)
		running = (p_start <= as_of_ns) & (p_end > as_of_ns)
		paused[p_owner[running]] = True
		paused &= ~done
	c = out["created_ns"].to_numpy(dtype=np.int64)
	for name, group in out.groupby("calendar", sort=True).indices.items():
		group = np.asarray(group)
		index = index_for(calendars[name], from_ns(int(c[group].min())) - timedelta(days=1), from_ns(as_of_ns) + _HORIZON)
		mine = np.isin(p_owner, group)
		remap = np.full(len(out), -1, dtype=np.int64)
		remap[group] = np.arange(len(group))
		owner, ps, pe = remap[p_owner[mine]], p_start[mine], p_end[mine]
		elapsed[group] = index.elapsed_excluding(c[group], stop[group], owner, ps, pe)
		pending = ~done[group]
		if pending.any():
			sub = group[pending]
			keep = pending[owner] if len(owner) else np.zeros(0, dtype=bool)
			local = np.cumsum(pending) - 1
			deadline[sub] = index.deadline_excluding_ns(
				c[sub], np.round(limit[sub] * NS_PER_SECOND).astype(np.int64), local[owner[keep]], ps[keep], pe[keep], stop[sub]
			)
	out["elapsed_s"] = elapsed
	out["left_s"] = limit - elapsed
	out["used_pct"] = np.where(limit > 0, elapsed / np.where(limit > 0, limit, 1) * 100.0, 0.0)
	out["deadline_ns"] = deadline
	out["paused"] = paused
	out["late"] = elapsed > limit + 1e-9  # the engine's rule: past the target by more than rounding
	out["done"] = done
	out = out.reindex(columns=PAIR_COLUMNS)
	order = np.lexsort((out["ticket_id"].astype(str).to_numpy(), out["left_s"].to_numpy()))
	return out.iloc[order].reset_index(drop=True)


def at_risk(pairs: pd.DataFrame, near_pct: float = 75.0) -> pd.DataFrame:
	"""The pairs near or past their deadline: late, or with at least ``near_pct`` % of the target's time
	used; most urgent first."""
	if pairs.empty:
		return pairs
	keep = pairs["late"].to_numpy(dtype=bool) | (pairs["used_pct"].to_numpy(dtype=float) >= float(near_pct) - 1e-9)
	if "done" in pairs.columns:
		keep &= ~pairs["done"].to_numpy(dtype=bool)
	return pairs[keep].reset_index(drop=True)


def pending_counts(pairs: pd.DataFrame) -> pd.Series:
	"""Open tickets not yet late, by (agreement, target_code)."""
	if pairs.empty:
		return pd.Series(dtype=np.int64)
	mine = ~pairs["late"].to_numpy(dtype=bool) & ~pairs["done"].to_numpy(dtype=bool)
	return pairs[mine].groupby(["agreement", "target_code"]).size()
