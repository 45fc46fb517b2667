"""Business time over arrays: elapsed working time and deadlines for many tickets at once.

The scalar functions in :mod:`slm_app.core.calendar` walk a calendar day by day for every ticket. Here a
calendar is turned once into a :class:`CalendarIndex`: its working intervals over a span of time as sorted,
non-overlapping int64 arrays (UTC nanoseconds since the epoch) with the cumulative working time at the
start of each interval. Every question about a row is then a binary search (``np.searchsorted``) and some
arithmetic, so n rows cost O(n log m) for m intervals, without a Python loop per row.

The working intervals are those of :func:`slm_app.core.calendar.working_intervals` (the tests hold the
two equal), so the index reads the calendar exactly as the scalar functions do (several windows a day,
holidays, extra working days, DST) and both give the same business time. They are found faster, though:
:func:`working_intervals_ns` converts all of a span's wall-clock boundaries at once and leaves only the
few that a clock change skips or repeats to :func:`slm_app.core.calendar.local_instant`.

Instants are int64 nanoseconds since 1970-01-01 UTC; :func:`to_ns` converts aware datetimes, tz-aware
pandas values and numpy datetimes. Durations come back as float seconds (exact for whole seconds) or, from
the ``*_ns`` methods, as exact int64 nanoseconds.

An index knows only its span. Asking it about time outside the span raises ValueError, except that a
deadline needing working time after the end of the span is :data:`BEYOND` (the largest int64): build the
index with enough margin after the last instant for the longest target. :func:`index_for` rounds the span
out to whole UTC years and caches the index per calendar, so a margin costs little and many agreements
sharing a calendar share one index.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd

from slm_app.core.calendar import ServiceCalendar, local_instant

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# what deadline() gives for a row whose deadline lies after the end of the index
BEYOND = np.iinfo(np.int64).max
NS_PER_SECOND = 1_000_000_000
DAY_NS = 86_400 * NS_PER_SECOND
_NAT = np.iinfo(np.int64).min
_MAX_SECONDS = BEYOND // NS_PER_SECOND // 2
# how many indexes index_for() keeps
CACHE_SIZE = 512

# ---------------------------------------------------------------------------------------------------
# instants


def _datetime_ns(value: datetime) -> int:
	if not isinstance(value, datetime) or value.utcoffset() is None:
		raise ValueError("timezone-aware datetimes required")
	return (value - EPOCH) // timedelta(microseconds=1) * 1000


def to_ns(values) -> np.ndarray | int:
	"""UTC nanoseconds since the epoch, as int64.

	Takes one aware datetime (gives an int), a sequence of aware datetimes, a tz-aware pandas Series or
	DatetimeIndex, a numpy datetime64 array (numpy has no zones: its values are read as UTC) or integer
	nanoseconds (returned as int64). Naive datetimes raise ValueError: they name no instant.
	"""
	if isinstance(values, datetime):
		return _datetime_ns(values)
	if isinstance(values, pd.Series | pd.Index):
		if not isinstance(values.dtype, pd.DatetimeTZDtype):
			if values.dtype.kind == "M":
				raise ValueError("timezone-aware datetimes required")
			return to_ns(values.to_numpy())
		index = pd.DatetimeIndex(values).tz_convert(UTC).as_unit("ns")
		return np.asarray(index.asi8, dtype=np.int64)
	array = np.asarray(values)
	if array.dtype.kind == "M":
		return array.astype("datetime64[ns]").view(np.int64)
	if array.size == 0:
		return np.zeros(array.shape, dtype=np.int64)
	if array.dtype == object:
		flat = [_datetime_ns(value) for value in array.ravel()]
		return np.array(flat, dtype=np.int64).reshape(array.shape)
	if array.dtype.kind not in "iu":
		raise ValueError(f"cannot read {array.dtype} values as instants")
	return array.astype(np.int64, copy=False)


def from_ns(value: int) -> datetime:
	"""The aware UTC datetime of int64 nanoseconds (to the microsecond)."""
	return EPOCH + timedelta(microseconds=int(value) // 1000)


def seconds_to_ns(seconds) -> np.ndarray:
	"""Durations in seconds (ints or floats) as int64 nanoseconds; negative or missing values raise."""
	array = np.asarray(seconds)
	if array.dtype.kind in "iu":
		if (array < 0).any() or (array > _MAX_SECONDS).any():
			raise ValueError("durations must be zero or more (and under 140 years)")
		return array.astype(np.int64) * NS_PER_SECOND
	array = array.astype(np.float64)
	if not np.isfinite(array).all() or (array < 0).any() or (array > _MAX_SECONDS).any():
		raise ValueError("durations must be finite and zero or more (and under 140 years)")
	return np.rint(array * NS_PER_SECOND).astype(np.int64)


def _as_ns(values) -> np.ndarray:
	array = to_ns(values)
	return np.asarray(array, dtype=np.int64)


# ---------------------------------------------------------------------------------------------------
# working intervals as arrays


def working_intervals_ns(
	cal: ServiceCalendar, start: datetime, end: datetime
) -> tuple[np.ndarray, np.ndarray]:
	"""The working intervals of ``cal`` that meet [start, end), as int64 UTC ns (not yet clipped or merged).

	Walks the same local dates and windows as :func:`slm_app.core.calendar.working_intervals` (cheap: a
	dictionary lookup per day), but turns the wall-clock boundaries into instants all at once with pandas.
	A wall time that the zone's clocks skip or repeat is handed to :func:`slm_app.core.calendar.local_instant`
	itself, so gaps and folds read exactly as the scalar functions read them (first instant after a gap,
	first occurrence of a repeated time); every other wall time has one instant only.
	"""
	zone = cal.tz
	first = _local_date(start, zone) - timedelta(days=1)
	last = _local_date(end, zone) + timedelta(days=1)
	days, lo_minutes, hi_minutes = [], [], []
	day = first
	while day <= last:
		for lo, hi in cal.windows_on(day):
			days.append(day)
			lo_minutes.append(lo)
			hi_minutes.append(hi)
		day += timedelta(days=1)
	if not days:
		empty = np.zeros(0, dtype=np.int64)
		return empty, empty
	return _local_ns(days, lo_minutes, zone), _local_ns(days, hi_minutes, zone)


def _local_date(instant: datetime, zone) -> date:
	if not isinstance(instant, datetime) or instant.utcoffset() is None:
		raise ValueError("timezone-aware datetimes required")
	return instant.astimezone(zone).date()


_EPOCH_DAY = date(1970, 1, 1).toordinal()


def _local_ns(days: list[date], minutes: list[float], zone) -> np.ndarray:
	"""The instants (int64 UTC ns) of local wall-clock times: minutes after midnight of each day."""
	# a minute count becomes a duration exactly as local_instant's timedelta(minutes=...) makes it
	offsets = {m: timedelta(minutes=m) // timedelta(microseconds=1) * 1000 for m in set(minutes)}
	wall = np.array([d.toordinal() - _EPOCH_DAY for d in days], dtype=np.int64) * DAY_NS
	wall += np.array([offsets[m] for m in minutes], dtype=np.int64)
	naive = pd.DatetimeIndex(wall.view("datetime64[ns]"))
	count = len(wall)
	early = naive.tz_localize(zone.key, ambiguous=np.ones(count, dtype=bool), nonexistent="NaT")
	late = naive.tz_localize(zone.key, ambiguous=np.zeros(count, dtype=bool), nonexistent="NaT")
	early = np.asarray(early.as_unit("ns").asi8, dtype=np.int64)
	late = np.asarray(late.as_unit("ns").asi8, dtype=np.int64)
	result = early.copy()
	for i in np.flatnonzero((early != late) | (early == _NAT)):  # skipped or repeated: a handful a year
		result[i] = _datetime_ns(local_instant(days[i], minutes[i], zone))
	return result


# ---------------------------------------------------------------------------------------------------
# the index


@dataclass(frozen=True, eq=False)
class CalendarIndex:
	"""The working time of one calendar over the span [start_ns, end_ns), ready for array questions.

	``starts`` and ``ends`` are the working intervals (sorted, non-overlapping, non-touching, clipped to
	the span); ``cumulative[k]`` is the working time before interval k, so ``cumulative[-1]`` is all of it.
	Build it with :meth:`build` or :func:`index_for`.
	"""

	start_ns: int
	end_ns: int
	starts: np.ndarray
	ends: np.ndarray
	cumulative: np.ndarray

	@classmethod
	def build(cls, cal: ServiceCalendar, start: datetime, end: datetime) -> CalendarIndex:
		"""The index of ``cal`` over [start, end), two aware datetimes.

		The intervals are exactly those of :func:`slm_app.core.calendar.working_intervals` (the tests hold
		the two equal), found without its Python loop over every window boundary: see
		:func:`working_intervals_ns`.
		"""
		start_ns, end_ns = _datetime_ns(start), _datetime_ns(end)
		if end_ns < start_ns:
			raise ValueError("the span of an index must not end before it starts")
		return cls.from_intervals(start_ns, end_ns, *working_intervals_ns(cal, start, end))

	@classmethod
	def from_intervals(cls, start_ns: int, end_ns: int, starts, ends) -> CalendarIndex:
		"""The index of arbitrary working intervals (int64 ns), clipped to the span and merged."""
		starts = np.clip(np.asarray(starts, dtype=np.int64), start_ns, end_ns)
		ends = np.clip(np.asarray(ends, dtype=np.int64), start_ns, end_ns)
		keep = ends > starts
		starts, ends = starts[keep], ends[keep]
		order = np.argsort(starts, kind="stable")
		starts, ends = starts[order], ends[order]
		if len(starts) > 1:
			# merge overlapping or touching intervals: a new run starts after a gap to every earlier end
			reach = np.maximum.accumulate(ends)
			first = np.concatenate(([True], starts[1:] > reach[:-1]))
			last = np.concatenate((first[1:], [True]))
			starts, ends = starts[first], reach[last]
		cumulative = np.concatenate(([0], np.cumsum(ends - starts))).astype(np.int64)
		for array in (starts, ends, cumulative):
			array.flags.writeable = False
		return cls(int(start_ns), int(end_ns), starts, ends, cumulative)

	@property
	def total_ns(self) -> int:
		"""All the working time in the span."""
		return int(self.cumulative[-1])

	# --- positions -----------------------------------------------------------------------------------

	def _position(self, t: np.ndarray) -> np.ndarray:
		"""Working ns in [start_ns, t) for each t (0 before the span, all of it after)."""
		count = len(self.starts)
		if count == 0:
			return np.zeros(t.shape, dtype=np.int64)
		k = np.searchsorted(self.ends, t, side="right")  # intervals over by t
		inner = np.minimum(k, count - 1)
		into = np.where(k < count, np.maximum(t - self.starts[inner], 0), 0)
		return self.cumulative[k] + into

	def _check_inside(self, a: np.ndarray, b: np.ndarray, rows: np.ndarray) -> None:
		outside = rows & ((a < self.start_ns) | (b > self.end_ns))
		if outside.any():
			first = int(np.flatnonzero(outside)[0])
			raise ValueError(
				f"{int(outside.sum())} row(s) reach outside the indexed span [{from_ns(self.start_ns)}, "
				f"{from_ns(self.end_ns)}), the first is row {first}: build the index over a longer span"
			)

	def positions_ns(self, t_ns) -> np.ndarray:
		"""Working nanoseconds from the start of the span to each instant (0 before the span, all of it
		after): coordinates in which business-time intervals can be merged and measured by subtraction."""
		return self._position(np.asarray(_as_ns(t_ns), dtype=np.int64))

	def instants_ns(self, positions) -> np.ndarray:
		"""The earliest instant at which the working time since the start of the span reaches each
		position (the inverse of :meth:`positions_ns`); :data:`BEYOND` for a position past the span."""
		target = np.asarray(positions, dtype=np.int64)
		count = len(self.starts)
		if count == 0:
			return np.full(target.shape, BEYOND, dtype=np.int64)
		k = np.searchsorted(self.cumulative[1:], target, side="left")
		inner = np.minimum(k, count - 1)
		t = self.starts[inner] + (target - self.cumulative[inner])
		return np.where(k < count, t, BEYOND)

	# --- elapsed -------------------------------------------------------------------------------------

	def elapsed_ns(self, a_ns, b_ns) -> np.ndarray:
		"""Working nanoseconds in [a, b) for each pair; 0 where b <= a."""
		a, b = np.broadcast_arrays(_as_ns(a_ns), _as_ns(b_ns))
		rows = b > a
		self._check_inside(a, b, rows)
		return np.where(rows, self._position(b) - self._position(a), 0)

	def elapsed(self, a_ns, b_ns) -> np.ndarray:
		"""Working seconds in [a, b) for each pair (float, exact for whole seconds); 0 where b <= a."""
		return self.elapsed_ns(a_ns, b_ns) / NS_PER_SECOND

	def elapsed_excluding_ns(self, a_ns, b_ns, pause_owner, pause_start_ns, pause_end_ns) -> np.ndarray:
		"""Working nanoseconds in [a_i, b_i) that no pause of row i covers.

		Pause j belongs to row ``pause_owner[j]`` and covers [pause_start_ns[j], pause_end_ns[j]). Pauses may
		overlap each other, reach outside their row's interval and come in any order; a pause that ends
		before it starts covers nothing. Rows without pauses get their plain elapsed time.
		"""
		a, b = np.broadcast_arrays(_as_ns(a_ns), _as_ns(b_ns))
		a, b = a.ravel(), b.ravel()
		total = self.elapsed_ns(a, b)
		owner = np.asarray(pause_owner).ravel()
		if owner.size and owner.dtype.kind not in "iu":
			raise ValueError("pause owners must be row numbers")
		owner = owner.astype(np.int64)
		lo, hi = np.broadcast_arrays(_as_ns(pause_start_ns), _as_ns(pause_end_ns))
		lo, hi = lo.ravel(), hi.ravel()
		if not len(owner) == len(lo) == len(hi):
			raise ValueError("every pause needs an owner, a start and an end")
		if owner.size and (owner.min() < 0 or owner.max() >= len(a)):
			raise ValueError(f"pause owners must be row numbers from 0 to {len(a) - 1}")
		# clip each pause to its row's interval, drop what is left empty
		lo = np.maximum(lo, a[owner])
		hi = np.minimum(hi, b[owner])
		keep = hi > lo
		if not keep.any():
			return total
		owner, lo, hi = owner[keep], self._position(lo[keep]), self._position(hi[keep])
		# In working-time coordinates (monotone in real time) a pause is [lo, hi). Sorted by row and start,
		# the part of a pause no earlier pause of its row covers is [max(lo, reach), max(hi, reach)), where
		# reach is the furthest end of those earlier pauses: a cumulative maximum within each row.
		order = np.lexsort((lo, owner))
		owner, lo, hi = owner[order], lo[order], hi[order]
		ends, rank = np.unique(hi, return_inverse=True)
		# rows are sorted, so row * len(ends) + rank only grows from row to row: one running maximum
		# restarts at every row
		key = owner * len(ends) + rank.ravel()
		reach = ends[np.maximum.accumulate(key) - owner * len(ends)]
		first = np.concatenate(([True], owner[1:] != owner[:-1]))
		before = np.where(first, lo, np.concatenate(([0], reach[:-1])))
		fresh = np.maximum(hi - np.maximum(lo, before), 0)
		# sum per row in int64 (np.bincount would sum float64 weights and round)
		heads = np.flatnonzero(first)
		covered = np.zeros(len(a), dtype=np.int64)
		covered[owner[heads]] = np.add.reduceat(fresh, heads)
		return total - covered

	def elapsed_excluding(self, a_ns, b_ns, pause_owner, pause_start_ns, pause_end_ns) -> np.ndarray:
		"""Working seconds in [a_i, b_i) that no pause of row i covers; see :meth:`elapsed_excluding_ns`."""
		return (
			self.elapsed_excluding_ns(a_ns, b_ns, pause_owner, pause_start_ns, pause_end_ns) / NS_PER_SECOND
		)

	# --- deadlines -----------------------------------------------------------------------------------

	def deadline_ns(self, a_ns, duration_ns) -> np.ndarray:
		"""The earliest t >= a with ``elapsed_ns(a, t) == duration`` for each row; a for a duration of 0.

		A row whose deadline lies after the end of the span gets :data:`BEYOND` (so does a row starting
		after the span with a duration above 0); a row starting before the span raises ValueError.
		"""
		a, need = np.broadcast_arrays(_as_ns(a_ns), np.asarray(duration_ns, dtype=np.int64))
		if (need < 0).any():
			raise ValueError("durations must be zero or more")
		self._check_inside(a, np.full(a.shape, self.start_ns), np.ones(a.shape, dtype=bool))
		count = len(self.starts)
		if count == 0:
			return np.where(need == 0, a, BEYOND)
		target = self._position(np.minimum(a, self.end_ns)) + need
		k = np.searchsorted(self.cumulative[1:], target, side="left")  # first interval reaching target
		inner = np.minimum(k, count - 1)
		t = self.starts[inner] + (target - self.cumulative[inner])
		return np.where(need == 0, a, np.where(k < count, t, BEYOND))

	def deadline_excluding_ns(self, a_ns, duration_ns, pause_owner, pause_start_ns, pause_end_ns, b_ns=None) -> np.ndarray:
		"""The earliest t >= a_i at which row i has ``duration`` of working time not covered by its pauses.

		Pauses are taken as in :meth:`elapsed_excluding_ns`; ``b_ns`` (optional) ends each row: pauses after
		it are ignored. Exact: the merged pauses are walked in working-time coordinates, one pass, no rounds.
		Rows whose deadline lies past the end of the span get :data:`BEYOND`.
		"""
		a, need = np.broadcast_arrays(_as_ns(a_ns), np.asarray(duration_ns, dtype=np.int64))
		a, need = a.ravel(), need.ravel()
		if (need < 0).any():
			raise ValueError("durations must be zero or more")
		b = np.full(a.shape, self.end_ns, dtype=np.int64) if b_ns is None else np.minimum(np.broadcast_to(_as_ns(b_ns), a.shape).ravel(), self.end_ns)
		self._check_inside(a, np.full(a.shape, self.start_ns), np.ones(a.shape, dtype=bool))
		pa = self._position(a)
		extra = np.zeros(len(a), dtype=np.int64)
		owner = np.asarray(pause_owner).ravel().astype(np.int64)
		lo, hi = np.broadcast_arrays(_as_ns(pause_start_ns), _as_ns(pause_end_ns))
		lo, hi = lo.ravel(), hi.ravel()
		if owner.size:
			lo = np.maximum(lo, a[owner])
			hi = np.minimum(hi, b[owner])
			keep = hi > lo
			owner, lo, hi = owner[keep], self._position(lo[keep]), self._position(hi[keep])
		if owner.size:
			order = np.lexsort((lo, owner))
			owner, lo, hi = owner[order], lo[order], hi[order]
			ends, rank = np.unique(hi, return_inverse=True)
			key = owner * len(ends) + rank.ravel()
			reach = ends[np.maximum.accumulate(key) - owner * len(ends)]
			first = np.concatenate(([True], owner[1:] != owner[:-1]))
			before = np.where(first, lo, np.concatenate(([0], reach[:-1])))
			start = np.maximum(lo, before)  # where the fresh (not yet covered) part of the pause begins
			fresh = np.maximum(hi - start, 0)
			heads = np.flatnonzero(first)
			group = np.cumsum(first) - 1
			cum = np.cumsum(fresh)
			offset = np.concatenate(([0], cum[heads[1:] - 1])) if len(heads) > 1 else np.array([0])
			paused_before = cum - fresh - offset[group]
			# net working time reached when this pause starts; the deadline falls before the first pause
			# whose start is already at or past the duration
			net = start - pa[owner] - paused_before
			hit = (net >= need[owner]) & (fresh > 0)
			index = np.arange(len(owner))
			firsthit = np.minimum.reduceat(np.where(hit, index, len(owner)), heads)
			totals = np.add.reduceat(fresh, heads)
			rows = owner[heads]
			found = firsthit < len(owner)
			extra[rows] = np.where(found, paused_before[np.minimum(firsthit, len(owner) - 1)], totals)
		target = pa + need + extra
		count = len(self.starts)
		if count == 0:
			return np.where(need == 0, a, BEYOND)
		k = np.searchsorted(self.cumulative[1:], target, side="left")
		inner = np.minimum(k, count - 1)
		t = self.starts[inner] + (target - self.cumulative[inner])
		return np.where(need == 0, a, np.where(k < count, t, BEYOND))

	def deadline(self, a_ns, seconds) -> np.ndarray:
		"""The deadline (int64 ns) ``seconds`` of working time after each a; :data:`BEYOND` past the span."""
		return self.deadline_ns(a_ns, seconds_to_ns(seconds))


# ---------------------------------------------------------------------------------------------------
# one index per calendar and span, cached


def calendar_key(cal: ServiceCalendar) -> tuple:
	"""A hashable value that is equal for calendars with the same zone, windows and exceptions."""
	return (
		cal.timezone,
		tuple(sorted((day, tuple(windows)) for day, windows in cal.windows.items())),
		tuple(sorted(cal.holidays)),
		tuple(sorted((day, tuple(windows)) for day, windows in cal.extra_days.items())),
	)


_CACHE: OrderedDict[tuple, CalendarIndex] = OrderedDict()


def index_for(cal: ServiceCalendar, start: datetime, end: datetime) -> CalendarIndex:
	"""An index of ``cal`` covering at least [start, end), from whole UTC years, cached.

	Calendars that are equal (:func:`calendar_key`) share an index, so a run over thousands of agreements
	builds one index per distinct calendar and span of years.
	"""
	start_ns, end_ns = _datetime_ns(start), _datetime_ns(end)
	first = start.astimezone(UTC).year
	last = end.astimezone(UTC).year + 1
	if end_ns < start_ns:
		raise ValueError("the span of an index must not end before it starts")
	key = (calendar_key(cal), first, last)
	index = _CACHE.get(key)
	if index is None:
		index = CalendarIndex.build(cal, datetime(first, 1, 1, tzinfo=UTC), datetime(last, 1, 1, tzinfo=UTC))
		_CACHE[key] = index
		while len(_CACHE) > CACHE_SIZE:
			_CACHE.popitem(last=False)
	else:
		_CACHE.move_to_end(key)
	return index


def clear_cache() -> None:
	_CACHE.clear()
