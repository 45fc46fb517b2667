"""Reporting periods: calendar months in an agreement's time zone.

A month runs from local midnight on its first day to local midnight on the first day of the next month,
as real instants, so a month in which the clocks change is an hour shorter or longer than its days
suggest. A midnight that does not exist (the spring gap) means the first instant after the gap, one that
occurs twice means its first occurrence, exactly as :func:`slm_app.core.calendar.local_instant` reads
every other local time.

Instants are aware datetimes or, for arrays, int64 nanoseconds since the Unix epoch in UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from slm_app.core.calendar import local_instant
from slm_app.core.errors import Problem, RuleError, _

UTC = timezone.utc
NAT = np.iinfo(np.int64).min  # numpy's NaT as int64 nanoseconds

Month = tuple[int, int]


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
	return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _check_month(year: int, month: int) -> None:
	if not 1 <= int(month) <= 12:
		raise ValueError(f"month must be 1-12, not {month}")


_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def period_key(year: int, month: int) -> str:
	"""A month as the monitoring table, the breaches and the files write it: "2026-03"."""
	_check_month(year, month)
	return f"{int(year):04d}-{int(month):02d}"


# the years a month of monitoring can be in: anything else is a typing error (0001-01, 9999-12)
FIRST_YEAR, LAST_YEAR = 1970, 2199


def parse_month(value, label: str | None = None, field: str = "month") -> Month:
	"""(year, month) from "2026-03" (or "2026-3"). Raises RuleError naming the value; ``label`` (already in
	the user's language) names the field in the message."""
	match = _MONTH_RE.match(value) if isinstance(value, str) else None
	if not match or not 1 <= int(match[2]) <= 12:
		if label:
			raise RuleError([Problem(_("{0} must look like 2026-03, not {1}"), (label, value), field)])
		raise RuleError([Problem(_("Month must look like 2026-03, not {0}"), (value,), field)])
	if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
		raise RuleError(
			[Problem(_("Month {0} is outside the years monitoring covers ({1} to {2})"), (value, FIRST_YEAR, LAST_YEAR), field)]
		)
	return int(match[1]), int(match[2])


def parse_months(value, field: str = "months") -> list[Month]:
	"""Every month of "2026-01..2026-06" (both ends included), or the one month of "2026-03"."""
	text = value.strip() if isinstance(value, str) else value
	if isinstance(text, str) and ".." in text:
		first, _sep, last = text.partition("..")
		first, last = parse_month(first, field=field), parse_month(last, field=field)
		if last < first:
			raise RuleError([Problem(_("The range {0} ends before it starts; give the first month first, e.g. 2026-01..2026-06"), (value,), field)])
		return months_between(date(*first, 1), date(*last, 1))
	return [parse_month(text, field=field)]


def next_month(year: int, month: int) -> Month:
	_check_month(year, month)
	return (year + 1, 1) if month == 12 else (year, month + 1)


def month_bounds(year: int, month: int, tz: str | ZoneInfo) -> tuple[datetime, datetime]:
	"""The instants (aware, UTC) of local midnight at the start of the month and of the next month."""
	zone = _zone(tz)
	after = next_month(year, month)
	return (
		local_instant(date(year, month, 1), 0, zone),
		local_instant(date(after[0], after[1], 1), 0, zone),
	)


def month_of(instant: datetime, tz: str | ZoneInfo) -> Month:
	"""The local (year, month) of an aware instant."""
	if not isinstance(instant, datetime) or instant.utcoffset() is None:
		raise ValueError("a timezone-aware datetime is required")
	local = instant.astimezone(_zone(tz))
	return local.year, local.month


def months_between(first: date, last: date) -> list[Month]:
	"""Every (year, month) from the month of ``first`` to the month of ``last``, both included.

	Empty when ``last`` lies in an earlier month than ``first``.
	"""
	year, month = first.year, first.month
	months: list[Month] = []
	while (year, month) <= (last.year, last.month):
		months.append((year, month))
		year, month = next_month(year, month)
	return months


def previous_month(today: date) -> Month:
	"""The (year, month) before the month of ``today``: the month a scheduler run on ``today`` closes."""
	return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def month_key(year: int, month: int) -> int:
	"""The yyyymm number of a month, as :func:`month_keys` gives it."""
	_check_month(year, month)
	return year * 100 + month


def month_keys(instants_ns: np.ndarray, tz: str | ZoneInfo) -> np.ndarray:
	"""The local month of each instant as an int32 yyyymm (202403 for March 2024).

	``instants_ns`` are int64 UTC nanoseconds (or datetime64 values, taken as UTC); NaT gives 0.
	"""
	values = np.asarray(instants_ns)
	if values.dtype.kind == "M":
		values = values.astype("datetime64[ns]").view(np.int64)
	values = values.astype(np.int64, copy=False)
	missing = values == NAT
	stamps = pd.DatetimeIndex(values.view("datetime64[ns]")).tz_localize(UTC).tz_convert(str(_zone(tz)))
	keys = np.asarray(stamps.year, dtype=np.float64) * 100 + np.asarray(stamps.month, dtype=np.float64)
	keys[missing] = 0
	return keys.astype(np.int32)
