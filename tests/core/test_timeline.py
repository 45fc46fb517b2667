"""A ticket's SLA timeline (core.timeline), worked out by hand: holidays, an extra working day, a pause, a
DST change, team clocks; and its minutes add up to the engine's elapsed time on random tickets."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slm_app.core import calendar as cal
from slm_app.core import timeline as tl
from slm_app.core.business_time import index_for
from slm_app.core.compliance import NAT
from slm_app.core.instants import OPEN_END

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = [
	{"weekday": d, "start_time": s, "end_time": e}
	for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
	for s, e in (("09:00", "12:00"), ("13:00", "18:00"))
]
# China's National Day week 2026 (Thursday 1 to Wednesday 7 October) and its make-up Saturday, the 10th
CN = cal.build_calendar(
	"Asia/Shanghai",
	OFFICE,
	[{"exception_date": f"2026-10-0{d}", "exception_type": "Holiday"} for d in range(1, 8)]
	+ [
		{"exception_date": "2026-10-10", "exception_type": "Extra Working Day", "start_time": "09:00", "end_time": "12:00"},
		{"exception_date": "2026-10-10", "exception_type": "Extra Working Day", "start_time": "13:00", "end_time": "18:00"},
	],
)


def ns(tz, *args) -> int:
	return int(pd.Timestamp(datetime(*args, tzinfo=tz)).value)


def resolution(hours, code="T2", team=None):
	return tl.Clock(code, "Resolution Time", hours * 3600.0, f"Resolution Time ≤ {hours} h", team)


def test_holidays_and_a_pause():
	ticket = {"ticket_id": "INC-1", "priority": "High", "created_ns": ns(SH, 2026, 9, 30, 17), "response_ns": NAT, "resolved_ns": ns(SH, 2026, 10, 8, 17, 30)}
	pause = tl.Event(tl.PAUSE, ns(SH, 2026, 10, 8, 10), ns(SH, 2026, 10, 8, 11))
	t = tl.ticket_timeline(ticket, CN, [resolution(8)], [pause], agreement="SLA-1-V1", calendar_name="CN")
	clock = t.clocks[0]
	# 30 Sep 17-18 (60) + 8 Oct 09-10 (60) + 11-12 (60) + 13-17:30 (270) = 450 minutes: met, 30 to spare
	assert clock["elapsed_minutes"] == 450 and clock["result"] == "Met" and clock["left_minutes"] == 30
	# the deadline: 480 minutes reached at 18:00 on the 8th (the pause moved it by an hour)
	assert clock["deadline_ns"] == ns(SH, 2026, 10, 8, 18)
	seg = t.segments
	# the timeline runs on to the deadline after the resolution: 17:30-18:00 counts nothing
	assert list(seg["kind"]) == ["Working time", "Holiday", "Working time", "Paused", "Working time", "Outside service hours", "Working time", "Working time"]
	assert seg.iloc[1]["detail"] == "2026-10-01, 2026-10-02, 2026-10-05, 2026-10-06, 2026-10-07"
	assert list(seg["T2_minutes"]) == [60, 0, 60, 0, 60, 0, 270, 0]
	assert list(seg["T2_total"]) == [60, 60, 120, 120, 180, 180, 450, 450]
	assert seg.iloc[-1]["start_ns"] == ns(SH, 2026, 10, 8, 17, 30) and t.stop_ns == ns(SH, 2026, 10, 8, 18)
	assert t.segments["T2_minutes"].sum() == clock["elapsed_minutes"]
	assert [m["what"] for m in t.marks] == ["created", "resolved", "deadline"]


def test_an_extra_working_day_counts():
	ticket = {"ticket_id": "INC-2", "priority": "High", "created_ns": ns(SH, 2026, 10, 9, 15), "response_ns": NAT, "resolved_ns": NAT}
	t = tl.ticket_timeline(ticket, CN, [resolution(8)], as_of_ns=ns(SH, 2026, 10, 12, 12))
	clock = t.clocks[0]
	# Friday 15-18 (180), Saturday the 10th is a make-up day: 09-12 (180) and 13-15 (120) reach 480
	assert clock["deadline_ns"] == ns(SH, 2026, 10, 10, 15)
	# still open on Monday at noon: 180 + 480 (Saturday) + 180 (Monday morning) = 840, missed
	assert clock["elapsed_minutes"] == 840 and clock["result"] == "Missed" and clock["stopped_by"] == "as_of"
	kinds = list(t.segments["kind"])
	assert "Extra working day" in kinds
	saturday = t.segments[t.segments["kind"] == "Extra working day"]
	assert saturday["T2_minutes"].sum() == 480


def test_dst_in_berlin_counts_real_time():
	# 24x7 in Berlin: the clocks go forward at 02:00 on Sunday 29 March 2026
	always = cal.build_calendar("Europe/Berlin", [{"weekday": d, "start_time": "00:00", "end_time": "00:00"} for d in cal.WEEKDAYS], [])
	ticket = {"ticket_id": "INC-3", "priority": "", "created_ns": ns(BERLIN, 2026, 3, 28, 22), "response_ns": NAT, "resolved_ns": ns(BERLIN, 2026, 3, 29, 4)}
	t = tl.ticket_timeline(ticket, always, [resolution(5)])
	# 22:00 to 04:00 on the wall is 5 real hours: exactly the target, met
	assert t.clocks[0]["elapsed_minutes"] == 300 and t.clocks[0]["result"] == "Met"
	assert t.clocks[0]["deadline_ns"] == ns(BERLIN, 2026, 3, 29, 4)
	# office hours: Friday 16:00 + 4 h = Friday 16-18, Monday 09-11; Monday is already summer time
	berlin = cal.build_calendar("Europe/Berlin", OFFICE, [])
	ticket = {"ticket_id": "INC-4", "priority": "", "created_ns": ns(BERLIN, 2026, 3, 27, 16), "response_ns": NAT, "resolved_ns": NAT}
	t = tl.ticket_timeline(ticket, berlin, [resolution(4)], as_of_ns=ns(BERLIN, 2026, 3, 30, 10))
	assert t.clocks[0]["deadline_ns"] == ns(BERLIN, 2026, 3, 30, 11) == int(pd.Timestamp("2026-03-30T09:00:00Z").value)
	assert t.clocks[0]["elapsed_minutes"] == 180 and t.clocks[0]["result"] == "Pending"


def test_priority_and_team_changes_and_a_team_clock():
	ticket = {"ticket_id": "INC-5", "priority": "High", "created_ns": ns(SH, 2026, 3, 2, 9), "response_ns": NAT, "resolved_ns": ns(SH, 2026, 3, 2, 17)}
	events = [
		tl.Event(tl.PRIORITY, ns(SH, 2026, 3, 2, 10), value="Critical"),
		tl.Event(tl.TEAM, ns(SH, 2026, 3, 2, 11), value="Network"),
		tl.Event(tl.TEAM, ns(SH, 2026, 3, 2, 14), value="Service Desk"),
		tl.Event(tl.STATUS, ns(SH, 2026, 3, 2, 9), ns(SH, 2026, 3, 2, 17), "Open"),
	]
	clocks = [resolution(8, "T2"), resolution(4, "T9", team="Network")]
	t = tl.ticket_timeline(ticket, CN, clocks, events, team="Service Desk")
	by_code = {c["target_code"]: c for c in t.clocks}
	# the whole day counts for the ticket's own clock: 09-12, 13-17 = 420 minutes
	assert by_code["T2"]["elapsed_minutes"] == 420
	# the network team held it from 11:00 to 14:00: 11-12 and 13-14 count for its clock
	assert by_code["T9"]["elapsed_minutes"] == 120
	assert t.segments["T9_minutes"].sum() == 120
	seg = t.segments
	assert list(seg[seg["start_ns"] == ns(SH, 2026, 3, 2, 11)]["team"]) == ["Network"]
	assert list(seg[seg["start_ns"] == ns(SH, 2026, 3, 2, 10)]["priority"]) == ["Critical"]
	assert [m["what"] for m in t.marks if m["what"] in ("priority", "team")] == ["priority", "team", "team"]


def test_version_and_clocks_of_a_ticket():
	versions = pd.DataFrame(
		[
			{"agreement": "SLA-1-V1", "version": 1, "state": "Superseded", "valid_from": "2026-01-01", "valid_to": "2026-12-31", "ended_on": "2026-03-14"},
			{"agreement": "SLA-1-V2", "version": 2, "state": "Active", "valid_from": "2026-03-15", "valid_to": "2026-12-31", "ended_on": None},
			{"agreement": "SLA-1-V3", "version": 3, "state": "Draft", "valid_from": "2026-03-20", "valid_to": None, "ended_on": None},
		]
	)
	assert tl.version_in_force(versions, ns(SH, 2026, 3, 14, 23, 59), SH)["agreement"] == "SLA-1-V1"
	assert tl.version_in_force(versions, ns(SH, 2026, 3, 15, 0, 1), SH)["agreement"] == "SLA-1-V2"
	assert tl.version_in_force(versions, ns(SH, 2026, 3, 25), SH)["agreement"] == "SLA-1-V2"
	targets = pd.DataFrame(
		[
			{"agreement": "SLA-1-V2", "target_code": "T1", "service": "S", "metric_kind": "Response Time", "priority": "High", "target_value": 1, "time_unit": "Hours", "compliance_share": 90},
			{"agreement": "SLA-1-V2", "target_code": "T2", "service": "S", "metric_kind": "Resolution Time", "priority": "Low", "target_value": 8, "time_unit": "Hours", "compliance_share": 90},
			{"agreement": "SLA-1-V2", "target_code": "T3", "service": "S", "metric_kind": "Resolution Time", "priority": "", "target_value": 30, "time_unit": "Minutes", "compliance_share": 90},
			{"agreement": "SLA-1-V2", "target_code": "T4", "service": "S", "metric_kind": "Availability", "priority": "", "target_value": 99.9, "time_unit": "", "compliance_share": 100},
		]
	)
	clocks = tl.clocks_for(targets, "SLA-1-V2", "High")
	assert [(c.target_code, c.limit_s) for c in clocks] == [("T1", 3600.0), ("T3", 1800.0)]


@settings(max_examples=60, deadline=None)
@given(
	start=st.integers(0, 60 * 24 * 30),
	length=st.integers(1, 60 * 24 * 20),
	pauses=st.lists(st.tuples(st.integers(0, 60 * 24 * 25), st.integers(1, 60 * 24 * 3)), max_size=3),
	hours=st.integers(1, 40),
)
def test_segments_add_up_to_the_engines_elapsed_time(start, length, pauses, hours):
	base = datetime(2026, 9, 20, tzinfo=SH)
	created = base + timedelta(minutes=start)
	resolved = created + timedelta(minutes=length)
	c, r = int(pd.Timestamp(created).value), int(pd.Timestamp(resolved).value)
	events = [tl.Event(tl.PAUSE, int(pd.Timestamp(created + timedelta(minutes=a)).value), int(pd.Timestamp(created + timedelta(minutes=a + d)).value)) for a, d in pauses]
	t = tl.ticket_timeline({"ticket_id": "X", "priority": "", "created_ns": c, "response_ns": NAT, "resolved_ns": r}, CN, [resolution(hours)], events)
	index = index_for(CN, base - timedelta(days=2), base + timedelta(days=90))
	owner = np.zeros(len(events), dtype=np.int64)
	expected = index.elapsed_excluding([c], [r], owner, [e.start_ns for e in events], [e.end_ns for e in events])[0] / 60
	assert t.clocks[0]["elapsed_minutes"] == pytest.approx(expected, abs=1e-9)
	assert t.segments["T2_minutes"].sum() == pytest.approx(expected, abs=1e-6)
	assert t.segments["minutes"].sum() == pytest.approx((t.stop_ns - c) / 60e9, abs=1e-6)


def test_a_running_pause_holds_the_clock():
	ticket = {"ticket_id": "INC-6", "priority": "", "created_ns": ns(SH, 2026, 3, 2, 9), "response_ns": NAT, "resolved_ns": NAT}
	pause = tl.Event(tl.PAUSE, ns(SH, 2026, 3, 2, 10), OPEN_END)
	t = tl.ticket_timeline(ticket, CN, [resolution(8)], [pause], as_of_ns=ns(SH, 2026, 3, 3, 12))
	# one hour before the pause; resumed now, the 7 h left run from Tuesday 12:00: 13-18 (5 h), Wednesday 09-11
	assert t.clocks[0]["elapsed_minutes"] == 60
	assert t.clocks[0]["deadline_ns"] == ns(SH, 2026, 3, 4, 11)
