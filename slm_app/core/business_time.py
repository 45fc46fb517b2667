"""Business time over arrays: elapsed working time and deadlines for many tickets at once.

The scalar functions in :mod:`slm_app.core.calendar` walk a calendar day by day for every ticket. Here a
calendar is turned once into a :class:`CalendarIndex`: its working intervals over a span of time as sorted,
non-overlapping int64 arrays (UTC nanoseconds since the epoch) with the cumulative working time at each
interval. Every question about a row is then a binary search (``np.searchsorted``) and some arithmetic, so
n rows cost O(n log m) for m intervals, without a Python loop per row.

The working intervals come from :func:`slm_app.core.calendar.working_intervals`, so the index reads the
calendar exactly as the scalar functions do (several windows a day, holidays, extra working days, DST):
both give the same business time, to the nanosecond of the boundaries.

Instants are int64 nanoseconds since 1970-01-01 UTC (:func:`to_ns` converts aware datetimes, pandas and
numpy datetimes). Durations come back as float seconds (exact for whole seconds) or, from the ``*_ns``
methods, as exact int64 nanoseconds.

An index only knows its span. Asking it about time outside the span raises ``ValueError``, except that a
deadline needing working time after the end of the span is :data:`BEYOND` (the largest int64): build the
index with enough margin after the last instant and the longest target (:func:`index_for` rounds the span
out to whole years and caches the index, so a margin costs little).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd

from slm_app.core.calendar import ServiceCalendar, working_intervals

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# deadline() gives this for a row whose deadline lies after the end of the index
BEYOND = np.iinfo(np.int64).max
_NS_PER_S = 1_000_000_000

# ---------------------------------------------------------------------------------------------------
# instants


def _datetime_ns(value: datetime) -> int:
	if not isinstance(value, datetime) or value.utcoffset() is None:
		raise ValueError("timezone-aware datetimes required")
	return (value - EPOCH) // timedelta(microseconds=1) * 1000


def to_ns(values) -> np.ndarray | int:
	"""UTC nanoseconds since the epoch, as int64.

	Takes one aware datetime (gives an int), a sequence of aware datetimes, a tz-aware pandas Series or
	DatetimeIndex, a numpy datetime64 array (numpy has no zones: its values are read as UTC) or int64
	nanoseconds (returned as they are). Naive datetimes raise ValueError: they name no instant.
	"""
	if isinstance(values, datetime):
		return _datetime_ns(values)
	if isinstance(values, pd.Series | pd.Index):
		if isinstance(values.dtype, pd.DatetimeTZDtype):
			return np.asarray(values.dt.tz_convert(UTC).dt.as_unit("ns") if isinstance(values, pd.Series)
				else values.tz_convert(UTC).as_unit("ns")).view(np.int64) if False else _pandas_ns(values)
		if values.dtype.kind == "M":
			raise ValueError("timezone-aware datetimes required")
		values = values.to_numpy()
	array = np.asarray(values)
	if array.dtype.kind == "M":
		return array.astype("datetime64[ns]").view(np.int64)
	if array.dtype == object:
		return np.fromiter((_datetime_ns(v) for v in array.ravel()), np.int64, array.size).reshape(array.shape)
	if array.dtype.kind not in "iu":
		raise ValueError(f"cannot read {array.dtype} values as instants")
	return array.astype(np.int64, copy=False)
