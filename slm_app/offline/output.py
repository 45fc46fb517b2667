"""What the command writes: the monitoring table, the breaches, the missed tickets and the consistency
conflicts as files, and a readable table with a summary."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import pandas as pd

from slm_app.core import breaches as core_breaches
from slm_app.core import compliance
from slm_app.core import targets as tgt
from slm_app.core.instants import iso_utc_array

MONITORING_COLUMNS = ["occurred" if c == "occurred_ns" else c for c in compliance.RESULT_COLUMNS]
BREACH_FILE_COLUMNS = [
	"name",
	*("occurred" if c == "occurred_ns" else c for c in core_breaches.BREACH_COLUMNS),
	"affected_customer",
	"affected_users_count",
	"affected_users",
	"underpinning_breached",
]
MISSED_COLUMNS = ["agreement", "target_code", "ticket_id", "elapsed_minutes", "target_minutes", "deadline"]
CONSISTENCY_COLUMNS = ["sla_agreement", "sla_target", "kind", "underpinning_agreement", "underpinning_target", "message"]


def _texts(values) -> list[str]:
	return ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]


def monitoring_table(results: pd.DataFrame) -> pd.DataFrame:
	out = results.copy()
	out["occurred"] = iso_utc_array(out["occurred_ns"].to_numpy())
	for col in ("period_start", "period_end"):
		out[col] = _texts(out[col])
	return out.reindex(columns=MONITORING_COLUMNS)


def breach_table(breaches: pd.DataFrame) -> pd.DataFrame:
	out = breaches.copy()
	out["occurred"] = iso_utc_array(out["occurred_ns"].to_numpy())
	return out.reindex(columns=BREACH_FILE_COLUMNS)


def missed_table(missed: pd.DataFrame) -> pd.DataFrame:
	out = missed.copy()
	out["deadline"] = iso_utc_array(out["deadline_ns"].to_numpy()) if "deadline_ns" in out.columns else []
	return out.reindex(columns=MISSED_COLUMNS)


def consistency_table(conflicts) -> pd.DataFrame:
	return pd.DataFrame(
		[(sla, c.sla_target, c.kind, c.underpinning_agreement or "", c.underpinning_target or "", c.format()) for sla, c in conflicts],
		columns=CONSISTENCY_COLUMNS,
	)


def write_tables(out_dir: Path, fmt: str, tables: dict[str, pd.DataFrame]) -> list[Path]:
	out_dir.mkdir(parents=True, exist_ok=True)
	written = []
	for name, frame in tables.items():
		path = out_dir / f"{name}.{fmt}"
		if fmt == "parquet":
			frame.to_parquet(path, index=False, engine="pyarrow")
		else:
			frame.to_csv(path, index=False, encoding="utf-8")
		written.append(path)
	return written


def write_outputs(out_dir: Path, fmt: str, results, breaches, missed) -> list[Path]:
	"""monitoring, breaches and missed_tickets of one month into ``out_dir``."""
	return write_tables(
		out_dir,
		fmt,
		{"monitoring": monitoring_table(results), "breaches": breach_table(breaches), "missed_tickets": missed_table(missed)},
	)


def _width(value: str) -> int:
	return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def _pad(value: str, width: int, right: bool = False) -> str:
	fill = " " * (width - _width(value))
	return fill + value if right else value + fill


def _num(value) -> str:
	return tgt.format_number(value)


def _text(value) -> str:
	return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()


def readable_table(results: pd.DataFrame, targets: pd.DataFrame) -> str:
	"""A fixed-width table: agreement, target, metric, priority, measured, target, sample, result."""
	direction = {(t.agreement, t.target_code): t.direction for t in targets.itertuples(index=False)}
	header = ("agreement", "target", "metric", "priority", "measured", "target", "sample", "result")
	lines = []
	for r in results.itertuples(index=False):
		kind = r.metric_kind
		unit = _text(r.unit)
		if kind in tgt.TIME_KINDS:
			limit = f"{_num(r.target_value)} {'h' if r.time_unit == 'Hours' else 'min'}"
			target = f"{_num(r.compliance_share)} % <= {limit}"
			measured = f"{r.measured_value:.1f} %"
			metric = kind
		elif kind == tgt.AVAILABILITY:
			target = f">= {_num(r.target_value)} %"
			measured = f"{r.measured_value:.3f} %"
			metric = kind
		else:
			sign = "<=" if direction.get((r.agreement, r.target_code)) == tgt.LOWER_IS_BETTER else ">="
			target = f"{sign} {_num(r.target_value)} {unit}".strip()
			measured = f"{_num(r.measured_value)} {unit}".strip() if not pd.isna(r.measured_value) else ""
			metric = _text(r.metric_name) or kind
		if int(r.sample_count) == 0 or pd.isna(r.measured_value):
			measured = "-"
		lines.append((r.agreement, r.target_code, metric, _text(r.priority), measured, target, str(int(r.sample_count)), r.result))
	widths = [max([_width(h)] + [_width(line[i]) for line in lines]) for i, h in enumerate(header)]
	right = (False, False, False, False, True, True, True, False)
	rows = [header, tuple("-" * w for w in widths), *lines]
	return "\n".join("  ".join(_pad(c, w, r) for c, w, r in zip(row, widths, right, strict=True)).rstrip() for row in rows)


def summary(results: pd.DataFrame, year: int, month: int) -> str:
	counts = results["result"].value_counts() if len(results) else {}
	n = {k: int(counts.get(k, 0)) for k in (compliance.MET, compliance.BREACHED, compliance.NO_DATA)}
	return (
		f"{year:04d}-{month:02d}: {n[compliance.MET]} met, {n[compliance.BREACHED]} breached, "
		f"{n[compliance.NO_DATA]} no data ({len(results)} targets)"
	)
