from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from slm_app.core.calendar import (
	WEEKDAYS,
	ServiceCalendar,
	add_business_minutes,
	build_calendar,
	business_minutes,
	business_minutes_excluding,
	parse_minutes,
	validate_calendar,
	weekly_minutes,
	working_intervals,
)
from slm_app.core.errors import RuleError

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def office_windows(days=WEEKDAYS[:5]):
	rows = []
	for day in days:
		rows.append({"weekday": day, "start_time": "09:00:00", "end_time": "12:00:00"})
		rows.append({"weekday": day, "start_time": "13:00", "end_time": "18:00"})
	return [dict(row, idx=i) for i, row in enumerate(rows, 1)]


def office(exceptions=(), tz="Asia/Shanghai"):
	return build_calendar(tz, office_windows(), [dict(row, idx=i) for i, row in enumerate(exceptions, 1)])


def sh(*args):
	return datetime(*args, tzinfo=SHANGHAI)


def berlin_day(weekday, start, end, tz="Europe/Berlin"):
	return build_calendar(tz, [{"idx": 1, "weekday": weekday, "start_time": start, "end_time": end}], [])


def around_the_clock(tz):
	return build_calendar(
		tz,
		[
			{"idx": i, "weekday": d, "start_time": "00:00", "end_time": "00:00"}
			for i, d in enumerate(WEEKDAYS)
		],
		[],
	)


# --- parsing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"value,expected",
	[
		("09:30:00", 570),
		("9:30", 570),
		("09:30:00.000000", 570),
		(time(9, 30), 570),
		(timedelta(hours=9, minutes=30), 570),
		(timedelta(days=1), 1440),
		("24:00", 1440),
		("00:00:30", 0.5),
		(None, None),
		("", None),
	],
)
def test_parse_minutes_accepts_frappe_time_shapes(value, expected):
	assert parse_minutes(value) == expected


@pytest.mark.parametrize("value", ["9", "09:60", "25:00", "nine", timedelta(hours=-1), 9])
def test_parse_minutes_rejects_garbage(value):
	with pytest.raises(ValueError):
		parse_minutes(value)


# --- building and validation -------------------------------------------------------------------------


def test_build_calendar_keeps_sorted_windows_in_minutes():
	windows = [
		{"idx": 1, "weekday": "Monday", "start_time": time(13), "end_time": timedelta(hours=18)},
		{"idx": 2, "weekday": "Monday", "start_time": "09:00", "end_time": "12:00"},
		{"idx": 3, "weekday": "Sunday", "start_time": "00:00", "end_time": "00:00"},
	]
	exceptions = [
		{"idx": 1, "exception_date": "2024-06-10", "exception_type": "Holiday", "start_time": None},
		{
			"idx": 2,
			"exception_date": date(2024, 6, 8),
			"exception_type": "Extra Working Day",
			"start_time": "10:00",
			"end_time": "12:00",
		},
	]
	cal = build_calendar("Asia/Shanghai", windows, exceptions)
	assert cal.windows == {0: ((540, 720), (780, 1080)), 6: ((0, 1440),)}
	assert cal.holidays == frozenset({date(2024, 6, 10)})
	assert cal.extra_days == {date(2024, 6, 8): ((600, 720),)}
	assert weekly_minutes(cal) == 480 + 1440


def test_valid_office_calendar_has_no_problems():
	assert validate_calendar("Asia/Shanghai", office_windows(), []) == []
	assert weekly_minutes(office()) == 5 * 480


def messages(problems):
	return [(p.field, p.row, p.format()) for p in problems]


def test_timezone_problems():
	windows = office_windows()
	assert messages(validate_calendar("", windows, [])) == [
		("timezone", None, "Time Zone is required, for example Asia/Shanghai")
	]
	(problem,) = validate_calendar("Mars/Olympus", windows, [])
	assert problem.field == "timezone" and "Mars/Olympus" in problem.format()
	(problem,) = validate_calendar("../../etc/passwd", windows, [])
	assert problem.field == "timezone"


def test_window_row_problems_are_all_collected():
	windows = [
		{"idx": 1, "weekday": "Funday", "start_time": "09:00", "end_time": "10:00"},
		{"idx": 2, "weekday": "Monday", "start_time": None, "end_time": ""},
		{"idx": 3, "weekday": "Monday", "start_time": "18:00", "end_time": "09:00"},
		{"idx": 4, "weekday": "Monday", "start_time": "9h", "end_time": "10:00"},
		{"idx": 5, "weekday": "", "start_time": "09:00", "end_time": "10:00"},
	]
	found = messages(validate_calendar("UTC", windows, []))
	assert found == [
		("windows", 1, "Row 1: Weekday Funday is not one of " + ", ".join(WEEKDAYS)),
		("windows", 2, "Row 2: Start Time is required"),
		("windows", 2, "Row 2: End Time is required"),
		(
			"windows",
			3,
			"Row 3: Start Time 18:00 must be before End Time 09:00 (use 00:00 as End Time for midnight)",
		),
		("windows", 4, "Row 4: Start Time 9h is not a valid time; use HH:MM"),
		("windows", 5, "Row 5: Weekday is required"),
	]


def test_end_midnight_means_end_of_day_but_start_equal_end_is_wrong():
	ok = [{"idx": 1, "weekday": "Monday", "start_time": "00:00", "end_time": "00:00"}]
	assert validate_calendar("UTC", ok, []) == []
	bad = [{"idx": 1, "weekday": "Monday", "start_time": "10:00", "end_time": "10:00"}]
	assert [p.row for p in validate_calendar("UTC", bad, [])] == [1]


def test_overlapping_windows_name_both_rows_but_touching_windows_are_fine():
	windows = [
		{"idx": 1, "weekday": "Tuesday", "start_time": "09:00", "end_time": "12:00"},
		{"idx": 2, "weekday": "Tuesday", "start_time": "12:00", "end_time": "13:00"},
		{"idx": 3, "weekday": "Tuesday", "start_time": "11:00", "end_time": "12:30"},
		{"idx": 4, "weekday": "Wednesday", "start_time": "11:00", "end_time": "12:30"},
	]
	found = [p.format() for p in validate_calendar("UTC", windows, [])]
	assert found == [
		"Rows 1 and 3: the Tuesday windows 09:00-12:00 and 11:00-12:30 overlap",
		"Rows 3 and 2: the Tuesday windows 11:00-12:30 and 12:00-13:00 overlap",
	]


def test_exception_problems():
	exceptions = [
		{"idx": 1, "exception_date": "2024-05-01", "exception_type": "Holiday"},
		{"idx": 2, "exception_date": "2024-05-01", "exception_type": "Holiday"},
		{"idx": 3, "exception_date": "2024-05-02", "exception_type": "Holiday"},
		{
			"idx": 4,
			"exception_date": "2024-05-02",
			"exception_type": "Extra Working Day",
			"start_time": "09:00",
			"end_time": "12:00",
		},
		{"idx": 5, "exception_date": "2024-05-11", "exception_type": "Extra Working Day"},
		{
			"idx": 6,
			"exception_date": "2024-05-12",
			"exception_type": "Extra Working Day",
			"start_time": "12:00",
			"end_time": "09:00",
		},
		{
			"idx": 7,
			"exception_date": "2024-05-18",
			"exception_type": "Extra Working Day",
			"start_time": "09:00",
			"end_time": "12:00",
		},
		{
			"idx": 8,
			"exception_date": "2024-05-18",
			"exception_type": "Extra Working Day",
			"start_time": "10:00",
			"end_time": "14:00",
		},
		{"idx": 9, "exception_date": "2024-13-01", "exception_type": "Holiday"},
		{"idx": 10, "exception_date": "", "exception_type": "Holiday"},
		{"idx": 11, "exception_date": "2024-05-20", "exception_type": "Day Off"},
	]
	found = [(p.row, p.format()) for p in validate_calendar("UTC", office_windows(), exceptions)]
	assert found == [
		(2, "Rows 1 and 2: 2024-05-01 is listed twice as a Holiday"),
		(5, "Row 5: an Extra Working Day needs both a Start Time and an End Time"),
		(
			6,
			"Row 6: Start Time 12:00 must be before End Time 09:00 (use 00:00 as End Time for midnight)",
		),
		(9, "Row 9: Date 2024-13-01 is not a valid date; use YYYY-MM-DD"),
		(10, "Row 10: Date is required"),
		(11, "Row 11: Exception Type Day Off is not one of Holiday, Extra Working Day"),
		(4, "Rows 3 and 4: 2024-05-02 cannot be both a Holiday and an Extra Working Day"),
		(8, "Rows 7 and 8: the Extra Working Day 2024-05-18 windows 09:00-12:00 and 10:00-14:00 overlap"),
	]


def test_holiday_times_are_ignored():
	exceptions = [
		{
			"idx": 1,
			"exception_date": "2024-05-01",
			"exception_type": "Holiday",
			"start_time": "18:00",
			"end_time": "09:00",
		}
	]
	assert validate_calendar("UTC", office_windows(), exceptions) == []


def test_calendar_without_working_time():
	holidays = [{"idx": 1, "exception_date": "2024-05-01", "exception_type": "Holiday"}]
	assert messages(validate_calendar("UTC", [], holidays)) == [
		(
			"windows",
			None,
			"The calendar has no working time: add at least one service window or Extra Working Day",
		)
	]
	extra = [
		{
			"idx": 1,
			"exception_date": "2024-05-04",
			"exception_type": "Extra Working Day",
			"start_time": "09:00",
			"end_time": "10:00",
		}
	]
	assert validate_calendar("UTC", [], extra) == []


def test_build_calendar_raises_every_problem():
	with pytest.raises(RuleError) as caught:
		build_calendar("Nowhere/Town", [{"idx": 1, "weekday": "Monday", "start_time": "10:00"}], [])
	assert [p.field for p in caught.value.problems] == ["timezone", "windows"]


# --- business minutes: hand computed -----------------------------------------------------------------

# 2024-06-03 is a Monday; 2024-06-08/09 the weekend; 2024-06-10 (Dragon Boat Festival) a Monday.


@pytest.mark.parametrize(
	"start,end,expected",
	[
		(sh(2024, 6, 3, 8), sh(2024, 6, 3, 10), 60),
		(sh(2024, 6, 3, 11), sh(2024, 6, 3, 14), 120),  # lunch break is not counted
		(sh(2024, 6, 3, 12, 15), sh(2024, 6, 3, 12, 45), 0),
		(sh(2024, 6, 3, 0), sh(2024, 6, 4, 0), 480),
		(sh(2024, 6, 7, 17), sh(2024, 6, 10, 10), 120),  # over the weekend
		(sh(2024, 6, 3, 9), sh(2024, 6, 10, 9), 2400),
		(sh(2024, 6, 3, 10), sh(2024, 6, 3, 10), 0),
		(sh(2024, 6, 3, 12), sh(2024, 6, 3, 10), 0),
	],
)
def test_business_minutes_office_hours(start, end, expected):
	assert business_minutes(office(), start, end) == expected


def test_business_minutes_with_seconds():
	assert business_minutes(office(), sh(2024, 6, 3, 11, 59, 30), sh(2024, 6, 3, 13, 0, 30)) == 1


def test_inputs_in_other_time_zones_are_the_same_instants():
	start = sh(2024, 6, 3, 8).astimezone(UTC)
	end = sh(2024, 6, 3, 10).astimezone(ZoneInfo("America/New_York"))
	assert business_minutes(office(), start, end) == 60


def test_holiday_and_extra_working_saturday():
	holiday = {"exception_date": "2024-06-10", "exception_type": "Holiday"}
	saturday = {
		"exception_date": "2024-06-08",
		"exception_type": "Extra Working Day",
		"start_time": "10:00",
		"end_time": "12:00",
	}
	assert business_minutes(office([holiday]), sh(2024, 6, 7, 17), sh(2024, 6, 11, 10)) == 120
	assert business_minutes(office([saturday]), sh(2024, 6, 7, 17), sh(2024, 6, 10, 10)) == 240
	assert business_minutes(office([holiday, saturday]), sh(2024, 6, 7, 17), sh(2024, 6, 11, 10)) == 240


def test_extra_working_day_replaces_the_weekday_windows():
	wednesday = {
		"exception_date": "2024-06-05",
		"exception_type": "Extra Working Day",
		"start_time": "14:00",
		"end_time": "16:00",
	}
	assert business_minutes(office([wednesday]), sh(2024, 6, 5, 0), sh(2024, 6, 6, 0)) == 120


def test_working_intervals_are_merged_and_local():
	cal = build_calendar(
		"Asia/Shanghai",
		[
			{"idx": 1, "weekday": "Monday", "start_time": "09:00", "end_time": "12:00"},
			{"idx": 2, "weekday": "Monday", "start_time": "12:00", "end_time": "00:00"},
			{"idx": 3, "weekday": "Tuesday", "start_time": "00:00", "end_time": "08:00"},
		],
		[],
	)
	intervals = working_intervals(cal, sh(2024, 6, 3, 10), sh(2024, 6, 11, 0))
	assert intervals == [(sh(2024, 6, 3, 10), sh(2024, 6, 4, 8)), (sh(2024, 6, 10, 9), sh(2024, 6, 11, 0))]
	assert all(str(lo.tzinfo) == "Asia/Shanghai" for lo, hi in intervals)


def test_naive_datetimes_are_refused():
	with pytest.raises(ValueError, match="timezone-aware datetimes required"):
		business_minutes(office(), datetime(2024, 6, 3, 9), sh(2024, 6, 3, 10))
	with pytest.raises(ValueError, match="timezone-aware"):
		add_business_minutes(office(), datetime(2024, 6, 3, 9), 10)
	with pytest.raises(ValueError, match="timezone-aware"):
		business_minutes_excluding(
			office(), sh(2024, 6, 3, 9), sh(2024, 6, 3, 10), [(datetime(2024, 6, 3), sh(2024, 6, 4))]
		)


# --- daylight saving time (Europe/Berlin: 2024-03-31 02:00 -> 03:00, 2024-10-27 03:00 -> 02:00) -------


@pytest.mark.parametrize(
	"weekday_start_end,day,expected",
	[
		(("00:00", "00:00"), date(2024, 3, 31), 23 * 60),
		(("00:00", "00:00"), date(2024, 10, 27), 25 * 60),
		(("08:00", "18:00"), date(2024, 3, 31), 600),
		(("08:00", "18:00"), date(2024, 10, 27), 600),
		(("01:00", "04:00"), date(2024, 3, 31), 120),
		(("02:00", "03:00"), date(2024, 3, 31), 0),  # the hour does not exist
		(("02:30", "04:00"), date(2024, 3, 31), 60),  # 02:30 moves to 03:00, the first instant after the gap
		(("01:00", "02:30"), date(2024, 3, 31), 60),
		(("02:00", "03:00"), date(2024, 10, 27), 120),  # 02:00 CEST to 03:00 CET
		(("01:00", "02:30"), date(2024, 10, 27), 90),  # 02:30 is its first occurrence
		(("02:30", "04:00"), date(2024, 10, 27), 150),
		(("00:00", "00:00"), date(2024, 3, 30), 24 * 60),
	],
)
def test_berlin_dst_days(weekday_start_end, day, expected):
	start_time, end_time = weekday_start_end
	cal = berlin_day(WEEKDAYS[day.weekday()], start_time, end_time)
	start = datetime(day.year, day.month, day.day, tzinfo=BERLIN) - timedelta(hours=6)
	end = start + timedelta(days=2)
	assert business_minutes(cal, start, end) == expected
	assert business_minutes(cal, start.astimezone(UTC), end.astimezone(UTC)) == expected


def test_berlin_dst_deadline_uses_real_time():
	cal = around_the_clock("Europe/Berlin")
	start = datetime(2024, 3, 31, 0, 0, tzinfo=BERLIN)
	deadline = add_business_minutes(cal, start, 180)
	assert deadline == datetime(2024, 3, 31, 4, 0, tzinfo=BERLIN)
	assert deadline.utcoffset() == timedelta(hours=2)
	autumn = datetime(2024, 10, 27, 0, 0, tzinfo=BERLIN)
	assert add_business_minutes(cal, autumn, 240) == datetime(2024, 10, 27, 3, 0, tzinfo=BERLIN)


def test_working_intervals_on_the_autumn_day_are_real_instants():
	cal = berlin_day("Sunday", "02:00", "03:00")
	(interval,) = working_intervals(
		cal, datetime(2024, 10, 26, tzinfo=UTC), datetime(2024, 10, 28, tzinfo=UTC)
	)
	assert [t.astimezone(UTC) for t in interval] == [
		datetime(2024, 10, 27, 0, 0, tzinfo=UTC),
		datetime(2024, 10, 27, 2, 0, tzinfo=UTC),
	]


# --- deadlines ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"start,minutes,expected",
	[
		(sh(2024, 6, 3, 11), 60, sh(2024, 6, 3, 12)),  # the earliest instant, not after lunch
		(sh(2024, 6, 3, 11, 30), 60, sh(2024, 6, 3, 13, 30)),
		(sh(2024, 6, 7, 17), 120, sh(2024, 6, 10, 10)),
		(sh(2024, 6, 8, 10), 1, sh(2024, 6, 10, 9, 1)),
		(sh(2024, 6, 8, 10), 0, sh(2024, 6, 8, 10)),
		(sh(2024, 6, 3, 9), 2400, sh(2024, 6, 7, 18)),
		(sh(2024, 6, 3, 9), 0.5, sh(2024, 6, 3, 9, 0, 30)),
	],
)
def test_add_business_minutes_office(start, minutes, expected):
	assert add_business_minutes(office(), start, minutes) == expected


def test_add_business_minutes_skips_holidays_and_uses_extra_days():
	holiday = {"exception_date": "2024-06-10", "exception_type": "Holiday"}
	saturday = {
		"exception_date": "2024-06-08",
		"exception_type": "Extra Working Day",
		"start_time": "10:00",
		"end_time": "12:00",
	}
	assert add_business_minutes(office([holiday]), sh(2024, 6, 7, 17), 120) == sh(2024, 6, 11, 10)
	assert add_business_minutes(office([saturday]), sh(2024, 6, 7, 17), 120) == sh(2024, 6, 8, 11)


def test_add_business_minutes_returns_calendar_time_zone():
	deadline = add_business_minutes(office(), sh(2024, 6, 3, 9).astimezone(UTC), 60)
	assert str(deadline.tzinfo) == "Asia/Shanghai" and deadline == sh(2024, 6, 3, 10)


def test_add_business_minutes_gives_up_without_working_time():
	extra = [
		{
			"idx": 1,
			"exception_date": "2020-01-04",
			"exception_type": "Extra Working Day",
			"start_time": "09:00",
			"end_time": "10:00",
		}
	]
	cal = build_calendar("UTC", [], extra)
	assert add_business_minutes(cal, datetime(2020, 1, 4, 9, 30, tzinfo=UTC), 30) == datetime(
		2020, 1, 4, 10, tzinfo=UTC
	)
	with pytest.raises(RuleError, match="not enough working time within 3 years"):
		add_business_minutes(cal, datetime(2020, 1, 4, 9, 30, tzinfo=UTC), 31)
	with pytest.raises(ValueError):
		add_business_minutes(cal, datetime(2020, 1, 4, tzinfo=UTC), -1)


# --- pauses ------------------------------------------------------------------------------------------


def test_pause_over_the_weekend_removes_only_business_time():
	cal = office()
	start, end = sh(2024, 6, 7, 17), sh(2024, 6, 10, 10)
	pause = (sh(2024, 6, 7, 17, 30), sh(2024, 6, 10, 9, 30))
	assert business_minutes_excluding(cal, start, end, [pause]) == 60
	# overlapping, duplicated and out-of-range pauses count once
	pauses = [pause, pause, (sh(2024, 6, 8), sh(2024, 6, 10, 9, 15)), (sh(2024, 6, 1), sh(2024, 6, 2))]
	assert business_minutes_excluding(cal, start, end, pauses) == 60
	assert business_minutes_excluding(cal, start, end, []) == 120
	assert business_minutes_excluding(cal, start, end, [(sh(2024, 6, 1), sh(2024, 6, 30))]) == 0
	assert business_minutes_excluding(cal, start, end, [(sh(2024, 6, 10), sh(2024, 6, 9))]) == 120


# --- properties against a per-minute oracle ----------------------------------------------------------

# (zone, a local date on which its clocks change, or not)
TRANSITIONS = [
	("Europe/Berlin", date(2024, 3, 31)),
	("Europe/Berlin", date(2024, 10, 27)),
	("America/New_York", date(2024, 3, 10)),
	("America/New_York", date(2024, 11, 3)),
	("Australia/Lord_Howe", date(2024, 4, 7)),  # a 30 minute shift
	("Australia/Lord_Howe", date(2024, 10, 6)),
	("America/Sao_Paulo", date(2018, 11, 4)),  # midnight did not exist
	("America/Sao_Paulo", date(2019, 2, 17)),
	("Asia/Shanghai", date(2024, 6, 12)),
	("Asia/Kathmandu", date(2024, 6, 12)),
	("UTC", date(2024, 2, 28)),
]
MINUTE = timedelta(minutes=1)


def as_time(minutes):
	return "00:00" if minutes == 1440 else f"{minutes // 60:02d}:{minutes % 60:02d}"


def disjoint(spans):
	"""Quarter-hour (start, length) pairs as non-overlapping (start, end) minute windows."""
	taken = []
	for start, length in spans:
		lo, hi = start * 15, min(96, start + length) * 15
		if all(hi <= a or lo >= b for a, b in taken):
			taken.append((lo, hi))
	return sorted(taken)


# quarter hours, often starting near the night-time clock changes
SPAN = st.tuples(st.one_of(st.integers(0, 95), st.integers(0, 14)), st.integers(1, 96))


@st.composite
def calendars(draw):
	tz, anchor = draw(st.sampled_from(TRANSITIONS))
	weekday = st.one_of(st.just(anchor.weekday()), st.integers(0, 6))
	weekly = draw(st.lists(st.tuples(weekday, SPAN), max_size=10))
	windows = []
	for weekday in range(7):
		for start, end in disjoint([span for day, span in weekly if day == weekday]):
			windows.append(
				{"weekday": WEEKDAYS[weekday], "start_time": as_time(start), "end_time": as_time(end)}
			)
	special = draw(st.lists(st.tuples(st.integers(-3, 8), st.booleans(), SPAN), max_size=5))
	holidays = {anchor + timedelta(days=d) for d, is_holiday, _ in special if is_holiday}
	exceptions = [{"exception_date": d.isoformat(), "exception_type": "Holiday"} for d in sorted(holidays)]
	extra_days = {anchor + timedelta(days=d) for d, is_holiday, _ in special if not is_holiday} - holidays
	for day in sorted(extra_days):
		spans = [
			span for d, is_holiday, span in special if anchor + timedelta(days=d) == day and not is_holiday
		]
		for start, end in disjoint(spans):
			exceptions.append(
				{
					"exception_date": day,
					"exception_type": "Extra Working Day",
					"start_time": as_time(start),
					"end_time": as_time(end),
				}
			)
	assume(windows or extra_days)
	windows = [dict(row, idx=i) for i, row in enumerate(windows, 1)]
	exceptions = [dict(row, idx=i) for i, row in enumerate(exceptions, 1)]
	assert validate_calendar(tz, windows, exceptions) == []
	cal = build_calendar(tz, windows, exceptions)
	offset = timedelta(days=draw(st.integers(-2, 1)), minutes=draw(st.integers(0, 1439)))
	start = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC) + offset
	return cal, start


def oracle_minutes(cal: ServiceCalendar, start, end):
	"""Count working minutes one UTC minute at a time.

	A minute works when the local wall clock, as far as it has advanced so far (its running maximum,
	so the repeated autumn hour counts under its first reading), lies inside a window of its date.
	"""
	tz = ZoneInfo(cal.timezone)
	total = 0
	clock = None
	t = start - timedelta(hours=3)
	while t < end:
		wall = t.astimezone(tz).replace(tzinfo=None)
		clock = wall if clock is None or wall > clock else clock
		if t >= start:
			day = clock.date()
			if day in cal.extra_days:
				windows = cal.extra_days[day]
			elif day in cal.holidays:
				windows = ()
			else:
				windows = cal.windows.get(day.weekday(), ())
			minute = clock.hour * 60 + clock.minute
			total += any(lo <= minute < hi for lo, hi in windows)
		t += MINUTE
	return total


FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


NIGHT = st.sampled_from(list(range(0, 17)) + list(range(88, 97)))  # quarter hours 00:00-04:00, 22:00-24:00


@st.composite
def dst_calendars(draw):
	"""Windows with boundaries in and around the night a zone's clocks change, and an interval over it."""
	tz, anchor = draw(
		st.sampled_from([pair for pair in TRANSITIONS if pair[1].month != 6 and pair[0] != "UTC"])
	)
	windows = []
	for day in (anchor - timedelta(days=1), anchor):
		bounds = sorted(draw(st.sets(NIGHT, min_size=2, max_size=6)))
		for lo, hi in zip(bounds[::2], bounds[1::2], strict=False):
			windows.append(
				{
					"idx": len(windows) + 1,
					"weekday": WEEKDAYS[day.weekday()],
					"start_time": as_time(lo * 15),
					"end_time": as_time(hi * 15),
				}
			)
	cal = build_calendar(tz, windows, [])
	midnight = datetime(anchor.year, anchor.month, anchor.day, tzinfo=ZoneInfo(tz)) - timedelta(days=1)
	start = midnight.astimezone(UTC) + timedelta(minutes=draw(st.integers(0, 36 * 60)))
	return cal, start


@FAST
@given(dst_calendars(), st.integers(0, 36 * 60))
def test_business_minutes_matches_the_oracle_when_clocks_change(cal_start, span):
	cal, start = cal_start
	end = start + timedelta(minutes=span)
	assert business_minutes(cal, start, end) == oracle_minutes(cal, start, end)
	deadline = add_business_minutes(cal, start, oracle_minutes(cal, start, end))
	assert business_minutes(cal, start, deadline) == business_minutes(cal, start, end)


@FAST
@given(calendars(), st.integers(0, 3 * 1440))
def test_business_minutes_matches_the_oracle(cal_start, span):
	cal, start = cal_start
	end = start + timedelta(minutes=span)
	assert business_minutes(cal, start, end) == oracle_minutes(cal, start, end)


@FAST
@given(calendars(), st.integers(0, 6 * 1440), st.integers(0, 6 * 1440))
def test_business_minutes_is_additive(cal_start, first, second):
	cal, start = cal_start
	middle = start + timedelta(minutes=first)
	end = middle + timedelta(minutes=second)
	whole = business_minutes(cal, start, end)
	assert whole == business_minutes(cal, start, middle) + business_minutes(cal, middle, end)
	# subtract in UTC: two datetimes sharing a ZoneInfo subtract as wall-clock times
	intervals = working_intervals(cal, start, end)
	assert whole == sum(
		(hi.astimezone(UTC) - lo.astimezone(UTC)).total_seconds() / 60 for lo, hi in intervals
	)


@FAST
@given(calendars(), st.integers(0, 4 * 1440))
def test_add_business_minutes_inverts_business_minutes(cal_start, minutes):
	cal, start = cal_start
	try:
		deadline = add_business_minutes(cal, start, minutes)
	except RuleError:
		# it may give up only when three years of the calendar hold less working time
		assert business_minutes(cal, start, start + timedelta(days=3 * 366)) < minutes
		return
	assert deadline >= start
	assert business_minutes(cal, start, deadline) == minutes
	if minutes:
		# the earliest such instant
		assert business_minutes(cal, start, deadline - timedelta(seconds=1)) < minutes


@FAST
@given(
	calendars(),
	st.integers(0, 4 * 1440),
	st.lists(st.integers(-1440, 5 * 1440), max_size=8, unique=True),
	st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), max_size=4),
)
def test_pauses_remove_exactly_the_business_time_they_cover(cal_start, span, cuts, pieces):
	cal, start = cal_start
	end = start + timedelta(minutes=span)
	cuts = sorted(cuts)
	disjoint = [
		(start + timedelta(minutes=a), start + timedelta(minutes=b))
		for a, b in zip(cuts[::2], cuts[1::2], strict=False)
	]
	total = business_minutes(cal, start, end)
	removed = sum(business_minutes(cal, max(lo, start), min(hi, end)) for lo, hi in disjoint)
	left = business_minutes_excluding(cal, start, end, disjoint)
	assert left == total - removed
	assert 0 <= left <= total
	# overlapping pauses inside the same union (repeats and pieces of each pause) remove nothing more
	overlapping = list(disjoint)
	for n, (a, b) in enumerate(pieces):
		if disjoint:
			lo, hi = disjoint[n % len(disjoint)]
			cut_a, cut_b = sorted((lo + (hi - lo) * a / 100, lo + (hi - lo) * b / 100))
			overlapping += [(lo, cut_b), (cut_a, hi), (cut_a, cut_b)]
	assert business_minutes_excluding(cal, start, end, overlapping[::-1]) == pytest.approx(left)
