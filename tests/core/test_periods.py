from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slm_app.core.periods import (
	NAT,
	month_bounds,
	month_key,
	month_keys,
	month_of,
	months_between,
	previous_month,
)

UTC = timezone.utc


def utc(*args):
	return datetime(*args, tzinfo=UTC)


def ns(instant: datetime) -> int:
	return (instant - utc(1970, 1, 1)) // timedelta(microseconds=1) * 1000


# --- month bounds, by hand ---------------------------------------------------------------------------


@pytest.mark.parametrize(
	"year,month,tz,start,end",
	[
		# Shanghai has no DST: midnight is 16:00 UTC the day before
		(2024, 3, "Asia/Shanghai", utc(2024, 2, 29, 16), utc(2024, 3, 31, 16)),
		# Berlin: March starts in winter time (+01) and ends in summer time (+02)
		(2024, 3, "Europe/Berlin", utc(2024, 2, 29, 23), utc(2024, 3, 31, 22)),
		(2024, 10, "Europe/Berlin", utc(2024, 9, 30, 22), utc(2024, 10, 31, 23)),
		(2024, 12, "America/New_York", utc(2024, 12, 1, 5), utc(2025, 1, 1, 5)),
		(2024, 11, "America/New_York", utc(2024, 11, 1, 4), utc(2024, 12, 1, 5)),
		# Asuncion 2023-10-01: clocks jumped from 00:00 to 01:00, the month starts after the gap
		(2023, 10, "America/Asuncion", utc(2023, 10, 1, 4), utc(2023, 11, 1, 3)),
		# Havana 2020-11-01: clocks fell back from 01:00 to 00:00, the month starts at the first midnight
		(2020, 11, "America/Havana", utc(2020, 11, 1, 4), utc(2020, 12, 1, 5)),
		(2024, 1, "UTC", utc(2024, 1, 1), utc(2024, 2, 1)),
	],
)
def test_month_bounds_are_local_midnights(year, month, tz, start, end):
	bounds = month_bounds(year, month, tz)
	assert bounds == (start, end)
	assert all(b.utcoffset() == timedelta(0) for b in bounds)


def test_a_month_in_which_the_clocks_change_is_an_hour_shorter_or_longer():
	start, end = month_bounds(2024, 3, "Europe/Berlin")
	assert end - start == timedelta(days=31, hours=-1)
	start, end = month_bounds(2024, 10, ZoneInfo("Europe/Berlin"))
	assert end - start == timedelta(days=31, hours=1)


def test_month_bounds_rejects_a_month_that_does_not_exist():
	with pytest.raises(ValueError):
		month_bounds(2024, 13, "UTC")


# --- months -------------------------------------------------------------------------------------------


def test_month_of_reads_the_local_month():
	# 23:30 UTC on 29 February is already March in Berlin and still February in New York
	instant = utc(2024, 2, 29, 23, 30)
	assert month_of(instant, "Europe/Berlin") == (2024, 3)
	assert month_of(instant, "America/New_York") == (2024, 2)
	with pytest.raises(ValueError):
		month_of(datetime(2024, 2, 29, 23, 30), "UTC")


def test_months_between_includes_both_ends_and_crosses_years():
	assert months_between(date(2023, 11, 30), date(2024, 2, 1)) == [
		(2023, 11),
		(2023, 12),
		(2024, 1),
		(2024, 2),
	]
	assert months_between(date(2024, 5, 31), date(2024, 5, 1)) == [(2024, 5)]
	assert months_between(date(2024, 5, 1), date(2024, 4, 30)) == []


@pytest.mark.parametrize(
	"today,expected",
	[(date(2024, 1, 1), (2023, 12)), (date(2024, 3, 31), (2024, 2)), (date(2024, 12, 15), (2024, 11))],
)
def test_previous_month(today, expected):
	assert previous_month(today) == expected


def test_month_keys_are_yyyymm_and_zero_for_nat():
	values = np.array([ns(utc(2024, 2, 29, 23, 30)), NAT, ns(utc(2024, 12, 31, 16))], dtype=np.int64)
	keys = month_keys(values, "Asia/Shanghai")
	assert keys.dtype == np.int32
	assert keys.tolist() == [202403, 0, 202501]
	assert month_keys(values.view("datetime64[ns]"), "UTC").tolist() == [202402, 0, 202412]
	assert month_keys(np.array([], dtype=np.int64), "UTC").tolist() == []
	assert month_key(2024, 3) == 202403


# --- property: month_keys, month_of and month_bounds agree -------------------------------------------

ZONES = [
	"Europe/Berlin",
	"America/New_York",
	"Asia/Shanghai",
	"America/Asuncion",
	"America/Havana",
	"Australia/Lord_Howe",
	"Asia/Kathmandu",
	"UTC",
]
# instants near local midnights at the turn of a month, where the zones above change their clocks
NEAR_TURNS = st.builds(
	lambda day, minutes: utc(2020, 1, 1) + timedelta(days=day, minutes=minutes),
	st.sampled_from(
		[
			(date(y, m, 1) - date(2020, 1, 1)).days + d
			for y in (2020, 2023)
			for m in range(1, 13)
			for d in (-1, 0)
		]
	),
	st.integers(-24 * 60, 48 * 60),
)
INSTANTS = st.one_of(
	NEAR_TURNS, st.datetimes(datetime(2000, 1, 1), datetime(2035, 1, 1), timezones=st.just(UTC))
)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(ZONES), st.lists(INSTANTS, min_size=1, max_size=20))
def test_month_keys_agree_with_month_of_and_month_bounds(tz, instants):
	keys = month_keys(np.array([ns(t) for t in instants], dtype=np.int64), tz)
	for instant, key in zip(instants, keys.tolist(), strict=True):
		year, month = month_of(instant, tz)
		assert key == month_key(year, month)
		start, end = month_bounds(year, month, tz)
		assert start <= instant < end
