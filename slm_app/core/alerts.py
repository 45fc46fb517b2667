"""Warnings before a breach, without floods (issue 12).

Two things warn the service level manager and, for an OLA or a UC, the support team or the supplier:

- a target's budget passing a threshold (by default 50 %, 75 % and 100 % used; per agreement or for all,
  in the settings): once per agreement version, target, month and threshold — a budget that recovers and
  passes the same threshold again in the month does not warn again, and a run that passes several
  thresholds at once records each of them (none of them warns later);
- an open ticket near its deadline (at least the "near" share of its target's time used) on a target
  that may not miss once more this month (budget left 0): its miss alone would breach the target. Once per
  ticket and target in the month.

Each warning has a deterministic name (:func:`warning_name`): what was warned is the set of names, and a
name warned already is never warned again. Warnings are delivered as one digest per recipient per run,
in the recipient's working hours (:func:`due`): a warning raised at night waits for the morning.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import numpy as np
import pandas as pd

from slm_app.core import targets as tgt
from slm_app.core.budget import BREACHED, TICKETS
from slm_app.core.calendar import ServiceCalendar, working_intervals
from slm_app.core.errors import Problem, RuleError, _

DEFAULT_THRESHOLDS = (50, 75, 100)
DEFAULT_NEAR_PCT = 75.0
BUDGET, TICKET = "Budget", "Ticket"
WARNING_COLUMNS = [
	"name",
	"kind",  # Budget (a threshold passed) or Ticket (a ticket whose miss alone breaches the target)
	"agreement",
	"agreement_code",
	"agreement_type",
	"party",
	"service",
	"target_code",
	"metric_kind",
	"priority",
	"period",
	"threshold",  # Budget: the threshold passed, %
	"used_pct",
	"budget_left",
	"budget_unit",
	"status",
	"ticket_id",  # Ticket: the ticket
	"deadline_ns",  # Ticket: its deadline
	"left_s",  # Ticket: business seconds left
]
_SPLIT = re.compile(r"[,;\s]+")


def parse_thresholds(value, field: str = "thresholds") -> tuple[int, ...]:
	"""Thresholds from "50, 75, 100": whole percentages of a budget used, 1 to 1000, each once; empty
	text gives none. Raises RuleError naming the bad values."""
	text = str(value or "").strip()
	if not text:
		return ()
	out, bad = [], []
	for part in _SPLIT.split(text.replace("%", " ")):
		if not part:
			continue
		try:
			number = float(part)
		except ValueError:
			bad.append(part)
			continue
		if not number.is_integer() or not 1 <= number <= 1000:
			bad.append(part)
			continue
		out.append(int(number))
	if bad:
		raise RuleError(
			[Problem(_("Thresholds must be whole percentages from 1 to 1000, separated by commas (e.g. 50, 75, 100); not {0}"), (", ".join(bad),), field)]
		)
	return tuple(sorted(set(out)))


def warning_name(agreement: str, target_code: str, period: str, what) -> str:
	"""One warning per version, target, month and threshold (an int) or ticket (any text: a ticket id
	may be 140 characters long, so it is named by a short hash)."""
	if isinstance(what, int | np.integer):
		return f"BW-{agreement}-{target_code}-{period}-{int(what)}"
	digest = hashlib.sha1(str(what).encode()).hexdigest()[:10]
	return f"BW-{agreement}-{target_code}-{period}-T{digest}"


def new_warnings(
	status: pd.DataFrame,
	pairs: pd.DataFrame,
	warned: set[str] | frozenset[str],
	thresholds: dict[str, tuple[int, ...]] | None = None,
	default: tuple[int, ...] = DEFAULT_THRESHOLDS,
	near_pct: float = DEFAULT_NEAR_PCT,
) -> pd.DataFrame:
	"""The warnings of this run that were not given before (WARNING_COLUMNS).

	``status``: budget.BUDGET_COLUMNS; ``pairs``: at_risk.PAIR_COLUMNS of the same run; ``warned``: the
	names warned already; ``thresholds``: per agreement code (or version name), overriding ``default``.
	"""
	rows = []
	own = thresholds or {}
	for r in status.to_dict("records"):
		used = r.get("used_pct")
		if used is None or not np.isfinite(used):
			continue
		levels = own.get(r["agreement"], own.get(r["agreement_code"], default))
		for level in levels:
			name = warning_name(r["agreement"], r["target_code"], r["period"], level)
			if used >= level - 1e-9 and name not in warned:
				rows.append({**_head(r), "name": name, "kind": BUDGET, "threshold": level, "used_pct": float(used)})
	if len(pairs) and len(status):
		last = status[
			status["metric_kind"].isin(tgt.TIME_KINDS).to_numpy()
			& (status["budget_unit"].to_numpy() == TICKETS)
			& (status["status"].to_numpy() != BREACHED)
			& (pd.to_numeric(status["budget_left"], errors="coerce").to_numpy() == 0)
		]
		near = pairs[~pairs["late"].to_numpy(dtype=bool) & (pairs["used_pct"].to_numpy(dtype=float) >= near_pct - 1e-9)]
		j = near.merge(last, on=["agreement", "target_code"], suffixes=("_pair", ""))
		for r in j.to_dict("records"):
			name = warning_name(r["agreement"], r["target_code"], r["period"], r["ticket_id"])
			if name not in warned:
				rows.append(
					{
						**_head(r),
						"name": name,
						"kind": TICKET,
						"used_pct": float(r["used_pct_pair"]),
						"ticket_id": r["ticket_id"],
						"deadline_ns": int(r["deadline_ns"]),
						"left_s": float(r["left_s"]),
					}
				)
	out = pd.DataFrame(rows, columns=WARNING_COLUMNS)
	return out.drop_duplicates("name").sort_values(["agreement", "target_code", "kind", "name"]).reset_index(drop=True)


def _head(r: dict) -> dict:
	return {
		k: r.get(k)
		for k in ("agreement", "agreement_code", "agreement_type", "party", "service", "target_code", "metric_kind", "priority", "period", "budget_left", "budget_unit", "status")
	}


# ---------------------------------------------------------------------------------------------------
# when to deliver


def in_working_hours(calendar: ServiceCalendar | None, now) -> bool:
	"""Whether ``now`` (an aware datetime) is inside the calendar's working time; with no calendar, at any
	time."""
	if calendar is None:
		return True
	return bool(working_intervals(calendar, now, now + timedelta(seconds=1)))


def due(calendars_by_user: dict[str, list[ServiceCalendar | None]], now) -> set[str]:
	"""The recipients to send their digest to now: those inside the working hours of one of their
	calendars (a recipient without any calendar: always)."""
	return {user for user, calendars in calendars_by_user.items() if not calendars or any(in_working_hours(c, now) for c in calendars)}
