"""How often the month-to-date projection was right (issue 12): a backtest on closed months.

For each closed month and each day asked (10 and 20 by default), the projection is made exactly as the
hourly run makes it — :func:`slm_app.core.budget.month_to_date` on the measurements as they were known at
the end of that day (:func:`~slm_app.core.budget.censor`), learning from the months before it — and
compared with the month's final result from the month pipeline on everything measured. A projection is
right when it says Breached (status At Risk or Breached) for a target that ended Breached, or Met (On
Track) for one that ended Met. Targets with No Data at either end are left out; named metrics too (they
have no budget and their projection is their mean so far).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from slm_app.core import targets as tgt
from slm_app.core.budget import AT_RISK, BREACHED, HISTORY_COLUMNS, MET, ON_TRACK, month_to_date
from slm_app.core.month import MonthInput, compute_month
from slm_app.core.calendar import local_instant
from slm_app.core.periods import next_month, period_key

BACKTEST_COLUMNS = ["period", "day", "agreement", "agreement_type", "target_code", "metric_kind", "status", "projected", "actual", "right"]


def day_end(year: int, month: int, day: int, tz) -> object:
	"""The end of the local day (midnight after it) in ``tz``."""
	from zoneinfo import ZoneInfo

	zone = tz if not isinstance(tz, str) else ZoneInfo(tz)
	first = date(year, month, 1)
	at = date.fromordinal(first.toordinal() + day)
	if at.month != month:
		at = date(*next_month(year, month), 1)
	return local_instant(at, 0, zone)


def final_results(inp: MonthInput) -> pd.DataFrame:
	"""The closed month's results on everything measured, as history rows (HISTORY_COLUMNS + agreement)."""
	r = compute_month(replace(inp, as_of=None)).results
	out = r.assign(period=period_key(inp.year, inp.month))
	return out.reindex(columns=[*HISTORY_COLUMNS, "agreement"])


def backtest(inputs: list[MonthInput], days=(10, 20), tz="UTC", history_months: int = 3) -> pd.DataFrame:
	"""BACKTEST_COLUMNS for every month of ``inputs`` (closed months, oldest first) × day × target."""
	rows = []
	finals: list[pd.DataFrame] = []
	for inp in inputs:
		final = final_results(inp)
		history = pd.concat(finals[-history_months:], ignore_index=True) if finals else None
		actual = dict(zip(zip(final["agreement"], final["target_code"], strict=True), final["result"], strict=True))
		for day in days:
			as_of = day_end(inp.year, inp.month, day, tz)
			status = month_to_date(inp, as_of, history).status
			for r in status.to_dict("records"):
				if r["metric_kind"] == tgt.CUSTOM_METRIC:
					continue
				truth = actual.get((r["agreement"], r["target_code"]))
				if truth not in (MET, BREACHED) or r["status"] not in (ON_TRACK, AT_RISK, BREACHED):
					continue
				projected = MET if r["status"] == ON_TRACK else BREACHED
				rows.append(
					{
						"period": period_key(inp.year, inp.month),
						"day": day,
						"agreement": r["agreement"],
						"agreement_type": r["agreement_type"],
						"target_code": r["target_code"],
						"metric_kind": r["metric_kind"],
						"status": r["status"],
						"projected": projected,
						"actual": truth,
						"right": projected == truth,
					}
				)
		finals.append(final)
	return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
	"""Per day and kind (and all kinds): target-months, right, share right, and the breaches found among
	those that ended Breached (recall) and how many Breached projections were right (precision)."""
	if frame.empty:
		return pd.DataFrame(columns=["day", "metric_kind", "targets", "right", "right_pct", "breached", "breached_found", "projected_breached", "projected_right"])
	out = []
	for (day, kind), g in list(frame.groupby(["day", "metric_kind"])) + [((d, "All"), g) for d, g in frame.groupby("day")]:
		breached = g[g["actual"] == BREACHED]
		said = g[g["projected"] == BREACHED]
		out.append(
			{
				"day": day,
				"metric_kind": kind,
				"targets": len(g),
				"right": int(g["right"].sum()),
				"right_pct": round(100.0 * g["right"].mean(), 1),
				"breached": len(breached),
				"breached_found": int((breached["projected"] == BREACHED).sum()),
				"projected_breached": len(said),
				"projected_right": int((said["actual"] == BREACHED).sum()),
			}
		)
	return pd.DataFrame(out).sort_values(["day", "metric_kind"]).reset_index(drop=True)
