"""Reading the folder: which tables there are, their columns, and CSV or Parquet files into frames."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Table:
	required: tuple[str, ...]
	optional: tuple[str, ...] = ()
	needed: bool = False  # the folder must have this table


TABLES: dict[str, Table] = {
	"calendars": Table(("calendar", "timezone"), needed=True),
	"calendar_windows": Table(("calendar", "weekday", "start_time", "end_time"), needed=True),
	"calendar_exceptions": Table(("calendar", "exception_date", "exception_type"), ("start_time", "end_time")),
	"agreements": Table(
		("agreement", "agreement_code", "version", "agreement_type", "party", "calendar"),
		("valid_from", "valid_to", "ended_on", "state"),
		needed=True,
	),
	"agreement_services": Table(("agreement", "service")),
	"targets": Table(
		("agreement", "target_code", "service", "metric_kind", "target_value"),
		("metric_name", "unit", "direction", "priority", "time_unit", "compliance_share"),
		needed=True,
	),
	"underpinning": Table(("sla_agreement", "sla_target", "underpinning_code", "underpinning_target"), ("underpinning_agreement",)),
	"tickets": Table(("ticket_id", "created"), ("agreement", "service", "customer", "priority", "first_response", "resolved", "raised_by")),
	"pauses": Table(("ticket_id", "start"), ("end",)),
	"outages": Table(("service", "start", "end"), ("planned",)),
	"coverage": Table(("service", "start", "end")),
	"metrics": Table(("agreement", "value"), ("target", "target_code", "at", "period")),
}
MEASUREMENT_TABLES = ("tickets", "pauses", "outages", "coverage", "metrics")


class FolderError(Exception):
	"""The folder cannot be computed: every reason found, each a line a user can act on."""

	def __init__(self, messages: Iterable[str]):
		self.messages = list(messages)
		super().__init__("\n".join(self.messages))


def need_pyarrow(action: str) -> None:
	if importlib.util.find_spec("pyarrow") is None:
		raise FolderError([f"install pyarrow to {action} Parquet (pip install pyarrow), or use CSV"])


def read_table(path: Path) -> pd.DataFrame:
	"""One table; CSV is read as text (UTF-8, a byte-order mark is fine), Parquet with its own types."""
	try:
		if path.suffix == ".parquet":
			need_pyarrow("read")
			frame = pd.read_parquet(path, engine="pyarrow")
		else:
			frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
	except FolderError:
		raise
	except (ValueError, OSError, UnicodeDecodeError) as e:
		raise FolderError([f"{path.name}: cannot be read: {e}"]) from None
	frame.columns = [str(c).strip().lower() for c in frame.columns]
	return frame


def read_folder(path) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
	"""``<name>.csv`` or ``<name>.parquet`` for every table of the folder format, and the file row number of
	each table's first data row (CSV 2: the header is row 1; Parquet 1)."""
	folder = Path(path)
	if not folder.is_dir():
		raise FolderError([f"{folder} is not a folder"])
	tables: dict[str, pd.DataFrame] = {}
	first_rows: dict[str, int] = {}
	errors = []
	for name in TABLES:
		csv_path, parquet_path = folder / f"{name}.csv", folder / f"{name}.parquet"
		if csv_path.exists() and parquet_path.exists():
			errors.append(f"{name}: both {name}.csv and {name}.parquet are in the folder; keep one")
		elif csv_path.exists() or parquet_path.exists():
			try:
				tables[name] = read_table(csv_path if csv_path.exists() else parquet_path)
			except FolderError as e:
				errors.extend(e.messages)
			first_rows[name] = 2 if csv_path.exists() else 1
	if errors:
		raise FolderError(errors)
	return tables, first_rows


def clean(value):
	"""Blank text, None, NaN and NaT become None; text is stripped; numpy scalars become Python values."""
	if isinstance(value, str):
		value = value.strip()
		return value or None
	if value is None or value is pd.NaT or value is pd.NA:
		return None
	if isinstance(value, float) and math.isnan(value):
		return None
	if isinstance(value, np.generic):
		value = value.item()
		if isinstance(value, float) and math.isnan(value):
			return None
	return value


def records(frame: pd.DataFrame | None) -> list[dict]:
	if frame is None or frame.empty:
		return []
	return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def text(value) -> str:
	return "" if value is None else str(value).strip()
