"""Service calendars: when a service is delivered, and how much business time lies between instants.

A calendar has weekly windows (for example Monday 09:00-12:00 and 13:00-18:00), holidays (no service)
and extra working days (their own windows replace the weekday's windows for that date). Times are
wall-clock times in the calendar's IANA time zone; an end time of 00:00 means the end of the day.

All arithmetic runs on real instants, never on wall-clock differences, so a window on a day when the
clocks change lasts as long as it really lasts. A local boundary that occurs twice (autumn) means its
first occurrence; one that does not exist (the spring gap) means the first instant after the gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slm_app.core.errors import Problem, RuleError, _

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOLIDAY = "Holiday"
EXTRA_WORKING_DAY = "Extra Working Day"
EXCEPTION_TYPES = (HOLIDAY, EXTRA_WORKING_DAY)

DAY_MINUTES = 1440
# add_business_minutes gives up when the calendar has no working time this far ahead
SEARCH_YEARS = 3

UTC = timezone.utc
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*$")

Window = tuple[float, float]


@dataclass(frozen=True)
class ServiceCalendar:
	"""A validated calendar; build it with :func:`build_calendar`.

	Minutes count from local midnight; an end of 1440 is the end of the day.
	"""

	timezone: str
	windows: dict[int, tuple[Window, ...]] = field(default_factory=dict)
	holidays: frozenset[date] = frozenset()
	extra_days: dict[date, tuple[Window, ...]] = field(default_factory=dict)

	@property
	def tz(self) -> ZoneInfo:
		return ZoneInfo(self.timezone)

	def windows_on(self, day: date) -> tuple[Window, ...]:
		"""The working windows of one local date."""
		if day in self.extra_days:
			return self.extra_days[day]
		if day in self.holidays:
			return ()
		return self.windows.get(day.weekday(), ())


# ---------------------------------------------------------------------------------------------------
# parsing tolerant inputs


def _is_empty(value) -> bool:
	"""None, blank text, and the missing values of numpy and pandas (NaN, NaT, NA)."""
	if value is None:
		return True
	if isinstance(value, str):
		return not value.strip()
	try:
		return bool(value != value)  # NaN and NaT are not equal to themselves
	except TypeError:  # pandas.NA has no truth value
		return True


def parse_minutes(value) -> float | None:
	"""Minutes since midnight from "HH:MM[:SS]", datetime.time or datetime.timedelta.

	Returns None for an empty value; raises ValueError for anything unreadable. "24:00" and a
	timedelta of one day give 1440.
	"""
	if _is_empty(value):
		return None
	if isinstance(value, timedelta):
		seconds = value.total_seconds()
	elif isinstance(value, datetime):
		seconds = value.hour * 3600 + value.minute * 60 + value.second
	elif isinstance(value, time):
		seconds = value.hour * 3600 + value.minute * 60 + value.second
	elif isinstance(value, str):
		match = _TIME_RE.match(value)
		if not match:
			raise ValueError(value)
		hours, minutes, secs = int(match[1]), int(match[2]), int(match[3] or 0)
		if minutes > 59 or secs > 59:
			raise ValueError(value)
		seconds = hours * 3600 + minutes * 60 + secs
	else:
		raise ValueError(value)
	if seconds < 0 or seconds > DAY_MINUTES * 60:
		raise ValueError(value)
	minutes = seconds / 60
	return int(minutes) if minutes.is_integer() else minutes


def parse_date(value) -> date | None:
	"""A date from "YYYY-MM-DD" (what follows the date is ignored), a date or a datetime (its date); None
	when empty (None, blank, NaN, NaT)."""
	if _is_empty(value):
		return None
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	if isinstance(value, str):
		return date.fromisoformat(value.strip()[:10])
	raise ValueError(value)


def _time_text(value) -> str:
	"""How a time is shown back to the user."""
	try:
		minutes = parse_minutes(value)
	except ValueError:
		return str(value)
	if minutes is None:
		return ""
	return format_minutes(minutes)


def format_minutes(minutes: float) -> str:
	whole = int(minutes)
	return f"{whole // 60:02d}:{whole % 60:02d}"


def _zone(name) -> ZoneInfo | None:
	if _is_empty(name) or not isinstance(name, str):
		return None
	try:
		return ZoneInfo(name.strip())
	except (ZoneInfoNotFoundError, ValueError, OSError):
		return None


# ---------------------------------------------------------------------------------------------------
# validation


def _row_window(
	row: dict, problems: list[Problem], field_name: str, extra_day: bool = False
) -> Window | None:
	"""The (start, end) minutes of a row, or None with every problem of the row appended."""
	idx = row.get("idx")
	found = len(problems)

	def minutes(key: str, message: str):
		"""The row's time in minutes (None when empty), or False with its problem appended."""
		try:
			return parse_minutes(row.get(key))
		except ValueError:
			problems.append(Problem(message, (idx, row.get(key)), field_name, idx))
			return False

	start = minutes("start_time", _("Row {0}: Start Time {1} is not a valid time; use HH:MM"))
	end = minutes("end_time", _("Row {0}: End Time {1} is not a valid time; use HH:MM"))
	if start is None or end is None:
		if extra_day:
			problems.append(
				Problem(
					_("Row {0}: an Extra Working Day needs both a Start Time and an End Time"),
					(idx,),
					field_name,
					idx,
				)
			)
		else:
			if start is None:
				problems.append(Problem(_("Row {0}: Start Time is required"), (idx,), field_name, idx))
			if end is None:
				problems.append(Problem(_("Row {0}: End Time is required"), (idx,), field_name, idx))
	if len(problems) > found:
		return None
	if end == 0:
		end = DAY_MINUTES
	if start >= end:
		problems.append(
			Problem(
				_("Row {0}: Start Time {1} must be before End Time {2} (use 00:00 as End Time for midnight)"),
				(idx, format_minutes(start), _time_text(row.get("end_time"))),
				field_name,
				idx,
			)
		)
		return None
	return (start, end)


def _overlaps(rows: list[tuple[Window, int]]) -> Iterable[tuple[tuple[Window, int], tuple[Window, int]]]:
	"""Every pair of overlapping windows (touching windows do not overlap)."""
	rows = sorted(rows, key=lambda r: (r[0], r[1] if r[1] is not None else 0))
	for i, first in enumerate(rows):
		for second in rows[i + 1 :]:
			if second[0][0] >= first[0][1]:
				break
			yield first, second


def validate_calendar(timezone, windows: list[dict], exceptions: list[dict]) -> list[Problem]:
	"""Every problem with a calendar's time zone, weekly windows and exceptions."""
	problems: list[Problem] = []
	windows = windows or []
	exceptions = exceptions or []

	if _is_empty(timezone):
		problems.append(Problem(_("Time Zone is required, for example Asia/Shanghai"), (), "timezone"))
	elif _zone(timezone) is None:
		problems.append(
			Problem(
				_("Time Zone {0} is not a known IANA time zone; use a name such as Asia/Shanghai"),
				(timezone,),
				"timezone",
			)
		)

	by_weekday: dict[int, list[tuple[Window, int]]] = {}
	weekday_names = {name.lower(): number for number, name in enumerate(WEEKDAYS)}
	for row in windows:
		idx = row.get("idx")
		weekday = row.get("weekday")
		number = weekday_names.get(str(weekday).strip().lower()) if not _is_empty(weekday) else None
		if number is None:
			if _is_empty(weekday):
				problems.append(Problem(_("Row {0}: Weekday is required"), (idx,), "windows", idx))
			else:
				problems.append(
					Problem(
						_("Row {0}: Weekday {1} is not one of {2}"),
						(idx, weekday, ", ".join(WEEKDAYS)),
						"windows",
						idx,
					)
				)
		window = _row_window(row, problems, "windows")
		if number is not None and window is not None:
			by_weekday.setdefault(number, []).append((window, idx))

	for number, rows in sorted(by_weekday.items()):
		for (w1, i1), (w2, i2) in _overlaps(rows):
			problems.append(
				Problem(
					_("Rows {0} and {1}: the {2} windows {3}-{4} and {5}-{6} overlap"),
					(
						i1,
						i2,
						WEEKDAYS[number],
						format_minutes(w1[0]),
						format_minutes(w1[1]),
						format_minutes(w2[0]),
						format_minutes(w2[1]),
					),
					"windows",
					i2,
				)
			)

	holidays: dict[date, int] = {}
	extra: dict[date, list[tuple[Window, int]]] = {}
	extra_rows: dict[date, int] = {}
	has_extra = False
	for row in exceptions:
		idx = row.get("idx")
		kind = row.get("exception_type")
		try:
			day = parse_date(row.get("exception_date"))
		except ValueError:
			problems.append(
				Problem(
					_("Row {0}: Date {1} is not a valid date; use YYYY-MM-DD"),
					(idx, row.get("exception_date")),
					"exceptions",
					idx,
				)
			)
			day = None
		else:
			if day is None:
				problems.append(Problem(_("Row {0}: Date is required"), (idx,), "exceptions", idx))

		if kind == HOLIDAY:
			if day is None:
				continue
			if day in holidays:
				problems.append(
					Problem(
						_("Rows {0} and {1}: {2} is listed twice as a Holiday"),
						(holidays[day], idx, day.isoformat()),
						"exceptions",
						idx,
					)
				)
			else:
				holidays[day] = idx
		elif kind == EXTRA_WORKING_DAY:
			has_extra = True
			window = _row_window(row, problems, "exceptions", extra_day=True)
			if day is None:
				continue
			extra_rows.setdefault(day, idx)
			if window is not None:
				extra.setdefault(day, []).append((window, idx))
		else:
			if _is_empty(kind):
				problems.append(Problem(_("Row {0}: Exception Type is required"), (idx,), "exceptions", idx))
			else:
				problems.append(
					Problem(
						_("Row {0}: Exception Type {1} is not one of {2}"),
						(idx, kind, ", ".join(EXCEPTION_TYPES)),
						"exceptions",
						idx,
					)
				)

	for day, holiday_idx in sorted(holidays.items()):
		if day in extra_rows:
			extra_idx = extra_rows[day]
			problems.append(
				Problem(
					_("Rows {0} and {1}: {2} cannot be both a Holiday and an Extra Working Day"),
					(min(holiday_idx, extra_idx), max(holiday_idx, extra_idx), day.isoformat()),
					"exceptions",
					max(holiday_idx, extra_idx),
				)
			)

	for day, rows in sorted(extra.items()):
		for (w1, i1), (w2, i2) in _overlaps(rows):
			problems.append(
				Problem(
					_("Rows {0} and {1}: the Extra Working Day {2} windows {3}-{4} and {5}-{6} overlap"),
					(
						i1,
						i2,
						day.isoformat(),
						format_minutes(w1[0]),
						format_minutes(w1[1]),
						format_minutes(w2[0]),
						format_minutes(w2[1]),
					),
					"exceptions",
					i2,
				)
			)

	if not windows and not has_extra:
		problems.append(
			Problem(
				_("The calendar has no working time: add at least one service window or Extra Working Day"),
				(),
				"windows",
			)
		)
	return problems


def build_calendar(timezone, windows: list[dict], exceptions: list[dict]) -> ServiceCalendar:
	"""A ServiceCalendar from the rows; raises RuleError with every problem when they are invalid."""
	problems = validate_calendar(timezone, windows, exceptions)
	if problems:
		raise RuleError(problems)
	weekday_numbers = {name.lower(): number for number, name in enumerate(WEEKDAYS)}
	by_weekday: dict[int, list[Window]] = {}
	for row in windows or []:
		number = weekday_numbers[str(row["weekday"]).strip().lower()]
		by_weekday.setdefault(number, []).append(_window_of(row))
	holidays = set()
	extra: dict[date, list[Window]] = {}
	for row in exceptions or []:
		day = parse_date(row.get("exception_date"))
		if row.get("exception_type") == HOLIDAY:
			holidays.add(day)
		else:
			extra.setdefault(day, []).append(_window_of(row))
	return ServiceCalendar(
		timezone=timezone.strip(),
		windows={n: tuple(sorted(ws)) for n, ws in sorted(by_weekday.items())},
		holidays=frozenset(holidays),
		extra_days={d: tuple(sorted(ws)) for d, ws in sorted(extra.items())},
	)


def _window_of(row: dict) -> Window:
	start = parse_minutes(row.get("start_time"))
	end = parse_minutes(row.get("end_time"))
	return (start, DAY_MINUTES if end == 0 else end)


# ---------------------------------------------------------------------------------------------------
# instants


def _require_aware(*values: datetime) -> None:
	for value in values:
		if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
			raise ValueError("timezone-aware datetimes required")


def local_instant(day: date, minute: float, tz: ZoneInfo) -> datetime:
	"""The real instant (in UTC) of a local wall-clock time; minute may be 1440 (next midnight).

	An ambiguous time means its first occurrence; a time in a gap means the first instant after it.
	"""
	wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
	first = wall.replace(tzinfo=tz).astimezone(UTC)
	if first.astimezone(tz).replace(tzinfo=None) == wall:
		return first
	# The wall time does not exist: find the transition instant between the two readings.
	other = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
	lo, hi = (int(min(first, other).timestamp()), int(max(first, other).timestamp()))
	while hi - lo > 1:
		mid = (lo + hi) // 2
		if datetime.fromtimestamp(mid, UTC).astimezone(tz).replace(tzinfo=None) >= wall:
			hi = mid
		else:
			lo = mid
	return datetime.fromtimestamp(hi, UTC)


def _utc_intervals(cal: ServiceCalendar, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
	"""Merged working intervals clipped to [start, end), as UTC datetimes."""
	start = start.astimezone(UTC)
	end = end.astimezone(UTC)
	if end <= start:
		return []
	tz = cal.tz
	day = start.astimezone(tz).date() - timedelta(days=1)
	last = end.astimezone(tz).date() + timedelta(days=1)
	result: list[tuple[datetime, datetime]] = []
	while day <= last:
		for first_minute, last_minute in cal.windows_on(day):
			lo = max(local_instant(day, first_minute, tz), start)
			hi = min(local_instant(day, last_minute, tz), end)
			if lo >= hi:
				continue
			if result and lo <= result[-1][1]:
				result[-1] = (result[-1][0], max(result[-1][1], hi))
			else:
				result.append((lo, hi))
		day += timedelta(days=1)
	return result


def working_intervals(
	cal: ServiceCalendar, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
	"""The working time in [start, end) as sorted, merged, aware intervals in the calendar's time zone.

	Measure an interval in UTC (``hi.astimezone(timezone.utc) - lo.astimezone(timezone.utc)``): Python
	subtracts two datetimes that share a tzinfo as wall-clock times, which is wrong across a DST change.
	"""
	_require_aware(start, end)
	tz = cal.tz
	return [(lo.astimezone(tz), hi.astimezone(tz)) for lo, hi in _utc_intervals(cal, start, end)]


def _minutes(intervals: Iterable[tuple[datetime, datetime]]) -> float:
	return sum((hi - lo).total_seconds() for lo, hi in intervals) / 60


def business_minutes(cal: ServiceCalendar, start: datetime, end: datetime) -> float:
	"""Working minutes between two aware instants; 0 when end <= start."""
	_require_aware(start, end)
	return _minutes(_utc_intervals(cal, start, end))


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
	merged: list[tuple[datetime, datetime]] = []
	for lo, hi in sorted(intervals):
		if hi <= lo:
			continue
		if merged and lo <= merged[-1][1]:
			merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
		else:
			merged.append((lo, hi))
	return merged


def business_minutes_excluding(
	cal: ServiceCalendar, start: datetime, end: datetime, pauses: list[tuple[datetime, datetime]]
) -> float:
	"""Working minutes in [start, end) that no pause covers (for example time waiting on the customer)."""
	_require_aware(start, end)
	for pause in pauses or []:
		_require_aware(*pause)
	work = _utc_intervals(cal, start, end)
	gaps = _merge([(lo.astimezone(UTC), hi.astimezone(UTC)) for lo, hi in pauses or []])
	total = _minutes(work)
	covered = 0.0
	j = 0
	for lo, hi in work:
		while j < len(gaps) and gaps[j][1] <= lo:
			j += 1
		k = j
		while k < len(gaps) and gaps[k][0] < hi:
			covered += (min(hi, gaps[k][1]) - max(lo, gaps[k][0])).total_seconds() / 60
			k += 1
	return total - covered


def add_business_minutes(cal: ServiceCalendar, start: datetime, minutes: float) -> datetime:
	"""The deadline: the earliest instant t >= start with business_minutes(cal, start, t) == minutes."""
	_require_aware(start)
	if minutes is None or minutes < 0:
		raise ValueError("minutes must be zero or more")
	tz = cal.tz
	if minutes == 0:
		return start.astimezone(tz)
	remaining = float(minutes)
	cursor = start.astimezone(UTC)
	horizon = cursor + timedelta(days=366 * SEARCH_YEARS)
	chunk = timedelta(days=31)
	while cursor < horizon:
		stop = min(cursor + chunk, horizon)
		for lo, hi in _utc_intervals(cal, cursor, stop):
			available = (hi - lo).total_seconds() / 60
			if available >= remaining:
				return (lo + timedelta(minutes=remaining)).astimezone(tz)
			remaining -= available
		cursor = stop
	raise RuleError(
		[
			Problem(
				_("Service calendar ({0}) has not enough working time within {1} years after {2}"),
				(cal.timezone, SEARCH_YEARS, start.astimezone(tz).isoformat()),
				"windows",
			)
		]
	)


def weekly_minutes(cal: ServiceCalendar) -> int:
	"""Regular working minutes per week (wall clock, without exceptions)."""
	return int(round(sum(end - start for windows in cal.windows.values() for start, end in windows)))
