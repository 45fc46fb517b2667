from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slm_app.core import reviews as rv
from slm_app.core.compliance import BREACHED, MET, NO_DATA
from slm_app.core.errors import RuleError
from slm_app.core.lifecycle import REVIEW_CYCLES

D = date

# ------------------------------------------------------------------------------------------------
# review_dates


def test_quarterly_from_the_first_of_january():
	assert rv.review_dates(D(2026, 1, 1), None, "Quarterly", D(2027, 1, 1)) == [
		D(2026, 3, 31),
		D(2026, 6, 30),
		D(2026, 9, 30),
		D(2026, 12, 31),
	]


def test_cycle_periods_count_from_valid_from():
	assert rv.review_dates(D(2026, 1, 15), None, "Quarterly", D(2026, 12, 31)) == [
		D(2026, 4, 14),
		D(2026, 7, 14),
		D(2026, 10, 14),
	]
	assert rv.review_dates(D(2026, 3, 1), None, "Half-yearly", D(2027, 12, 31)) == [
		D(2026, 8, 31),
		D(2027, 2, 28),
		D(2027, 8, 31),
	]


def test_a_month_without_the_day_takes_its_last_day_without_drift():
	# periods 01-31..02-27 (Feb has no 31st: the next period starts 02-28), 02-28..03-30, 03-31..04-29
	assert rv.review_dates(D(2026, 1, 31), None, "Monthly", D(2026, 4, 30)) == [
		D(2026, 2, 27),
		D(2026, 3, 30),
		D(2026, 4, 29),
	]


def test_a_final_review_on_valid_to():
	# Yearly from 2026-01-01 to 2027-06-30: 2026-12-31, then the final review on 2027-06-30.
	assert rv.review_dates(D(2026, 1, 1), D(2027, 6, 30), "Yearly", D(2030, 1, 1)) == [
		D(2026, 12, 31),
		D(2027, 6, 30),
	]
	# A cycle that ends on valid_to gives it once.
	assert rv.review_dates(D(2026, 1, 1), D(2026, 6, 30), "Quarterly", D(2030, 1, 1)) == [
		D(2026, 3, 31),
		D(2026, 6, 30),
	]
	# An agreement shorter than its cycle is still reviewed, at its end.
	assert rv.review_dates(D(2026, 1, 1), D(2026, 2, 15), "Yearly", D(2030, 1, 1)) == [D(2026, 2, 15)]


def test_none_after_until():
	assert rv.review_dates(D(2026, 1, 1), D(2026, 12, 31), "Quarterly", D(2026, 6, 29)) == [D(2026, 3, 31)]
	assert rv.review_dates(D(2026, 1, 1), D(2026, 12, 31), "Quarterly", D(2026, 6, 30)) == [
		D(2026, 3, 31),
		D(2026, 6, 30),
	]
	assert rv.review_dates(D(2026, 1, 1), None, "Monthly", D(2026, 1, 30)) == []


def test_valid_to_before_valid_from_gives_nothing():
	assert rv.review_dates(D(2026, 5, 1), D(2026, 4, 30), "Monthly", D(2030, 1, 1)) == []


@pytest.mark.parametrize("cycle", ["Weekly", "", None, "quarterly"])
def test_an_unknown_cycle_is_refused_on_its_field(cycle):
	with pytest.raises(RuleError) as e:
		rv.review_dates(D(2026, 1, 1), None, cycle, D(2027, 1, 1))
	assert [p.field for p in e.value.problems] == ["review_cycle"]


@settings(max_examples=40, deadline=None)
@given(
	st.dates(D(2020, 1, 1), D(2030, 12, 31)),
	st.one_of(st.none(), st.integers(0, 2000)),
	st.sampled_from(list(REVIEW_CYCLES)),
	st.integers(0, 3000),
)
def test_reviews_are_at_least_yearly_and_inside_the_agreement(valid_from, length, cycle, ahead):
	valid_to = None if length is None else valid_from + timedelta(days=length)
	until = valid_from + timedelta(days=ahead)
	dates = rv.review_dates(valid_from, valid_to, cycle, until)
	last = until if valid_to is None else min(until, valid_to)
	assert all(valid_from <= d <= last for d in dates)
	assert dates == sorted(set(dates))
	for before, after in zip([valid_from - timedelta(days=1), *dates], dates, strict=False):
		assert after - before <= timedelta(days=366)  # never more than twelve months apart
	if valid_to is not None and valid_to <= until:
		assert dates[-1] == valid_to
	elif dates:
		assert until - dates[-1] < timedelta(days=31 * REVIEW_CYCLES[cycle] + 1)


# ------------------------------------------------------------------------------------------------
# reviews_to_create, reminders_due

AGREEMENTS = [
	{
		"name": "SLA-1-V1",
		"valid_from": D(2026, 1, 1),
		"valid_to": D(2026, 12, 31),
		"review_cycle": "Quarterly",
	},
	{"name": "OLA-1-V1", "valid_from": "2025-07-01", "valid_to": None, "review_cycle": ""},
	{"name": "UC-1-V1", "valid_from": None, "valid_to": None, "review_cycle": "Monthly"},
]


def test_reviews_due_within_the_horizon_and_overdue_ones():
	# Today 2026-06-10, 30 days ahead (to 2026-07-10):
	# SLA-1: 2026-03-31 (overdue), 2026-06-30; OLA-1 has no cycle: yearly, 2026-06-30; UC-1: not in force.
	todo = rv.reviews_to_create(AGREEMENTS, set(), D(2026, 6, 10), 30)
	assert todo == [("SLA-1-V1", D(2026, 3, 31)), ("OLA-1-V1", D(2026, 6, 30)), ("SLA-1-V1", D(2026, 6, 30))]


def test_creating_reviews_is_idempotent():
	first = rv.reviews_to_create(AGREEMENTS, set(), D(2026, 6, 10), 30)
	assert rv.reviews_to_create(AGREEMENTS, set(first), D(2026, 6, 10), 30) == []
	# existing dates may come as text from the database
	assert rv.reviews_to_create(AGREEMENTS, {(a, d.isoformat()) for a, d in first}, D(2026, 6, 10), 30) == []
	later = rv.reviews_to_create(AGREEMENTS, set(first), D(2026, 9, 5), 30)
	assert later == [("SLA-1-V1", D(2026, 9, 30))]


def test_a_bad_cycle_stops_the_schedule():
	with pytest.raises(RuleError):
		rv.reviews_to_create([{**AGREEMENTS[0], "review_cycle": "Weekly"}], set(), D(2026, 6, 10), 30)


def test_reminders_once_for_scheduled_reviews_soon_or_overdue():
	reviews = [
		{"name": "R1", "status": "Scheduled", "review_date": D(2026, 6, 17), "reminded_on": None},
		{"name": "R2", "status": "Scheduled", "review_date": D(2026, 6, 18), "reminded_on": None},  # too far
		{
			"name": "R3",
			"status": "Scheduled",
			"review_date": D(2026, 6, 12),
			"reminded_on": datetime(2026, 6, 5, 9),
		},
		{"name": "R4", "status": "Held", "review_date": D(2026, 6, 12), "reminded_on": None},
		{"name": "R5", "status": "Scheduled", "review_date": "2026-06-01", "reminded_on": ""},  # overdue
		{"name": "R6", "status": "Scheduled", "review_date": None, "reminded_on": None},
		{"name": "R7", "status": "Scheduled", "review_date": D(2026, 6, 10), "reminded_on": None},
	]
	assert rv.reminders_due(reviews, D(2026, 6, 10), 7) == ["R5", "R7", "R1"]


# ------------------------------------------------------------------------------------------------
# closing a review or a plan, actions


def test_a_review_closes_when_its_items_are_done_or_dropped():
	items = [
		{"idx": 1, "description": "Move the backup window", "status": "Done"},
		{"idx": 2, "description": "Extra first-line staff", "status": "Dropped"},
	]
	assert rv.check_review_close(items) == []
	assert rv.check_review_close([]) == []
	problems = rv.check_review_close(
		[*items, {"idx": 3, "description": "Renegotiate  UC-2\nresponse", "status": ""}]
	)
	assert [(p.row, p.field, p.args) for p in problems] == [
		(3, "findings", (3, "Renegotiate UC-2 response", "Open"))
	]
	assert problems[0].format().startswith("Row 3: Renegotiate UC-2 response is Open;")


def test_a_plan_closes_only_when_every_action_is_done():
	actions = [
		{"idx": 1, "action": "Add a second on-call engineer", "status": "Done"},
		{"idx": 2, "action": "Tune the monitoring alerts " + "x" * 80, "status": "In Progress"},
		{"idx": 3, "action": "Review the supplier contract", "status": "Dropped"},
	]
	problems = rv.check_plan_close(actions)
	assert [(p.row, p.args[2]) for p in problems] == [(2, "In Progress"), (3, "Dropped")]
	assert len(problems[0].args[1]) == 60 and problems[0].args[1].endswith("…")
	assert problems[1].format() == (
		"Row 3: action Review the supplier contract is Dropped; a plan closes only when every action is Done"
	)
	assert rv.check_plan_close([{**a, "status": "Done"} for a in actions]) == []
	assert [p.field for p in rv.check_plan_close([])] == ["actions"]


def test_actions_need_an_owner_and_a_due_date_not_before_the_plan_starts():
	actions = [
		{"idx": 1, "owner": "ops@example.com", "due_date": D(2026, 7, 1)},
		{"idx": 2, "owner": " ", "due_date": None},
		{"idx": 3, "owner": "ops@example.com", "due_date": "2026-05-31"},
	]
	problems = rv.validate_actions(actions, start=D(2026, 6, 1))
	assert [p.format() for p in problems] == [
		"Row 2: Owner is required",
		"Row 2: Due Date is required",
		"Row 3: Due Date 2026-05-31 is before the plan starts (2026-06-01)",
	]
	assert {(p.field, p.row) for p in problems} == {("actions", 2), ("actions", 3)}
	assert rv.validate_actions(actions[2:]) == []  # no start: no date rule


# ------------------------------------------------------------------------------------------------
# recovery


def rec(code, target, year, month, result, docstatus=1):
	return {
		"agreement_code": code,
		"target_code": target,
		"year": year,
		"month": month,
		"result": result,
		"docstatus": docstatus,
	}


def results(code, target, start, seq, **kw):
	"""One record per month from ``start`` (year, month), by the letters M(et), B(reached), N(o data)."""
	y, m = start
	out = []
	for letter in seq:
		out.append(rec(code, target, y, m, {"M": MET, "B": BREACHED, "N": NO_DATA}[letter], **kw))
		y, m = (y + 1, 1) if m == 12 else (y, m + 1)
	return out


# A plan raised for March 2026 (since = (2026, 3)): the window is April, May, June.
# | target | Mar (since) | Apr | May | Jun | Jul | observed | met | recovered | why                         |
# |--------|-------------|-----|-----|-----|-----|----------|-----|-----------|-----------------------------|
# | A/T1   | B           | B   | M   | M   | B   | 3        | 2   | True      | last Met, 2 ≥ 3-1; Jul out  |
# | A/T2   | B           | M   | B   | M   |     | 3        | 2   | False     | May (one of last two) B     |
# | A/T3   | B           | M   | M   |     |     | 2        | 2   | True      | June not computed yet       |
# | A/T4   | B           | M   |     |     |     | 1        | 1   | None      | too few months              |
# | A/T5   | B           | N   | N   | N   |     | 0        | 0   | None      | no data                     |
# | B/T1   | B           | M   | N   | M   |     | 2        | 2   | True      | No Data is not observed     |
# | B/T2   |             | M   | M   | B   |     | 3        | 2   | False     | last month Breached         |
# | B/T9   | (no records at all)                  | 0        | 0   | None      |                             |
RECORDS = pd.DataFrame(
	results("A", "T1", (2026, 3), "BBMMB")
	+ results("A", "T2", (2026, 3), "BMBM")
	+ results("A", "T3", (2026, 3), "BMM")
	+ results("A", "T4", (2026, 3), "BM")
	+ results("A", "T5", (2026, 3), "BNNN")
	+ results("B", "T1", (2026, 3), "BMNM")
	+ results("B", "T2", (2026, 4), "MMB")
	+ results("C", "T1", (2026, 4), "BBB")  # not addressed by the plan
)
TARGETS = [
	("A", "T1"),
	("A", "T2"),
	("A", "T3"),
	("A", "T4"),
	("A", "T5"),
	("B", "T1"),
	("B", "T2"),
	("B", "T9"),
]


def test_recovery_by_hand():
	out = rv.recovery(RECORDS, TARGETS, (2026, 3))
	assert list(out.columns) == rv.RECOVERY_COLUMNS
	assert [tuple(r) for r in out.itertuples(index=False)] == [
		("A", "T1", 3, 2, True),
		("A", "T2", 3, 2, False),
		("A", "T3", 2, 2, True),
		("A", "T4", 1, 1, None),
		("A", "T5", 0, 0, None),
		("B", "T1", 2, 2, True),
		("B", "T2", 3, 2, False),
		("B", "T9", 0, 0, None),
	]


def test_recovery_across_the_year_and_other_windows():
	recs = pd.DataFrame(results("A", "T1", (2025, 11), "BMMB"))
	# since November 2025, one month: December Met -> True; two months: Dec, Jan Met -> True.
	assert rv.recovery(recs, [("A", "T1")], (2025, 11), months=1).recovered.tolist() == [True]
	assert rv.recovery(recs, [("A", "T1")], (2025, 11), months=2).recovered.tolist() == [True]
	# three months: Dec M, Jan M, Feb B -> False
	assert rv.recovery(recs, [("A", "T1")], (2025, 11), months=3).recovered.tolist() == [False]
	with pytest.raises(ValueError):
		rv.recovery(recs, [("A", "T1")], (2025, 11), months=0)


def test_a_breach_in_either_version_makes_the_month_breached_and_cancelled_records_do_not_count():
	recs = pd.DataFrame(
		[
			rec("A", "T1", 2026, 4, MET),
			rec("A", "T1", 2026, 4, BREACHED),  # the other version of the agreement that month
			rec("A", "T1", 2026, 5, BREACHED, docstatus=2),  # cancelled, amended to Met
			rec("A", "T1", 2026, 5, MET),
		]
	)
	out = rv.recovery(recs, [("A", "T1")], (2026, 3), months=2)
	assert (out.months_observed[0], out.months_met[0], out.recovered[0]) == (2, 1, False)
	assert rv.recovery(recs, [], (2026, 3)).empty
	assert (
		rv.recovery(pd.DataFrame(columns=list(rec("", "", 0, 0, ""))), [("A", "T1")], (2026, 3)).recovered[0]
		is None
	)
