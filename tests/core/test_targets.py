import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slm_app.core.targets import (
	METRIC_KINDS,
	describe,
	is_at_least_as_good,
	next_target_codes,
	normalise,
	validate_targets,
)


def row(idx, kind="Resolution Time", value=4, **kw):
	base = {
		"idx": idx,
		"target_code": f"T{idx}",
		"service": "Mail",
		"metric_kind": kind,
		"target_value": value,
		"priority": "High",
		"time_unit": "Hours",
		"compliance_share": 95,
		"measurement_period": "Monthly",
	}
	if kind == "Availability":
		base.update(priority=None, time_unit=None, compliance_share=None)
	if kind == "Custom Metric":
		base.update(
			metric_name="CSAT", unit="points", direction="Higher is better", time_unit=None, priority=""
		)
	base.update(kw)
	return base


def found(targets, services=None):
	return [(p.field, p.row, p.format()) for p in validate_targets(targets, services)]


# --- normalise ---------------------------------------------------------------------------------------


def test_normalise_derives_minutes_direction_and_defaults():
	t = normalise(
		{"metric_kind": "Resolution Time", "target_value": "4", "time_unit": "Hours", "priority": None}
	)
	assert t["target_minutes"] == 240 and t["target_value"] == 4.0
	assert t["effective_direction"] == "Lower is better"
	assert t["compliance_share"] == 100 and t["priority"] == ""
	assert (
		normalise({"metric_kind": "Response Time", "target_value": 30, "time_unit": "Minutes"})[
			"target_minutes"
		]
		== 30
	)
	a = normalise({"metric_kind": "Availability", "target_value": 99.9, "compliance_share": 50})
	assert a["effective_direction"] == "Higher is better" and a["compliance_share"] == 100
	assert a["target_minutes"] is None
	c = normalise({"metric_kind": "Custom Metric", "direction": "Lower is better", "compliance_share": "90"})
	assert c["effective_direction"] == "Lower is better" and c["compliance_share"] == 90


def test_normalise_does_not_change_its_input():
	original = {"metric_kind": "Response Time", "target_value": "2", "time_unit": "Hours"}
	normalise(original)
	assert original == {"metric_kind": "Response Time", "target_value": "2", "time_unit": "Hours"}


# --- codes -------------------------------------------------------------------------------------------


def test_next_target_codes():
	assert next_target_codes([], 3) == ["T1", "T2", "T3"]
	assert next_target_codes(["T1", "T2", None, ""], 2) == ["T3", "T4"]
	# never reuse a gap: a link that named a deleted T2 must not find a new target
	assert next_target_codes(["T1", "T3", "AVAIL"], 1) == ["T4"]
	assert next_target_codes(["T1"], 0) == []


# --- validation --------------------------------------------------------------------------------------


def test_a_consistent_set_of_targets_is_valid():
	targets = [
		row(1, "Availability", 99.9, data_source="Outages"),
		row(2, "Response Time", 30, time_unit="Minutes", data_source="Ticket Events"),
		row(3, "Resolution Time", 4),
		row(4, "Resolution Time", 8, priority="Low"),
		row(5, "Response Time", 480, time_unit="Minutes", priority="Low"),  # equal is fine
		row(6, "Custom Metric", 4.5, data_source="Metric Values"),
		row(7, "Custom Metric", 4.5, metric_name="NPS"),
	]
	assert found(targets, ["Mail"]) == []


def test_service_problems():
	assert found([row(1, service="")]) == [("targets", 1, "Row 1: Service is required")]
	assert found([row(1, service="Web")], ["Mail", "Chat"]) == [
		("targets", 1, "Row 1: Service Web is not one of this agreement's services (Mail, Chat)")
	]
	assert found([row(1, service="Web")]) == []


@pytest.mark.parametrize(
	"target,message",
	[
		(row(1, kind=""), "Row 1: Metric Kind is required"),
		(row(1, kind="Speed"), "Row 1: Metric Kind Speed is not one of " + ", ".join(METRIC_KINDS)),
		(row(1, value=None), "Row 1: Target Value is required"),
		(row(1, value=""), "Row 1: Target Value is required"),
		(row(1, value="fast"), "Row 1: Target Value fast is not a number"),
		(row(1, value=math.nan), "Row 1: Target Value nan is not a number"),
		(row(1, value="4,5"), "Row 1: Target Value 4,5 is not a number"),  # never read as 45
		(row(1, "Availability", 0), "Row 1: Availability target 0 % must be greater than 0 and at most 100"),
		(
			row(1, "Availability", 100.5),
			"Row 1: Availability target 100.5 % must be greater than 0 and at most 100",
		),
		(row(1, value=0), "Row 1: the Resolution Time target must be greater than 0, not 0"),
		(row(1, "Response Time", -5), "Row 1: the Response Time target must be greater than 0, not -5"),
		(
			row(1, time_unit=None),
			"Row 1: Time Unit is required for a Resolution Time target (Minutes, Hours)",
		),
		(row(1, time_unit="Days"), "Row 1: Time Unit Days is not one of Minutes, Hours"),
		(row(1, compliance_share=0), "Row 1: Compliance Share 0 % must be greater than 0 and at most 100"),
		(
			row(1, compliance_share=101),
			"Row 1: Compliance Share 101 % must be greater than 0 and at most 100",
		),
		(row(1, compliance_share="most"), "Row 1: Compliance Share most is not a number"),
		(row(1, "Custom Metric", 4, metric_name=" "), "Row 1: Metric Name is required for a Custom Metric"),
		(
			row(1, "Custom Metric", 4, unit=None),
			"Row 1: Unit is required for a Custom Metric, for example points or %",
		),
		(
			row(1, "Custom Metric", 4, direction=None),
			"Row 1: Direction is required for a Custom Metric (Higher is better, Lower is better)",
		),
		(
			row(1, "Custom Metric", 4, direction="Up"),
			"Row 1: Direction Up is not one of Higher is better, Lower is better",
		),
		(row(1, priority="Urgent"), "Row 1: Priority Urgent is not one of Critical, High, Medium, Low"),
		(
			row(1, "Availability", 99, priority="High"),
			"Row 1: an Availability target covers the whole service; leave Priority empty (it is High)",
		),
		(
			row(1, measurement_period="Weekly"),
			"Row 1: Measurement Period Weekly is not one of Monthly, Quarterly, Yearly",
		),
		(
			row(1, data_source="Telepathy"),
			"Row 1: Data Source Telepathy is not one of Ticket Events, Outages, Metric Values, Manual Entry",
		),
		(
			row(1, "Availability", 99, data_source="Ticket Events"),
			"Row 1: Data Source Ticket Events does not fit a Availability target; use Outages or Manual Entry",
		),
		(
			row(1, data_source="Outages"),
			"Row 1: Data Source Outages does not fit a Resolution Time target; use Ticket Events or Manual Entry",
		),
		(
			row(1, "Custom Metric", 4, data_source="Ticket Events"),
			"Row 1: Data Source Ticket Events does not fit a Custom Metric target; use Metric Values or Manual Entry",
		),
	],
)
def test_row_problems(target, message):
	assert found([target]) == [("targets", 1, message)]


def test_custom_metric_values_may_be_zero_or_negative_and_share_may_be_empty():
	assert found([row(1, "Custom Metric", 0, direction="Lower is better", compliance_share=None)]) == []
	assert found([row(1, "Custom Metric", -3)]) == []


def test_availability_ignores_compliance_share_and_manual_entry_fits_every_kind():
	assert found([row(1, "Availability", 99.5, compliance_share=0, data_source="Manual Entry")]) == []
	assert (
		found([row(1, data_source="Manual Entry"), row(2, "Custom Metric", 1, data_source="Manual Entry")])
		== []
	)


def test_numbers_arrive_as_strings():
	assert found([row(1, value="4", compliance_share="95.5")]) == []


def test_every_problem_of_a_row_is_reported():
	messages = [
		m
		for _, _, m in found(
			[row(1, kind="Custom Metric", value=None, metric_name="", unit="", direction="")]
		)
	]
	assert len(messages) == 4


def test_duplicate_codes_and_targets_name_both_rows():
	targets = [
		row(1),
		row(2, target_code="T1", priority="Low"),
		row(3, target_code="T3"),
		row(4, "Custom Metric", 4, target_code="T4"),
		row(5, "Custom Metric", 3, target_code="T5", metric_name="csat "),
		row(6, "Custom Metric", 3, target_code="T6", metric_name="NPS"),
		row(7, target_code=None, priority="Medium"),
		row(8, target_code="", priority="Critical"),
	]
	assert found(targets) == [
		("targets", 2, "Rows 1 and 2: Target Code T1 is used twice"),
		("targets", 3, "Rows 1 and 3 define the same target twice: Mail / Resolution Time / Priority High"),
		("targets", 5, "Rows 4 and 5 define the same target twice: Mail / csat / Priority -"),
	]


def test_same_target_for_another_service_or_priority_is_no_duplicate():
	assert found([row(1), row(2, service="Chat"), row(3, priority="Low"), row(4, priority="")]) == []


def test_catalogue_levels_may_repeat_a_target_in_each_level():
	levels = [
		row(1, "Availability", 99.9, level_name="Gold", target_code=None),
		row(2, "Availability", 99.0, level_name="Silver", target_code=None),
		row(3, "Availability", 98.0, level_name="Silver", target_code=None),
		row(4, "Response Time", 8, level_name="Gold", target_code=None),
		row(5, "Resolution Time", 4, level_name="Silver", target_code=None),
	]
	assert found(levels) == [
		("targets", 3, "Rows 2 and 3 define the same target twice: Mail / Silver / Availability / Priority -")
	]
	levels[4]["level_name"] = "Gold"
	assert [p[1] for p in found(levels)] == [3, 4]


def test_response_must_not_be_longer_than_resolution():
	targets = [
		row(1, "Response Time", 5, time_unit="Hours"),
		row(2, "Resolution Time", 240, time_unit="Minutes"),
		row(3, "Response Time", 240, time_unit="Minutes", priority="Low"),
		row(4, "Resolution Time", 4, priority="Low"),
		row(5, "Response Time", 9, service="Chat", priority="Low"),
	]
	assert found(targets) == [
		(
			"targets",
			1,
			"Row 1: Response Time target (300 min) for Mail / High is longer than the "
			"Resolution Time target (240 min) in row 2",
		)
	]


# --- comparisons -------------------------------------------------------------------------------------


def test_availability_comparison():
	assert is_at_least_as_good(row(1, "Availability", 99.9), row(2, "Availability", 99.5))
	assert is_at_least_as_good(row(1, "Availability", 99.5), row(2, "Availability", 99.5))
	assert not is_at_least_as_good(row(1, "Availability", 99.0), row(2, "Availability", 99.5))


def test_time_comparison_uses_minutes_and_share():
	required = row(2, "Resolution Time", 4, compliance_share=90)
	assert is_at_least_as_good(
		row(1, "Resolution Time", 240, time_unit="Minutes", compliance_share=90), required
	)
	assert is_at_least_as_good(row(1, "Resolution Time", 2, compliance_share=95), required)
	assert not is_at_least_as_good(row(1, "Resolution Time", 241, time_unit="Minutes"), required)
	assert not is_at_least_as_good(row(1, "Resolution Time", 2, compliance_share=85), required)
	# an empty share means every case (100 %)
	assert is_at_least_as_good(row(1, "Resolution Time", 4, compliance_share=None), required)
	assert not is_at_least_as_good(row(1, "Response Time", 1), required)


def test_custom_comparison_follows_direction_name_and_unit():
	wanted = row(2, "Custom Metric", 4.0, compliance_share=90)
	assert is_at_least_as_good(row(1, "Custom Metric", 4.5, metric_name="csat"), wanted)
	assert not is_at_least_as_good(row(1, "Custom Metric", 3.9), wanted)
	assert not is_at_least_as_good(row(1, "Custom Metric", 4.5, compliance_share=80), wanted)
	assert not is_at_least_as_good(row(1, "Custom Metric", 4.5, metric_name="NPS"), wanted)
	assert not is_at_least_as_good(row(1, "Custom Metric", 4.5, unit="%"), wanted)
	assert not is_at_least_as_good(row(1, "Custom Metric", 4.5, direction="Lower is better"), wanted)
	backlog = row(2, "Custom Metric", 3, metric_name="Backlog", unit="days", direction="Lower is better")
	assert is_at_least_as_good(dict(backlog, target_value=2), backlog)
	assert not is_at_least_as_good(dict(backlog, target_value=4), backlog)


def test_missing_values_are_never_good_enough():
	assert not is_at_least_as_good(row(1, "Availability", None), row(2, "Availability", 99))
	assert not is_at_least_as_good(row(1, value=None), row(2))
	assert not is_at_least_as_good(row(1, "Custom Metric", None), row(2, "Custom Metric", 1))


TIME_TARGETS = st.builds(
	lambda kind, value, unit, share: {
		"metric_kind": kind,
		"target_value": value,
		"time_unit": unit,
		"compliance_share": share,
	},
	st.sampled_from(["Response Time", "Resolution Time"]),
	st.integers(1, 600),
	st.sampled_from(["Minutes", "Hours"]),
	st.sampled_from([None, 80, 90, 95, 100]),
)


@settings(max_examples=150, deadline=None)
@given(TIME_TARGETS, TIME_TARGETS, TIME_TARGETS)
def test_at_least_as_good_is_a_preorder(a, b, c):
	assert is_at_least_as_good(a, a)
	if is_at_least_as_good(a, b) and is_at_least_as_good(b, c):
		assert is_at_least_as_good(a, c)
	if a["metric_kind"] == b["metric_kind"]:
		a_minutes, b_minutes = normalise(a)["target_minutes"], normalise(b)["target_minutes"]
		shares = normalise(a)["compliance_share"], normalise(b)["compliance_share"]
		assert is_at_least_as_good(a, b) == (a_minutes <= b_minutes and shares[0] >= shares[1])


# --- text --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"target,text",
	[
		(row(1, "Resolution Time", 4.0), "Resolution Time ≤ 4 h (95 %) P: High"),
		(
			row(1, "Response Time", 30, time_unit="Minutes", priority=None, compliance_share=None),
			"Response Time ≤ 30 min (100 %)",
		),
		(row(1, "Availability", 99.95), "Availability ≥ 99.95 %"),
		(row(1, "Availability", "99.9"), "Availability ≥ 99.9 %"),
		(row(1, "Custom Metric", 4.5, compliance_share=90), "CSAT ≥ 4.5 points (90 %)"),
		(
			row(
				1,
				"Custom Metric",
				2,
				metric_name="Backlog",
				unit="days",
				direction="Lower is better",
				priority="Low",
			),
			"Backlog ≤ 2 days (95 %) P: Low",
		),
		(row(1, value=0.1 + 0.2), "Resolution Time ≤ 0.3 h (95 %) P: High"),
	],
)
def test_describe(target, text):
	assert describe(target) == text


def test_describe_tolerates_half_filled_rows():
	assert describe({"metric_kind": "Resolution Time"}) == "Resolution Time ≤ - min (100 %)"
	assert isinstance(describe({}), str)
