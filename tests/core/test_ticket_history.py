"""A ticket's history rebuilt from its change log (core.ticket_history), against hand-computed cases: two
holds (one over a weekend, one over lunch), a reopen, a priority change and a hand-off from L1 to L2,
under each setting of the rules."""

from datetime import datetime
from random import Random
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from slm_app.core import calendar as cal
from slm_app.core import ticket_history as th
from slm_app.core.errors import RuleError
from slm_app.core.instants import NAT, OPEN_END

SH = ZoneInfo("Asia/Shanghai")
OFFICE = cal.build_calendar(
	"Asia/Shanghai",
	[
		{"weekday": d, "start_time": s, "end_time": e}
		for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
		for s, e in (("09:00", "12:00"), ("13:00", "18:00"))
	],
	[],
)


def at(day, hour, minute=0) -> int:
	"""An instant in March 2026, Shanghai (Friday the 6th, Monday the 9th, Tuesday the 10th)."""
	return int(pd.Timestamp(datetime(2026, 3, day, hour, minute, tzinfo=SH)).value)


def c(day, hour, minute, field, old, new):
	return th.Change(at(day, hour, minute), field, old, new)


CREATED, ANSWERED = at(6, 10), at(6, 10, 30)
LOG = [
	c(6, 16, 0, "status", "Open", "Paused"),  # hold 1: over the weekend
	c(9, 10, 0, "status", "Paused", "Open"),
	c(9, 11, 0, "priority", "Medium", "High"),
	c(9, 11, 30, "team", "L1", "L2"),  # hand-off
	c(9, 11, 45, "status", "Open", "Paused"),  # hold 2: over lunch
	c(9, 13, 30, "status", "Paused", "Open"),
	c(9, 15, 0, "status", "Open", "Resolved"),
	c(10, 9, 30, "status", "Resolved", "Open"),  # reopened
	c(10, 10, 30, "status", "Open", "Resolved"),
]
NOW = {"status": "Resolved", "priority": "High", "team": "L2"}


def history(log=LOG, **rules):
	return th.rebuild("HD-1", CREATED, NOW, log, th.Rules(**rules), first_response_ns=ANSWERED)


def minutes(h):
	return th.business_minutes(OFFICE, h.created_ns, h.resolved_ns, h.pauses)


def test_the_scenario_by_hand_default_rules():
	h = history()
	assert h.resolutions == [at(9, 15), at(10, 10, 30)] and h.reopens == [at(10, 9, 30)]
	assert h.resolved_ns == at(10, 10, 30)  # the last resolution
	# the two holds, and the time it was resolved before the reopen
	assert h.pauses == [(at(6, 16), at(9, 10)), (at(9, 11, 45), at(9, 13, 30)), (at(9, 15), at(10, 9, 30))]
	assert h.priority == "High" and h.priorities == [(CREATED, at(9, 11), "Medium"), (at(9, 11), OPEN_END, "High")]
	assert h.teams == [(CREATED, at(9, 11, 30), "L1"), (at(9, 11, 30), at(10, 10, 30), "L2")]
	assert [s for _a, _b, s in h.statuses] == ["Open", "Paused", "Open", "Paused", "Open", "Resolved", "Open", "Resolved"]
	# Fri 10-12 (120) + 13-16 (180); Mon 10-11:45 (105) + 13:30-15 (90); Tue 9:30-10:30 (60)
	assert minutes(h) == 555


def test_per_team_minutes_add_up_to_the_ticket():
	h = history()
	l1, l2 = th.team_rows(h)
	assert (l1.team, l1.created_ns, l1.resolved_ns, l1.response_ns) == ("L1", CREATED, at(9, 11, 30), ANSWERED)
	assert (l2.team, l2.created_ns, l2.resolved_ns, l2.response_ns) == ("L2", at(9, 11, 30), at(10, 10, 30), at(9, 11, 30))
	# L1: Friday 300 + Monday 10:00-11:30 (90); L2: 11:30-11:45 (15) + 13:30-15:00 (90) + Tuesday 9:30-10:30 (60)
	assert th.business_minutes(OFFICE, l1.created_ns, l1.resolved_ns, l1.pauses) == 390
	assert th.business_minutes(OFFICE, l2.created_ns, l2.resolved_ns, l2.pauses) == 165


def test_a_team_that_holds_twice_is_paused_in_between():
	log = [c(6, 11, 0, "team", "L1", "L2"), c(6, 14, 0, "team", "L2", "L1"), c(6, 17, 0, "status", "Open", "Resolved")]
	h = th.rebuild("HD-2", CREATED, {"status": "Resolved", "team": "L1"}, log, th.Rules())
	l1 = next(r for r in th.team_rows(h) if r.team == "L1")
	assert l1.held == ((CREATED, at(6, 11)), (at(6, 14), at(6, 17))) and l1.pauses == ((at(6, 11), at(6, 14)),)
	# 10-11 (60) + 14-17 (180)
	assert th.business_minutes(OFFICE, l1.created_ns, l1.resolved_ns, l1.pauses) == 240
	assert l1.response_ns == CREATED  # no response logged: nothing to answer


def test_time_while_resolved_counts_when_the_setting_says_so():
	h = history(reopened="resolved_counts")
	assert h.resolved_ns == at(10, 10, 30)
	# 555 + Monday 15:00-18:00 (180) + Tuesday 9:00-9:30 (30)
	assert minutes(h) == 765


def test_first_resolution_stands_when_the_setting_says_so():
	h = history(reopened="first_resolution")
	assert h.resolved_ns == at(9, 15) and h.reopens == [at(10, 9, 30)]
	assert h.pauses == [(at(6, 16), at(9, 10)), (at(9, 11, 45), at(9, 13, 30))]
	assert minutes(h) == 300 + 105 + 90


@pytest.mark.parametrize(("rule", "expected"), [("latest", "High"), ("first", "Medium"), ("highest", "High")])
def test_priority_after_a_change(rule, expected):
	assert history(priority_after_change=rule).priority == expected


def test_highest_keeps_the_most_urgent_even_when_lowered_again():
	log = [c(6, 11, 0, "priority", "Urgent", "Low")]
	h = th.rebuild("HD-3", CREATED, {"status": "Open", "priority": "Low"}, log, th.Rules(priority_after_change="highest"), priority_map={"Urgent": "Critical"})
	assert h.priority == "Critical" and h.priorities[0][2] == "Critical"
	assert th.rebuild("HD-3", CREATED, {"status": "Open", "priority": "Low"}, log, th.Rules()).priority == "Low"


def test_an_open_ticket_on_hold_now_is_paused_to_the_open_end():
	h = th.rebuild("HD-4", CREATED, {"status": "Paused"}, [c(6, 16, 0, "status", "Open", "Paused")], th.Rules())
	assert h.resolved_ns == NAT and h.pauses == [(at(6, 16), OPEN_END)] and h.resolutions == []


def test_rebuilding_is_idempotent_whatever_the_order_and_repeats():
	base = history()
	shuffled = LOG + LOG[:3] + [c(1, 0, 0, "subject", "a", "b")]
	Random(7).shuffle(shuffled)
	again = history(shuffled)
	assert (again.statuses, again.pauses, again.priorities, again.teams, again.resolutions, again.reopens, again.resolved_ns) == (
		base.statuses,
		base.pauses,
		base.priorities,
		base.teams,
		base.resolutions,
		base.reopens,
		base.resolved_ns,
	)


def test_two_changes_at_one_instant_keep_the_last():
	log = [c(6, 11, 0, "status", "Open", "Paused"), c(6, 11, 0, "status", "Paused", "Open")]
	h = th.rebuild("HD-5", CREATED, {"status": "Open"}, log, th.Rules())
	assert h.statuses == [(CREATED, OPEN_END, "Open")] and h.pauses == []


def test_a_ticket_with_no_log_uses_its_own_fields():
	h = th.rebuild("HD-6", CREATED, {"status": "Closed", "priority": "Low", "team": ""}, [], th.Rules(), resolution_ns=at(6, 12))
	assert h.resolved_ns == at(6, 12) and h.resolutions == [at(6, 12)] and h.priority == "Low" and th.team_rows(h) == []


def test_bad_rules_are_named():
	with pytest.raises(RuleError, match="Priority after a change"):
		th.Rules(priority_after_change="lowest")
	with pytest.raises(RuleError, match="Reopened"):
		th.Rules(reopened="ignore")
	with pytest.raises(RuleError, match="both pause and resolve"):
		th.Rules(pause_statuses=frozenset({"Closed"}))


def _target(code, agreement_code, kind, hours, agreement_type="SLA"):
	from datetime import date

	return {
		"agreement": f"{agreement_code}-V1", "agreement_code": agreement_code, "version": 1, "agreement_type": agreement_type, "party": "P",
		"calendar": "office", "valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "target_code": code, "service": "S",
		"metric_kind": "Resolution Time", "metric_name": "", "unit": "", "direction": "", "priority": "High", "target_value": hours,
		"time_unit": "Hours", "compliance_share": 95,
	}


@pytest.mark.parametrize(
	("reopened", "minutes"),
	[
		("resolved_paused", {"HD-1": 555, "HD-1@L1": 390, "HD-1@L2": 165}),
		# L2 held the ticket while it was resolved, Monday 15-18 and Tuesday 9-9:30: that counts for it too
		("resolved_counts", {"HD-1": 765, "HD-1@L1": 390, "HD-1@L2": 375}),
		# resolved on Monday at 15:00 for good: L2's hold ends there (11:30-11:45 and 13:30-15:00)
		("first_resolution", {"HD-1": 495, "HD-1@L1": 390, "HD-1@L2": 105}),
	],
)
def test_the_month_engine_follows_the_rules(reopened, minutes):
	"""The rows the sync writes (the ticket for its SLA, each team's share for its OLA) through the month
	engine: the elapsed times of the missed tickets are the hand-computed ones (SLA 8 h, OLAs 4 h)."""
	from datetime import timezone

	from slm_app.core import compliance as cp

	h = history(reopened=reopened)
	rows = [("HD-1", "SLA-1", h.priority, h.created_ns, h.first_response_ns, h.resolved_ns)]
	pauses = [("HD-1", s, e) for s, e in h.pauses]
	for tr in th.team_rows(h):
		tid = f"HD-1@{tr.team}"
		rows.append((tid, f"OLA-{tr.team}", h.priority, tr.created_ns, tr.response_ns, tr.resolved_ns))
		pauses += [(tid, s, e) for s, e in tr.pauses]
		assert th.business_minutes(OFFICE, tr.created_ns, tr.resolved_ns, tr.pauses) == minutes[tid]
	empty = cp.Measurements.empty()
	m = cp.Measurements(
		pd.DataFrame(rows, columns=["ticket_id", "agreement_code", "priority", "created_ns", "response_ns", "resolved_ns"]),
		pd.DataFrame(pauses, columns=["ticket_id", "start_ns", "end_ns"]),
		empty.outages,
		empty.coverage,
		empty.metrics,
	)
	targets = pd.DataFrame([_target("T1", "SLA-1", "Resolution Time", 8), _target("T1", "OLA-L1", "Resolution Time", 4, "OLA"), _target("T1", "OLA-L2", "Resolution Time", 4, "OLA")])
	results, missed = cp.evaluate(targets, {"office": OFFICE}, m, 2026, 3, datetime(2026, 4, 1, tzinfo=timezone.utc))
	limit = {"HD-1": 480, "HD-1@L1": 240, "HD-1@L2": 240}
	assert dict(zip(missed["ticket_id"], missed["elapsed_minutes"], strict=True)) == {t: v for t, v in minutes.items() if v > limit[t]}
	met = {r.agreement_code: r.met_count for r in results.itertuples()}
	assert met == {"SLA-1": int(minutes["HD-1"] <= 480), "OLA-L1": 0, "OLA-L2": int(minutes["HD-1@L2"] <= 240)}
