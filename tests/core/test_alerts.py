"""Warnings before a breach (core.alerts): each threshold once a month, a ticket whose miss alone breaches
its target once, thresholds read from the settings, digests in the recipient's working hours."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from slm_app.core import alerts as a
from slm_app.core import calendar as cal
from slm_app.core.errors import RuleError

SH = ZoneInfo("Asia/Shanghai")


def status(used, left=2.0, kind="Resolution Time", state="On Track", agreement="SLA-1-V1", code="T2"):
	return {
		"agreement": agreement, "agreement_code": agreement.rsplit("-V", 1)[0], "agreement_type": "SLA", "party": "ACME", "service": "Banking",
		"target_code": code, "metric_kind": kind, "priority": "High", "period": "2026-03", "used_pct": used, "budget_left": left,
		"budget_unit": "Tickets" if kind != "Availability" else "Minutes", "status": state,
	}


def pair(ticket, used, late=False, agreement="SLA-1-V1", code="T2"):
	return {"agreement": agreement, "target_code": code, "ticket_id": ticket, "used_pct": used, "late": late, "left_s": 600.0, "deadline_ns": 1}


NO_PAIRS = pd.DataFrame(columns=["agreement", "target_code", "ticket_id", "used_pct", "late", "left_s", "deadline_ns"])


def test_parse_thresholds():
	assert a.parse_thresholds("75, 50;100 %") == (50, 75, 100)
	assert a.parse_thresholds("") == ()
	with pytest.raises(RuleError) as e:
		a.parse_thresholds("50, lots, 0, 2.5")
	assert "lots, 0, 2.5" in e.value.problems[0].format()


def test_each_threshold_once_a_month():
	warned: set[str] = set()
	runs = [40.0, 55.0, 60.0, 80.0, 45.0, 78.0, 101.0, 120.0]  # the budget recovers and crosses 75 again
	given = []
	for used in runs:
		new = a.new_warnings(pd.DataFrame([status(used)]), NO_PAIRS, warned)
		given.append(sorted(new["threshold"].astype(int)))
		warned |= set(new["name"])
	assert given == [[], [50], [], [75], [], [], [100], []]
	assert warned == {"BW-SLA-1-V1-T2-2026-03-50", "BW-SLA-1-V1-T2-2026-03-75", "BW-SLA-1-V1-T2-2026-03-100"}


def test_several_thresholds_at_once_are_all_recorded():
	new = a.new_warnings(pd.DataFrame([status(90.0)]), NO_PAIRS, set())
	assert list(new["threshold"]) == [50, 75]
	# a new month warns again
	march = set(new["name"])
	april = a.new_warnings(pd.DataFrame([{**status(90.0), "period": "2026-04"}]), NO_PAIRS, march)
	assert len(april) == 2


def test_thresholds_per_agreement():
	rows = pd.DataFrame([status(60.0), status(60.0, agreement="SLA-2-V1")])
	new = a.new_warnings(rows, NO_PAIRS, set(), thresholds={"SLA-2": (25, 60)}, default=(50, 75, 100))
	assert sorted(zip(new["agreement"], new["threshold"].astype(int), strict=True)) == [("SLA-1-V1", 50), ("SLA-2-V1", 25), ("SLA-2-V1", 60)]
	# none for an agreement: no warnings
	assert a.new_warnings(rows, NO_PAIRS, set(), thresholds={"SLA-1-V1": (), "SLA-2": ()}).empty


def test_a_ticket_whose_miss_alone_breaches():
	pairs = pd.DataFrame([pair("INC-1", 80.0), pair("INC-2", 40.0), pair("INC-3", 130.0, late=True)])
	# budget left 1: no ticket breaches on its own
	assert a.new_warnings(pd.DataFrame([status(50.0, left=1)]), pairs, {"BW-SLA-1-V1-T2-2026-03-50"}).empty
	# budget left 0: the near one (80 % used) would; the fresh one (40 %) is not near; the late one counts already
	new = a.new_warnings(pd.DataFrame([status(100.0, left=0)]), pairs, {f"BW-SLA-1-V1-T2-2026-03-{t}" for t in (50, 75, 100)})
	assert list(new["kind"]) == ["Ticket"] and list(new["ticket_id"]) == ["INC-1"]
	assert new["name"][0] == a.warning_name("SLA-1-V1", "T2", "2026-03", "INC-1")
	assert a.new_warnings(pd.DataFrame([status(100.0, left=0)]), pairs, set(new["name"]) | {f"BW-SLA-1-V1-T2-2026-03-{t}" for t in (50, 75, 100)}).empty
	# breached already: no ticket warning (the budget is gone, the breach itself is what is reported)
	assert a.new_warnings(pd.DataFrame([status(150.0, left=-1, state="Breached")]), pairs, {f"BW-SLA-1-V1-T2-2026-03-{t}" for t in (50, 75, 100)}).empty


def test_names_fit_a_document_name():
	name = a.warning_name("SLA-2026-0001-V12", "T10", "2026-03", "x" * 140)
	assert len(name) < 140 and name.startswith("BW-SLA-2026-0001-V12-T10-2026-03-T")


def test_digests_wait_for_working_hours():
	office = cal.build_calendar(
		"Asia/Shanghai", [{"weekday": d, "start_time": "09:00", "end_time": "18:00"} for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")], [{"exception_date": "2026-03-04", "exception_type": "Holiday"}]
	)
	london = cal.build_calendar("Europe/London", [{"weekday": d, "start_time": "09:00", "end_time": "17:00"} for d in cal.WEEKDAYS[:5]], [])
	people = {"manager": [office], "team": [london], "anyone": []}
	# Tuesday 10:00 in Shanghai is 02:00 in London
	assert a.due(people, datetime(2026, 3, 3, 10, tzinfo=SH)) == {"manager", "anyone"}
	# Tuesday 18:00 in Shanghai: 10:00 in London
	assert a.due(people, datetime(2026, 3, 3, 18, tzinfo=SH)) == {"team", "anyone"}
	# Wednesday the 4th is a holiday in Shanghai
	assert a.due(people, datetime(2026, 3, 4, 11, tzinfo=SH)) == {"anyone"}
	assert a.in_working_hours(None, datetime(2026, 3, 1, 3, tzinfo=SH))
