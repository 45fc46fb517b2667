"""Service reviews (SL5.1) and service improvement plans (SL5.2).

Reviews are due once per review cycle of an agreement (``lifecycle.REVIEW_CYCLES``), on the last day of
each cycle period counted from the agreement's Valid From, so never more than twelve months apart, and a
final review on Valid To. The scheduler creates the reviews due soon (and overdue ones it has not created
yet) and reminds the manager once before each. A review closes only when its findings and decisions are
Done or Dropped; a plan closes only when all its actions are Done, and it shows whether the targets it
addressed recovered in the months after it was raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pandas as pd
from dateutil.relativedelta import relativedelta

from slm_app.core.calendar import parse_date
from slm_app.core.compliance import BREACHED, MET
from slm_app.core.errors import Problem, _, raise_if
from slm_app.core.lifecycle import REVIEW_CYCLES, check_review_cycle
from slm_app.core.periods import next_month

SCHEDULED = "Scheduled"
DONE, DROPPED = "Done", "Dropped"
ITEM_CLOSED = frozenset({DONE, DROPPED})
DEFAULT_CYCLE = "Yearly"  # PROCESS.md: a review meeting at least yearly
RECOVERY_COLUMNS = ["agreement_code", "target_code", "months_observed", "months_met", "recovered"]


# ---------------------------------------------------------------------------------------------------
# SL5.1: the review schedule


def review_dates(valid_from: date, valid_to: date | None, cycle: str, until: date) -> list[date]:
	"""The due dates of an agreement's reviews, up to ``until`` (included).

	The k-th review is due on the last day of the k-th cycle period from ``valid_from``:
	``valid_from + k × cycle months − 1 day`` (Quarterly from 2026-01-01: 2026-03-31, 2026-06-30, …;
	from 2026-01-15: 2026-04-14, 2026-07-14, …). A month without that day takes its last day
	(Monthly from 2026-01-31: 2026-02-27, 2026-03-30, …, each counted from ``valid_from``, so no drift).
	Reviews stop at ``valid_to``: one falling on it is the final review, and when the last cycle ends
	before it a final review is added on ``valid_to``. Without ``valid_to`` they run on to ``until``.
	Raises RuleError (field review_cycle) for a cycle that is not one of REVIEW_CYCLES.
	"""
	raise_if(check_review_cycle(cycle))
	step = REVIEW_CYCLES[cycle]
	valid_from, valid_to, until = parse_date(valid_from), parse_date(valid_to), parse_date(until)
	if valid_to is not None and valid_to < valid_from:
		return []
	dates: list[date] = []
	k = 1
	while True:
		due = valid_from + relativedelta(months=k * step) - timedelta(days=1)
		if due > until or (valid_to is not None and due >= valid_to):
			break
		dates.append(due)
		k += 1
	if valid_to is not None and valid_to <= until:
		dates.append(valid_to)
	return dates


def reviews_to_create(
	agreements: list[dict], existing: set[tuple[str, date]], today: date, horizon_days: int
) -> list[tuple[str, date]]:
	"""The (agreement, due date) reviews to create today: every review due up to ``today + horizon_days``
	(so overdue ones too) that is not in ``existing``. Running it again creates nothing new.

	``agreements``: dicts with name, valid_from, valid_to, review_cycle. An agreement without Valid From is
	skipped (it is not in force); one without a review cycle is reviewed yearly. Sorted by date, then name.
	"""
	until = parse_date(today) + timedelta(days=int(horizon_days))
	existing = {(name, parse_date(d)) for name, d in existing}
	out: set[tuple[str, date]] = set()
	for a in agreements:
		valid_from = parse_date(a.get("valid_from"))
		if valid_from is None:
			continue
		cycle = a.get("review_cycle") or DEFAULT_CYCLE
		for due in review_dates(valid_from, parse_date(a.get("valid_to")), cycle, until):
			if (a["name"], due) not in existing:
				out.add((a["name"], due))
	return sorted(out, key=lambda r: (r[1], r[0]))


def reminders_due(reviews: list[dict], today: date, days_ahead: int) -> list[str]:
	"""Names of the reviews to remind the manager of: status Scheduled, ``review_date`` no later than
	``today + days_ahead`` and no ``reminded_on`` yet. A scheduled review already past its date and never
	reminded is included: it is overdue and still to be held. Sorted by date, then name."""
	until = parse_date(today) + timedelta(days=int(days_ahead))
	due = []
	for r in reviews:
		when = parse_date(r.get("review_date"))
		if r.get("status") == SCHEDULED and when is not None and when <= until and not r.get("reminded_on"):
			due.append((when, r["name"]))
	return [name for _when, name in sorted(due)]


# ---------------------------------------------------------------------------------------------------
# closing a review, SL5.2: the improvement plan


def _label(row: dict, *keys: str, width: int = 60) -> str:
	for key in keys:
		text = " ".join(str(row.get(key) or "").split())
		if text:
			return text if len(text) <= width else text[: width - 1] + "…"
	return "-"


def _idx(row: dict, position: int) -> int:
	return row.get("idx") or position


def check_review_close(open_items: list[dict], field: str = "findings") -> list[Problem]:
	"""A review closes only when every finding and decision is Done or Dropped.

	``open_items``: rows with idx, description (or title) and status; an empty status counts as Open.
	"""
	return [
		Problem(
			_("Row {0}: {1} is {2}; a review closes only when every finding and decision is Done or Dropped"),
			(_idx(row, i), _label(row, "description", "title"), row.get("status") or "Open"),
			field,
			_idx(row, i),
		)
		for i, row in enumerate(open_items, start=1)
		if row.get("status") not in ITEM_CLOSED
	]


def check_plan_close(actions: list[dict], field: str = "actions") -> list[Problem]:
	"""A plan closes only when it has actions and every one is Done.

	``actions``: rows with idx, action (or description) and status; an empty status counts as Open.
	"""
	if not actions:
		return [Problem(_("Add at least one action before closing the plan"), (), field)]
	return [
		Problem(
			_("Row {0}: action {1} is {2}; a plan closes only when every action is Done"),
			(_idx(row, i), _label(row, "action", "description"), row.get("status") or "Open"),
			field,
			_idx(row, i),
		)
		for i, row in enumerate(actions, start=1)
		if row.get("status") != DONE
	]


def validate_actions(actions: list[dict], start: date | None = None, field: str = "actions") -> list[Problem]:
	"""Each action needs an owner and a due date, and is not due before the plan starts (when given)."""
	start = parse_date(start)
	problems: list[Problem] = []
	for i, row in enumerate(actions, start=1):
		idx = _idx(row, i)
		if not str(row.get("owner") or "").strip():
			problems.append(Problem(_("Row {0}: Owner is required"), (idx,), field, idx))
		due = parse_date(row.get("due_date"))
		if due is None:
			problems.append(Problem(_("Row {0}: Due Date is required"), (idx,), field, idx))
		elif start is not None and due < start:
			problems.append(
				Problem(
					_("Row {0}: Due Date {1} is before the plan starts ({2})"),
					(idx, due.isoformat(), start.isoformat()),
					field,
					idx,
				)
			)
	return problems


def recovery(
	records: pd.DataFrame, targets: Iterable[tuple[str, str]], since: tuple[int, int], months: int = 3
) -> pd.DataFrame:
	"""Did the targets a plan addresses recover in the ``months`` months after ``since`` (year, month)?

	One row per (agreement_code, target_code) of ``targets``, in their order (RECOVERY_COLUMNS). The
	window is the ``months`` calendar months that follow ``since`` (``since`` itself is not in it). A
	month's result is Breached when any record of the target that month breached (an amended agreement
	has a record per version), else Met when one is Met; No Data months and months not computed yet are
	not observed. Only submitted records count when ``records`` has a docstatus column.

	- months_observed: months of the window with a Met or Breached result; months_met: the Met ones.
	- recovered is None when no month was observed;
	  False when either of the last two observed months is Breached (this rule wins);
	  True when the last observed month is Met and at least ``months − 1`` observed months are Met;
	  None otherwise (too few months observed to say yet).
	With months=3: Met, Met (third month not computed yet) → True; Breached, Met, Met → True;
	Met, Breached, Met → False; Met → None; Breached → False; Met, No Data, Met → True.
	"""
	if months < 1:
		raise ValueError("months must be at least 1")
	window = []
	ym = (int(since[0]), int(since[1]))
	for _i in range(months):
		ym = next_month(*ym)
		window.append(ym)
	keys = list(dict.fromkeys((str(c), str(t)) for c, t in targets))

	per_month: dict[tuple[str, str, tuple[int, int]], str] = {}
	if keys and not records.empty:
		r = records
		if "docstatus" in r.columns:
			r = r[pd.to_numeric(r["docstatus"], errors="coerce") == 1]
		month_key = pd.to_numeric(r["year"]) * 100 + pd.to_numeric(r["month"])
		r = r[
			r["agreement_code"].astype(str).isin({c for c, _t in keys})
			& month_key.isin([y * 100 + m for y, m in window])
		]
		wanted = set(keys)
		for c, t, y, m, result in zip(
			r["agreement_code"].astype(str),
			r["target_code"].astype(str),
			r["year"],
			r["month"],
			r["result"],
			strict=True,
		):
			key = (c, t, (int(y), int(m)))
			if (c, t) in wanted and (
				result == BREACHED or (result == MET and per_month.get(key) != BREACHED)
			):
				per_month[key] = result

	rows = []
	for code, target in keys:
		seen = [per_month[(code, target, ym)] for ym in window if (code, target, ym) in per_month]
		met = sum(s == MET for s in seen)
		if not seen:
			recovered = None
		elif BREACHED in seen[-2:]:
			recovered = False
		elif seen[-1] == MET and met >= months - 1:
			recovered = True
		else:
			recovered = None
		rows.append((code, target, len(seen), met, recovered))
	out = pd.DataFrame(rows, columns=RECOVERY_COLUMNS)
	out["recovered"] = pd.Series([r[4] for r in rows], index=out.index, dtype=object)
	return out
