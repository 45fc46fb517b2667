"""Deadlines net of pauses, against a scalar walk from pause to pause."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from slm_app.core import calendar as cal
from slm_app.core.business_time import BEYOND, CalendarIndex

SH = ZoneInfo("Asia/Shanghai")
CAL = cal.build_calendar(
	"Asia/Shanghai",
	[{"weekday": d, "start_time": s, "end_time": e} for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday") for s, e in (("09:00", "12:00"), ("13:00", "18:00"))],
	[{"exception_date": "2026-03-05", "exception_type": "Holiday"}],
)
INDEX = CalendarIndex.build(CAL, datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2027, 1, 1, tzinfo=timezone.utc))


def ns(d):
	return int(pd.Timestamp(d).value)


def oracle(a, minutes, pauses):
	"""Walk from pause to pause: spend the working time before each (merged) pause, skip the pause."""
	merged = []
	for s, e in sorted((max(s, a), e) for s, e in pauses if e > a):
		if merged and s <= merged[-1][1]:
			merged[-1] = (merged[-1][0], max(merged[-1][1], e))
		elif e > s:
			merged.append((s, e))
	t, left = a, float(minutes)
	for s, e in merged:
		if s > t:
			work = cal.business_minutes(CAL, t, s)
			if work >= left:
				return cal.add_business_minutes(CAL, t, left)
			left -= work
		t = max(t, e)
	return cal.add_business_minutes(CAL, t, left)


def test_the_case_twenty_rounds_got_wrong():
	a = datetime(2026, 3, 2, 9, tzinfo=SH)  # Monday
	pause = (datetime(2026, 3, 2, 9, 58, tzinfo=SH), datetime(2026, 3, 3, 18, tzinfo=SH))
	got = INDEX.deadline_excluding_ns(np.array([ns(a)]), np.array([3600 * 10**9]), np.array([0]), np.array([ns(pause[0])]), np.array([ns(pause[1])]))
	assert got[0] == ns(datetime(2026, 3, 4, 9, 2, tzinfo=SH))  # Wednesday 09:02


def test_without_pauses_it_is_the_plain_deadline_and_far_ones_are_beyond():
	a = np.array([ns(datetime(2026, 3, 6, 17, tzinfo=SH))] * 2)
	need = np.array([3600 * 10**9, 10**9 * 3600 * 24 * 365 * 3])
	got = INDEX.deadline_excluding_ns(a, need, np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([], dtype=np.int64))
	assert got[0] == INDEX.deadline_ns(a[:1], need[:1])[0] == ns(datetime(2026, 3, 6, 18, tzinfo=SH))
	assert got[1] == BEYOND


@settings(max_examples=120, deadline=None)
@given(
	st.integers(0, 20 * 24 * 60),
	st.integers(1, 3000),
	st.lists(st.tuples(st.integers(-600, 6 * 24 * 60), st.integers(1, 4 * 24 * 60)), max_size=4),
)
def test_equals_the_scalar_walk(start_min, minutes, raw):
	a = datetime(2026, 3, 1, tzinfo=SH) + timedelta(minutes=start_min)
	pauses = [(a + timedelta(minutes=s), a + timedelta(minutes=s + d)) for s, d in raw]
	got = INDEX.deadline_excluding_ns(
		np.array([ns(a)]),
		np.array([minutes * 60 * 10**9]),
		np.zeros(len(pauses), dtype=np.int64),
		np.array([ns(p[0]) for p in pauses], dtype=np.int64),
		np.array([ns(p[1]) for p in pauses], dtype=np.int64),
	)
	assert got[0] == ns(oracle(a, minutes, pauses))
