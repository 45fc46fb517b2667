"""What a counterparty's contact reads in the portal, built from the records it may read (no frappe).

Monthly results per target with their trend: one row per target of the agreement, the last months'
measured values as the customer reads them ("99.95 %", "96.1 %" of tickets in target, "4.2 points"),
each month's result and the trend of the measured value over the months shown."""

from __future__ import annotations

from collections.abc import Iterable

from slm_app.core.errors import _
from slm_app.core.service_reports import measured_text, target_text
from slm_app.core.targets import CUSTOM_METRIC, LOWER_IS_BETTER, describe

IMPROVING, WORSENING, STEADY, NO_TREND = _("Improving"), _("Worsening"), _("Steady"), _("Not enough data")
BREACHED, NO_DATA = "Breached", "No Data"


def trend(values: list[float | None], higher_is_better: bool = True, tolerance: float = 1e-9) -> str:
	"""The last measured value against the mean of the ones before it (months without data skipped)."""
	seen = [float(v) for v in values if v is not None]
	if len(seen) < 2:
		return NO_TREND
	last, before = seen[-1], sum(seen[:-1]) / len(seen[:-1])
	if abs(last - before) <= tolerance * max(1.0, abs(before)):
		return STEADY
	better = last > before if higher_is_better else last < before
	return IMPROVING if better else WORSENING


def results_by_target(targets: Iterable[dict], records: Iterable[dict], months: list[str]) -> list[dict]:
	"""One row per target: its promise, each month's measured text and result (None for a month without a
	record), the trend, and how many of the months shown were breached.

	``targets``: the agreement's target rows; ``records``: its monitoring records (target_code, period,
	result, measured_value, metric_kind, unit, ...); with two records of one target and month (a version
	amended within the month) the breached one counts."""
	by_key: dict[tuple[str, str], dict] = {}
	for r in records:
		key = (r.get("target_code"), r.get("period"))
		if key not in by_key or r.get("result") == BREACHED:
			by_key[key] = r
	rows = []
	for t in targets:
		code = t.get("target_code")
		higher = not (t.get("metric_kind") == CUSTOM_METRIC and t.get("direction") == LOWER_IS_BETTER)
		cells, values = [], []
		for month in months:
			r = by_key.get((code, month))
			if r is None:
				cells.append({"period": month, "result": None, "text": "–"})
				values.append(None)
				continue
			cells.append({"period": month, "result": r.get("result"), "text": measured_text(r)})
			has_value = r.get("result") not in (None, NO_DATA) and r.get("measured_value") is not None
			values.append(float(r["measured_value"]) if has_value else None)
		rows.append(
			{
				"target_code": code,
				"service": t.get("service"),
				"description": describe(t),
				"promise": target_text(t),
				"months": cells,
				"values": values,
				"trend": trend(values, higher),
				"breached": sum(1 for c in cells if c["result"] == BREACHED),
			}
		)
	return rows


def last_months(year: int, month: int, count: int) -> list[str]:
	"""``count`` months ending with (year, month), oldest first, as YYYY-MM."""
	out = []
	for _i in range(count):
		out.append(f"{year:04d}-{month:02d}")
		year, month = (year - 1, 12) if month == 1 else (year, month - 1)
	return out[::-1]
