"""What-if before signing: a draft's targets against past months (issue 12).

A draft agreement or an amendment is previewed against the last closed months of the same
counterparty's measurements: for each month the draft is taken as if it had been in force the whole
month, on its own calendar, and the month pipeline (:func:`slm_app.core.month.compute_month`, the one the
monthly job runs) computes its results on that month's measurements; next to each result stands what the
agreement in force then was judged (its monitoring record for the same target), so the manager sees, per
target and month, what would have been Met or Breached and what was. Nothing is written.

The draft's targets are matched to the records of the month by target code first (an amendment keeps the
codes of the version it amends; codes are never reused), else by the same service, kind, priority and
metric name.
"""

from __future__ import annotations

import pandas as pd

from slm_app.core import targets as tgt
from slm_app.core.compliance import Measurements
from slm_app.core.month import MonthInput, compute_month
from slm_app.core.periods import period_key

# what was: the monitoring records of the months previewed
ACTUAL_COLUMNS = ["period", "agreement", "target_code", "service", "metric_kind", "metric_name", "priority", "measured_value", "result", "target_value"]
PREVIEW_COLUMNS = [
	"period",
	"target_code",
	"target",  # the draft's target, as text
	"service",
	"metric_kind",
	"would_value",
	"would_sample",
	"would_result",
	"was_agreement",
	"was_target_code",
	"was_target",  # the target in force then, as text
	"was_value",
	"was_result",
	"changed",  # the result would have been different
]


def _key(row: dict) -> tuple:
	name = (row.get("metric_name") or "").strip().casefold() if row.get("metric_kind") == tgt.CUSTOM_METRIC else ""
	return (row.get("service") or "", row.get("metric_kind") or "", (row.get("priority") or "").strip(), name)


def preview(
	draft: dict,
	targets: pd.DataFrame,
	calendars: dict,
	measurements: Measurements,
	months: list[tuple[int, int]],
	actual: pd.DataFrame | None = None,
	actual_targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
	"""PREVIEW_COLUMNS, by month and target code.

	``draft``: agreement, agreement_code, version, agreement_type, party, calendar (its own values);
	``targets``: its target rows (month.TARGET_ROW_COLUMNS); ``measurements``: the counterparty's
	measurements of those months, with the tickets and metric values keyed to the draft's agreement code;
	``actual``: ACTUAL_COLUMNS (the records of the months, any version); ``actual_targets``: the target
	rows of those versions (agreement, target_code, ..., to describe what was promised then).
	"""
	rows = []
	versions = pd.DataFrame(
		[
			{
				**{k: draft.get(k) for k in ("agreement", "agreement_code", "version", "agreement_type", "party", "calendar")},
				"valid_from": None,
				"valid_to": None,
				"ended_on": None,
				"state": "Active",  # as if in force the whole month
			}
		]
	)
	actual = actual.reindex(columns=ACTUAL_COLUMNS) if actual is not None else pd.DataFrame(columns=ACTUAL_COLUMNS)
	promised = {}
	if actual_targets is not None and len(actual_targets):
		promised = {(r["agreement"], r["target_code"]): tgt.describe(r) for r in actual_targets.to_dict("records")}
	described = {r["target_code"]: tgt.describe(r) for r in targets.to_dict("records")}
	for year, month in months:
		result = compute_month(MonthInput(year, month, versions, targets, calendars, measurements)).results
		period = period_key(year, month)
		was = actual[actual["period"] == period].to_dict("records")
		by_code = {r["target_code"]: r for r in was}
		by_key: dict[tuple, dict] = {}
		for r in sorted(was, key=lambda r: (str(r["agreement"]), str(r["target_code"]))):
			by_key.setdefault(_key(r), r)
		for r in result.to_dict("records"):
			match = by_code.get(r["target_code"])
			if match is None or _key(match) != _key(r):
				match = by_key.get(_key(r))
			would = r["result"]
			rows.append(
				{
					"period": period,
					"target_code": r["target_code"],
					"target": described.get(r["target_code"], ""),
					"service": r["service"],
					"metric_kind": r["metric_kind"],
					"would_value": None if pd.isna(r["measured_value"]) else float(r["measured_value"]),
					"would_sample": int(r["sample_count"]),
					"would_result": would,
					"was_agreement": match["agreement"] if match else None,
					"was_target_code": match["target_code"] if match else None,
					"was_target": promised.get((match["agreement"], match["target_code"]), "") if match else "",
					"was_value": None if not match or pd.isna(match["measured_value"]) else float(match["measured_value"]),
					"was_result": match["result"] if match else None,
					"changed": bool(match) and match["result"] != would,
				}
			)
	return pd.DataFrame(rows, columns=PREVIEW_COLUMNS)


def rekey(measurements: Measurements, codes: dict[str, str]) -> Measurements:
	"""The measurements of some agreement codes as the draft's: tickets and metric values of each code in
	``codes`` (source code → draft code) under the draft's code; those of other codes left out. Outages and
	coverage are by service and stay as they are."""
	tk = measurements.tickets
	tk = tk[tk["agreement_code"].isin(codes).to_numpy(dtype=bool)].copy() if len(tk) else tk
	if len(tk):
		tk["agreement_code"] = tk["agreement_code"].map(codes)
	pauses = measurements.pauses
	if len(pauses):
		pauses = pauses[pauses["ticket_id"].isin(set(tk["ticket_id"])).to_numpy(dtype=bool)].drop(columns=["ticket_row"], errors="ignore").reset_index(drop=True)
	metrics = measurements.metrics
	if len(metrics):
		metrics = metrics[metrics["agreement_code"].isin(codes).to_numpy(dtype=bool)].copy()
		metrics["agreement_code"] = metrics["agreement_code"].map(codes)
	return Measurements(tk.reset_index(drop=True), pauses, measurements.outages, measurements.coverage, metrics)
