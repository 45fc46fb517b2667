from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from slm_app.core.business_time import (
	BEYOND,
	CalendarIndex,
	calendar_key,
	clear_cache,
	index_for,
	to_ns,
)
from slm_app.core.calendar import (
	WEEKDAYS,
	add_business_minutes,
	build_calendar,
	business_minutes,
	business_minutes_excluding,
	working_intervals,
)

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND = 1_000_000_000
HOUR = 3600 * SECOND


def ns(instant: datetime) -> int:
	return (instant - EPOCH) // timedelta(microseconds=1) * 1000


def instant(value: int) -> datetime:
	return EPOCH + timedelta(microseconds=int(value) // 1000)


def local(tz, *args) -> int:
	return ns(datetime(*args, tzinfo=ZoneInfo(tz)))


# --- the naive per-row oracle: the scalar calendar functions, one row at a time -------------------------


def oracle_elapsed(cal, a, b):
	return np.array([business_minutes(cal, instant(x), instant(y)) * 60 for x, y in zip(a, b, strict=True)])


def oracle_excluding(cal, a, b, owner, starts, ends):
	return np.array(
		[
			business_minutes_excluding(
				cal,
				instant(a[i]),
				instant(b[i]),
				[(instant(starts[j]), instant(ends[j])) for j in np.flatnonzero(np.asarray(owner) == i)],
			)
			* 60
			for i in range(len(a))
		]
	)


def oracle_deadline(cal, a, seconds, span_end):
	"""add_business_minutes, or BEYOND when the working time left in the span is not enough."""
	result = []
	for x, s in zip(a, seconds, strict=True):
		if round(business_minutes(cal, instant(x), instant(span_end)) * 60) < s:
			result.append(BEYOND)
		else:
			result.append(ns(add_business_minutes(cal, instant(x), s / 60)))
	return np.array(result, dtype=np.int64)


def reference_index(cal, span_start, span_end):
	"""An index over the intervals of the scalar calendar.working_intervals, one at a time."""
	intervals = working_intervals(cal, instant(span_start), instant(span_end))
	return CalendarIndex.from_intervals(
		span_start, span_end, [ns(lo) for lo, _ in intervals], [ns(hi) for _, hi in intervals]
	)


# --- calendars by hand ------------------------------------------------------------------------------


def weekly(days, *spans):
	return [{"weekday": day, "start_time": start, "end_time": end} for day in days for start, end in spans]


def calendar(tz, windows, exceptions=()):
	return build_calendar(
		tz,
		[dict(row, idx=i) for i, row in enumerate(windows, 1)],
		[dict(row, idx=i) for i, row in enumerate(exceptions, 1)],
	)


def office(tz="Asia/Shanghai", exceptions=()):
	"""Monday to Friday 09:00-12:00 and 13:00-18:00: eight hours with a lunch break."""
	return calendar(tz, weekly(WEEKDAYS[:5], ("09:00", "12:00"), ("13:00", "18:00")), exceptions)


def around_the_clock(tz):
	return calendar(tz, weekly(WEEKDAYS, ("00:00", "00:00")))


def year_index(cal, year=2024):
	return CalendarIndex.build(cal, datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC))


SH = "Asia/Shanghai"


def test_elapsed_by_hand_over_a_lunch_break_a_weekend_and_empty_rows():
	index = year_index(office())
	a = [
		local(SH, 2024, 6, 14, 17),  # Friday 17:00
		local(SH, 2024, 6, 12, 11),  # Wednesday 11:00
		local(SH, 2024, 6, 12, 12, 15),  # in the lunch break
		local(SH, 2024, 6, 15, 10),  # Saturday
		local(SH, 2024, 6, 12, 10),
		local(SH, 2024, 6, 12, 10),
	]
	b = [
		local(SH, 2024, 6, 17, 10),  # Monday 10:00: 1 h on Friday, 1 h on Monday
		local(SH, 2024, 6, 12, 14),  # 1 h before lunch, 1 h after
		local(SH, 2024, 6, 12, 12, 45),
		local(SH, 2024, 6, 16, 23),
		local(SH, 2024, 6, 12, 10),  # b == a
		local(SH, 2024, 6, 12, 9),  # b < a
	]
	assert index.elapsed(np.array(a), np.array(b)).tolist() == [7200, 7200, 0, 0, 0, 0]
	assert index.elapsed(a[0], b[0]) == 7200  # scalars work too
	assert index.elapsed_ns(np.array(a), np.array(b)).dtype == np.int64


def test_elapsed_is_exact_to_the_second():
	cal = calendar(SH, weekly(WEEKDAYS, ("09:00:07", "09:00:50")))
	index = year_index(cal)
	a = np.array([local(SH, 2024, 6, 12, 9, 0, 0), local(SH, 2024, 6, 12, 9, 0, 10)])
	b = np.array([local(SH, 2024, 6, 13, 9, 0, 8), local(SH, 2024, 6, 12, 9, 0, 11)])
	assert index.elapsed(a, b).tolist() == [44, 1]


@pytest.mark.parametrize(
	"day,hours",
	[(date(2024, 3, 30), 23), (date(2024, 10, 26), 25), (date(2024, 6, 1), 24)],
)
def test_a_day_over_the_clock_change_is_as_long_as_it_really_is(day, hours):
	index = year_index(around_the_clock("Europe/Berlin"))
	a = local("Europe/Berlin", day.year, day.month, day.day, 12)
	b = local("Europe/Berlin", day.year, day.month, day.day + 1, 12)
	assert index.elapsed(a, b) == hours * 3600
	assert index.deadline(a, hours * 3600) == b


def test_holidays_and_extra_working_days():
	cal = office(
		exceptions=[
			{"exception_date": "2024-10-01", "exception_type": "Holiday"},
			{
				"exception_date": "2024-10-12",  # a Saturday worked 10:00-12:00
				"exception_type": "Extra Working Day",
				"start_time": "10:00",
				"end_time": "12:00",
			},
		]
	)
	index = year_index(cal)
	assert index.elapsed(local(SH, 2024, 10, 1), local(SH, 2024, 10, 2)) == 0
	assert index.elapsed(local(SH, 2024, 10, 11, 17), local(SH, 2024, 10, 14, 10)) == 4 * 3600
	assert index.deadline(local(SH, 2024, 10, 11, 17), 2 * 3600) == local(SH, 2024, 10, 12, 11)


def test_deadlines_by_hand():
	index = year_index(office())
	friday = local(SH, 2024, 6, 14, 17, 30)
	saturday = local(SH, 2024, 6, 15, 8)
	deadlines = index.deadline(np.array([friday, friday, saturday, saturday]), np.array([7200, 0, 0, 1]))
	assert deadlines.tolist() == [
		local(SH, 2024, 6, 17, 10, 30),  # half an hour on Friday, 1.5 h on Monday
		friday,  # no time needed: the start itself
		saturday,  # even outside service hours
		local(SH, 2024, 6, 17, 9, 0, 1),
	]
	# a deadline that ends a window is that window's end, not the start of the next one
	assert index.deadline(local(SH, 2024, 6, 14, 17), 3600) == local(SH, 2024, 6, 14, 18)
	# fractions of a second are kept to the nanosecond
	assert index.deadline(local(SH, 2024, 6, 14, 9), 0.25) == local(SH, 2024, 6, 14, 9) + SECOND // 4


def test_deadlines_past_the_span_are_beyond_and_time_outside_the_span_is_refused():
	index = year_index(office())
	december = local(SH, 2024, 12, 31, 17)
	assert index.deadline(december, [3600 / 2, 3 * 3600]).tolist() == [
		local(SH, 2024, 12, 31, 17, 30),
		BEYOND,
	]
	after = ns(datetime(2025, 2, 1, tzinfo=UTC))
	assert index.deadline([after, after], [0, 1]).tolist() == [after, BEYOND]
	with pytest.raises(ValueError, match="outside the indexed span"):
		index.deadline(ns(datetime(2023, 12, 31, tzinfo=UTC)), 60)
	with pytest.raises(ValueError, match="1 row"):
		index.elapsed([local(SH, 2024, 6, 1), local(SH, 2024, 6, 1)], [local(SH, 2024, 6, 2), after])
	# a row with no time in it needs no span
	assert index.elapsed(after, after - HOUR) == 0
	with pytest.raises(ValueError):
		index.deadline(december, -1)
	with pytest.raises(ValueError):
		index.deadline(december, float("nan"))


def test_a_calendar_without_working_time_in_the_span():
	cal = calendar(
		SH,
		[],
		[
			{
				"exception_date": "2030-01-01",
				"exception_type": "Extra Working Day",
				"start_time": "09:00",
				"end_time": "10:00",
			}
		],
	)
	index = year_index(cal)
	assert index.total_ns == 0
	assert index.elapsed(local(SH, 2024, 3, 1), local(SH, 2024, 4, 1)) == 0
	assert index.deadline([local(SH, 2024, 3, 1)] * 2, [0, 60]).tolist() == [local(SH, 2024, 3, 1), BEYOND]


def test_pauses_by_hand():
	index = year_index(office())
	a = np.array([local(SH, 2024, 6, 13, 9), local(SH, 2024, 6, 13, 9), local(SH, 2024, 6, 13, 9)])
	b = np.array([local(SH, 2024, 6, 18, 9), local(SH, 2024, 6, 18, 9), local(SH, 2024, 6, 14, 9)])
	# Thursday 09:00 to Tuesday 09:00 holds 24 working hours (Thursday, Friday, Monday)
	owner = np.array([0, 0, 0, 2, 2])
	starts = np.array(
		[
			local(SH, 2024, 6, 14, 16),  # Friday 16:00 to Monday 10:00: 2 h + 1 h
			local(SH, 2024, 6, 17, 9, 30),  # overlaps the first, adds Monday 10:00-11:00
			local(SH, 2024, 6, 15, 9),  # a weekend inside the first: nothing more
			local(SH, 2024, 6, 12),  # starts before its row: counts from 09:00 Thursday
			local(SH, 2024, 6, 13, 17),  # ends after its row
		]
	)
	ends = np.array(
		[
			local(SH, 2024, 6, 17, 10),
			local(SH, 2024, 6, 17, 11),
			local(SH, 2024, 6, 16, 9),
			local(SH, 2024, 6, 13, 10),
			local(SH, 2024, 6, 20),
		]
	)
	result = index.elapsed_excluding(a, b, owner, starts, ends)
	# row 1 has no pauses; row 2 loses 09:00-10:00 and 17:00-18:00 of its 8 hours
	assert result.tolist() == [20 * 3600, 24 * 3600, 6 * 3600]
	# order does not matter
	shuffled = [4, 2, 0, 3, 1]
	assert index.elapsed_excluding(a, b, owner[shuffled], starts[shuffled], ends[shuffled]).tolist() == [
		20 * 3600,
		24 * 3600,
		6 * 3600,
	]
	# no pauses at all, and a pause that ends before it starts
	assert index.elapsed_excluding(a, b, [], [], []).tolist() == index.elapsed(a, b).tolist()
	assert index.elapsed_excluding(a, b, [1], [ends[0]], [starts[0]]).tolist() == index.elapsed(a, b).tolist()
	with pytest.raises(ValueError, match="row numbers"):
		index.elapsed_excluding(a, b, [3], starts[:1], ends[:1])


def test_intervals_are_merged_and_clipped():
	index = CalendarIndex.from_intervals(0, 100, [50, 10, 20, 60, 90], [60, 30, 25, 70, 200])
	assert index.starts.tolist() == [10, 50, 90]
	assert index.ends.tolist() == [30, 70, 100]
	assert index.cumulative.tolist() == [0, 20, 40, 50]


def test_to_ns_reads_aware_values_and_refuses_naive_ones():
	moment = datetime(2024, 3, 31, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))
	expected = ns(moment)
	assert to_ns(moment) == expected
	assert to_ns([moment]).tolist() == [expected]
	assert to_ns(pd.Series([moment])).tolist() == [expected]
	assert to_ns(pd.DatetimeIndex([moment])).tolist() == [expected]
	assert to_ns(np.array(["2024-03-31T01:30"], dtype="datetime64[s]")).tolist() == [expected]
	assert to_ns([]).tolist() == []
	with pytest.raises(ValueError):
		to_ns(datetime(2024, 3, 31))
	with pytest.raises(ValueError):
		to_ns(pd.Series([datetime(2024, 3, 31)]))


def test_index_for_covers_whole_years_and_is_shared_by_equal_calendars():
	clear_cache()
	start = datetime(2024, 5, 3, tzinfo=UTC)
	index = index_for(office(), start, start + timedelta(days=400))
	assert index.start_ns == ns(datetime(2024, 1, 1, tzinfo=UTC))
	assert index.end_ns == ns(datetime(2026, 1, 1, tzinfo=UTC))
	assert calendar_key(office()) == calendar_key(office())
	assert index_for(office(), start, start + timedelta(days=3)) is not index  # a different span of years
	assert index_for(office(), start, start + timedelta(days=300)) is index
	assert index_for(office("Europe/Berlin"), start, start + timedelta(days=300)) is not index
	clear_cache()


NIGHT_WINDOWS = [
	("00:00", "00:30"),
	("00:45", "01:15"),
	("01:30", "02:30"),
	("02:45", "03:10"),
	("23:30", "00:00"),
]


@pytest.mark.parametrize(
	"tz,year",
	[
		("Europe/Berlin", 2024),
		("America/New_York", 2024),
		("Australia/Lord_Howe", 2024),  # a 30 minute shift
		("America/Sao_Paulo", 2018),  # midnight did not exist
		("America/Havana", 2020),  # midnight happened twice
		("Pacific/Apia", 2011),  # 30 December 2011 did not happen at all
	],
)
def test_the_index_holds_exactly_the_scalar_working_intervals_over_a_year_of_clock_changes(tz, year):
	cal = calendar(tz, weekly(WEEKDAYS, *NIGHT_WINDOWS))
	start, end = ns(datetime(year, 1, 1, tzinfo=UTC)), ns(datetime(year + 1, 1, 1, tzinfo=UTC))
	index, reference = (
		CalendarIndex.build(cal, instant(start), instant(end)),
		reference_index(cal, start, end),
	)
	assert index.starts.tolist() == reference.starts.tolist()
	assert index.ends.tolist() == reference.ends.tolist()


# --- properties: the index agrees with the oracle ----------------------------------------------------

TRANSITIONS = [
	("Europe/Berlin", date(2024, 3, 31)),
	("Europe/Berlin", date(2024, 10, 27)),
	("America/New_York", date(2024, 3, 10)),
	("America/New_York", date(2024, 11, 3)),
	("Asia/Shanghai", date(2024, 9, 30)),
	("Australia/Lord_Howe", date(2024, 4, 7)),  # a 30 minute shift
	("America/Sao_Paulo", date(2018, 11, 4)),  # midnight did not exist
]
DAY = 86400
# boundaries to the second, often in the night hours when clocks change or around a lunch break
BOUNDARY = st.one_of(
	st.integers(0, 4 * 3600),
	st.integers(11 * 3600, 14 * 3600),
	st.integers(0, DAY),
	st.sampled_from([0, 9 * 3600, 12 * 3600, 13 * 3600, 18 * 3600, DAY]),
)


def clock(seconds):
	if seconds == DAY:
		return "00:00"
	return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def windows_of(bounds):
	bounds = sorted(bounds)
	return [(clock(lo), clock(hi)) for lo, hi in zip(bounds[::2], bounds[1::2], strict=False) if lo < hi]


# a day's windows: office hours with a lunch break, around the clock, a night shift over the clock
# change, or anything to the second
OFFICE = [9 * 3600, 12 * 3600, 13 * 3600, 18 * 3600]
DAY_PATTERNS = st.one_of(
	st.lists(st.integers(-1800, 1800), min_size=4, max_size=4).map(
		lambda jitter: {base + shift for base, shift in zip(OFFICE, jitter, strict=True)}
	),
	st.just({0, DAY}),
	st.just({0, 4 * 3600, 22 * 3600, DAY}),
	st.sets(BOUNDARY, min_size=2, max_size=6),
	st.just(set()),
)


@st.composite
def calendars(draw):
	"""A calendar in a zone around a clock change, and the span of an index over two weeks."""
	tz, anchor = draw(st.sampled_from(TRANSITIONS))
	usual = draw(DAY_PATTERNS)
	windows = []
	for weekday in WEEKDAYS:
		bounds = usual if draw(st.integers(0, 3)) else draw(DAY_PATTERNS)
		for start, end in windows_of(bounds):
			windows.append({"weekday": weekday, "start_time": start, "end_time": end})
	exceptions = []
	for offset in draw(st.lists(st.integers(-4, 10), max_size=4, unique=True)):
		day = (anchor + timedelta(days=offset)).isoformat()
		spans = windows_of(draw(DAY_PATTERNS))
		if not spans or draw(st.booleans()):
			exceptions.append({"exception_date": day, "exception_type": "Holiday"})
			continue
		for start, end in spans:
			exceptions.append(
				{
					"exception_date": day,
					"exception_type": "Extra Working Day",
					"start_time": start,
					"end_time": end,
				}
			)
	assume(windows or any(row["exception_type"] != "Holiday" for row in exceptions))
	cal = calendar(tz, windows, exceptions)
	start = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC) - timedelta(days=5)
	return cal, ns(start), ns(start + timedelta(days=14))


def rows(span_start, span_end, count):
	"""Row intervals inside the span, to the second, an hour to five days long; then an empty and a
	reversed row."""
	length = st.builds(lambda h, s: h * 3600 + s, st.integers(1, 120), st.integers(0, 3599))
	row = st.tuples(st.integers(0, (span_end - span_start) // SECOND), length)

	def arrays(pairs):
		a = [span_start + lo * SECOND for lo, _ in pairs]
		b = [min(span_start + (lo + n) * SECOND, span_end) for lo, n in pairs]
		a, b = a + [a[0], a[0]], b + [a[0], max(a[0] - 3600 * SECOND, span_start)]
		return np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)

	return st.lists(row, min_size=1, max_size=count).map(arrays)


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@FAST
@given(calendars(), st.data())
def test_elapsed_and_deadlines_agree_with_the_oracle(cal_span, data):
	cal, span_start, span_end = cal_span
	index = CalendarIndex.build(cal, instant(span_start), instant(span_end))
	reference = reference_index(cal, span_start, span_end)
	assert index.starts.tolist() == reference.starts.tolist()
	assert index.ends.tolist() == reference.ends.tolist()
	a, b = data.draw(rows(span_start, span_end, 6))
	assert index.elapsed(a, b) == pytest.approx(oracle_elapsed(cal, a, b), abs=1e-6)
	seconds = np.array(data.draw(st.lists(st.integers(0, 4 * DAY), min_size=len(a), max_size=len(a))))
	deadlines = index.deadline(a, seconds)
	expected = oracle_deadline(cal, a, seconds, span_end)
	assert ((deadlines == BEYOND) == (expected == BEYOND)).all()
	# the oracle adds float minutes as a timedelta, which rounds to the microsecond
	assert np.abs(deadlines - expected).max() <= 1000
	# the deadline of a row's own business time is within the row and holds exactly that time
	own = index.elapsed_ns(a, b)
	again = index.deadline_ns(a, own)
	assert ((again >= a) & (again <= np.maximum(a, b))).all()
	assert (index.elapsed_ns(a, again) == own).all()


@FAST
@given(calendars(), st.data())
def test_pauses_agree_with_the_oracle(cal_span, data):
	cal, span_start, span_end = cal_span
	index = CalendarIndex.build(cal, instant(span_start), instant(span_end))
	a, b = data.draw(rows(span_start, span_end, 5))
	# and a ticket over the same time as the first, an hour later, so rows with pauses overlap
	a = np.append(a, min(a[0] + 3600 * SECOND, span_end))
	b = np.append(b, min(b[0] + 3600 * SECOND, span_end))
	# pauses over and around their rows: overlapping, reaching outside the row and the span, unsorted,
	# some ending before they start, some days long (over weekends and clock changes). A pause starts and
	# lasts a percentage of its row's length (at least a day), or lasts up to four days.
	percent = st.integers(-30, 130)
	length = st.one_of(percent.map(lambda p: ("%", p)), st.integers(0, 4 * DAY).map(lambda s: ("s", s)))
	row = st.sampled_from(range(len(a)))
	pauses = data.draw(st.lists(st.tuples(row, percent, length), max_size=10))
	owner = np.array([row for row, _, _ in pauses], dtype=np.int64)
	starts, ends = [], []
	for row, at, (unit, amount) in pauses:
		scale = max(int(b[row] - a[row]), DAY * SECOND) // 100 // SECOND * SECOND
		starts.append(int(a[row]) + scale * at)
		ends.append(starts[-1] + (scale * amount if unit == "%" else amount * SECOND))
	starts, ends = np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)
	result = index.elapsed_excluding(a, b, owner, starts, ends)
	assert result == pytest.approx(oracle_excluding(cal, a, b, owner, starts, ends), abs=1e-6)
	assert (result <= index.elapsed(a, b)).all()
	assert (result >= 0).all()


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(TRANSITIONS), st.integers(0, 364), st.integers(0, 20 * DAY), st.integers(0, 30 * 3600))
def test_a_year_long_index_agrees_with_the_oracle_on_an_office_calendar(transition, day, length, seconds):
	tz, anchor = transition
	cal = office(
		tz, [{"exception_date": (anchor + timedelta(days=1)).isoformat(), "exception_type": "Holiday"}]
	)
	index = year_index(cal, anchor.year)
	a = ns(datetime(anchor.year, 1, 1, tzinfo=UTC)) + day * DAY * SECOND + 7 * 3600 * SECOND
	b = min(a + length * SECOND, index.end_ns)
	assert index.elapsed(a, b) == pytest.approx(oracle_elapsed(cal, [a], [b])[0], abs=1e-6)
	assert (
		abs(int(index.deadline(a, seconds)) - int(oracle_deadline(cal, [a], [seconds], index.end_ns)[0]))
		<= 1000
	)
