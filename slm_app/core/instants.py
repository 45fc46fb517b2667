"""Instants between the core and the places that store them.

The core works in int64 UTC nanoseconds (:data:`NAT` for none). A Frappe site stores naive datetimes in its
system time zone, files carry ISO 8601 text. A local wall time is read exactly as
:func:`slm_app.core.calendar.local_instant` reads it: a time the clocks skip (spring gap) is the first
instant after the gap, a time that occurs twice (autumn fold) is its first occurrence.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

NAT = np.iinfo(np.int64).min
# the end of a pause that is still running on an open ticket (what measurements.check_tickets gives it)
OPEN_END = np.iinfo(np.int64).max // 2


def naive_to_ns(values, tz: str) -> np.ndarray:
	"""Naive local wall times in ``tz`` (datetimes, Timestamps or ISO text; None, NaT or blank for none) as
	int64 UTC ns, :data:`NAT` where there is none."""
	values = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
	if not len(values):
		return np.zeros(0, dtype=np.int64)
	if values.dtype.kind == "M":
		stamps = pd.DatetimeIndex(values)
	else:  # text (blank is none) or datetime objects
		stamps = pd.DatetimeIndex(pd.to_datetime(values.astype(object), errors="coerce", format="ISO8601"))
	if stamps.tz is not None:
		raise ValueError("naive wall times expected")
	missing = np.asarray(stamps.isna())
	# the first occurrence of a repeated wall time; the first instant after a skipped one
	local = stamps.tz_localize(tz, ambiguous=np.ones(len(stamps), dtype=bool), nonexistent="shift_forward")
	return np.where(missing, NAT, np.asarray(local.as_unit("ns").asi8, dtype=np.int64))


def naive_to_aware(naive: datetime, tz: str) -> datetime:
	"""A naive local time in ``tz`` as an aware UTC datetime (read as :func:`naive_to_ns` reads it)."""
	return pd.Timestamp(int(naive_to_ns([naive], tz)[0]), tz="UTC").to_pydatetime()


def ns_to_naive(value, tz: str) -> datetime | None:
	"""UTC ns as a naive local datetime in ``tz`` (for a site's Datetime fields); None for none or open."""
	if value is None or pd.isna(value) or int(value) == NAT or int(value) >= OPEN_END:
		return None
	return pd.Timestamp(int(value), tz="UTC").tz_convert(tz).tz_localize(None).to_pydatetime()


def iso_utc(value) -> str:
	"""UTC ns as ISO 8601 text in UTC: 2026-03-09T01:30:00Z (with microseconds when the instant has a
	fraction of a second); empty for none or open."""
	if value is None or pd.isna(value):
		return ""
	return str(iso_utc_array([int(value)])[0])


def iso_utc_array(values) -> np.ndarray:
	""":func:`iso_utc` of many instants at once."""
	ns = np.asarray(values, dtype=np.int64)
	none = (ns == NAT) | (ns >= OPEN_END)
	stamps = np.where(none, 0, ns).astype("datetime64[ns]")
	whole = ns % 1_000_000_000 == 0
	text = np.where(
		whole, np.datetime_as_string(stamps, unit="s"), np.datetime_as_string(stamps, unit="us")
	).astype(object)
	return np.where(none, "", text + "Z").astype(object)


def naive_to_iso_utc(values, tz: str) -> np.ndarray:
	"""Naive local wall times in ``tz`` as ISO 8601 UTC text (what the exporter writes)."""
	return iso_utc_array(naive_to_ns(values, tz))


def utc_offset(naive: datetime, tz: str) -> str:
	"""The UTC offset of a naive local time in ``tz``, as +HH:MM (read as :func:`naive_to_ns` reads it)."""
	ns = int(naive_to_ns([naive], tz)[0])
	offset = (pd.Timestamp(naive).value - ns) // 60_000_000_000
	sign = "+" if offset >= 0 else "-"
	return f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
