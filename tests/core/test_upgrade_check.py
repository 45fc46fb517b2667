"""The upgrade test's rules (tests/upgrade_check.py) without a site: what counts as a record lost or changed,
a column moved by a patch, and the closed rows the scheduler must leave alone."""

import copy
import datetime
import decimal
import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("upgrade_check", Path(__file__).resolve().parents[1] / "upgrade_check.py")
uc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(uc)


def state():
	return {
		"doctypes": {
			"SLM Breach": {"istable": 0, "issingle": 0},
			"SLM Breach Ticket": {"istable": 1, "issingle": 0},
			"SLM Monitoring Record": {"istable": 0, "issingle": 0},
			"SLM Settings": {"istable": 0, "issingle": 1},
		},
		"tables": {
			"SLM Breach": {
				"B-1": {"name": "B-1", "workflow_state": "Closed", "agreement": "SLA-1", "modified": "2026-11-02 01:00:00"},
				"B-2": {"name": "B-2", "workflow_state": "Open", "agreement": "SLA-1", "modified": "2026-11-02 01:00:00"},
			},
			"SLM Breach Ticket": {
				"t1": {"name": "t1", "parent": "B-1", "parenttype": "SLM Breach", "ticket": "T-9", "minutes": 30},
				"t2": {"name": "t2", "parent": "B-2", "parenttype": "SLM Breach", "ticket": "T-7", "minutes": 12.5},
			},
			"SLM Monitoring Record": {
				"M-1": {"name": "M-1", "docstatus": 1, "measured_value": 99.5, "result": "Met", "modified": "2026-11-02 01:00:00"},
				"M-2": {"name": "M-2", "docstatus": 0, "measured_value": 80, "result": "Breached"},
			},
		},
		"singles": {"SLM Settings": {"company_name": "Demo IT Services"}},
	}


def failures_of(before, after):
	failures = uc.Failures()
	uc.check_data(before, after, failures)
	return failures


def test_the_same_data_passes_and_new_rows_columns_and_doctypes_are_allowed():
	before, after = state(), state()
	assert failures_of(before, after) == []
	after["tables"]["SLM Breach"]["B-3"] = {"name": "B-3", "workflow_state": "Open"}
	after["tables"]["SLM Breach"]["B-1"]["new_field"] = "x"
	after["tables"]["SLM Budget Status"] = {"S-1": {"name": "S-1"}}
	after["singles"]["SLM Settings"]["new_setting"] = 1
	assert failures_of(before, after) == []


@pytest.mark.parametrize(
	"change, expected",
	[
		(lambda a: a["tables"]["SLM Breach"]["B-2"].update(agreement="SLA-2"), "SLM Breach B-2.agreement was 'SLA-1', is 'SLA-2'"),
		(lambda a: a["tables"]["SLM Monitoring Record"].pop("M-2"), "SLM Monitoring Record M-2 is gone"),
		(lambda a: a["tables"].pop("SLM Breach Ticket"), "the doctype SLM Breach Ticket is gone"),
		(lambda a: a["tables"]["SLM Breach Ticket"]["t2"].update(minutes=12.0), "SLM Breach Ticket t2.minutes was 12.5, is 12"),
		(lambda a: a["singles"]["SLM Settings"].update(company_name=""), "SLM Settings.company_name was 'Demo IT Services', is ''"),
		(lambda a: a["tables"]["SLM Monitoring Record"]["M-1"].pop("result"), "SLM Monitoring Record.result no longer exists and no patch moved it"),
	],
)
def test_a_lost_or_changed_value_fails(change, expected):
	before, after = state(), state()
	change(after)
	failures = failures_of(before, after)
	assert any(expected in f for f in failures), failures


def test_a_column_moved_by_a_patch_is_followed_to_where_it_went(monkeypatch):
	before, after = state(), state()
	for row in after["tables"]["SLM Monitoring Record"].values():
		row["outcome"] = row.pop("result")
	monkeypatch.setattr(uc, "MOVED", {("SLM Monitoring Record", "result"): ("SLM Monitoring Record", "outcome")})
	assert failures_of(before, after) == []
	after["tables"]["SLM Monitoring Record"]["M-2"]["outcome"] = "Met"  # the patch lost a value
	failures = failures_of(before, after)
	assert failures == ["patch: SLM Monitoring Record M-2.result = 'Breached' not found in SLM Monitoring Record.outcome"]


def test_closed_rows_are_the_submitted_records_the_closed_breaches_and_their_child_rows():
	closed = uc._closed(state())
	assert set(closed["SLM Monitoring Record"]) == {"M-1"}
	assert set(closed["SLM Breach"]) == {"B-1"}
	assert set(closed["SLM Breach Ticket"]) == {"t1"}


def test_a_closed_row_changed_by_the_scheduler_fails_and_an_open_one_does_not():
	before = state()
	closed = uc._closed(before)
	after = copy.deepcopy(before)
	after["tables"]["SLM Breach"]["B-2"]["workflow_state"] = "Notified"  # open: may move on
	failures = uc.Failures()
	for dt, rows in closed.items():
		uc.compare_rows("scheduler", rows, after["tables"].get(dt, {}), failures, dt)
	assert failures == []
	after["tables"]["SLM Breach Ticket"]["t1"]["minutes"] = 31
	after["tables"]["SLM Monitoring Record"]["M-1"]["modified"] = "2026-12-02"
	for dt, rows in closed.items():
		uc.compare_rows("scheduler", rows, after["tables"].get(dt, {}), failures, dt)
	assert "scheduler: SLM Breach Ticket t1.minutes was 30, is 31" in failures
	assert any(f.startswith("scheduler: SLM Monitoring Record M-1.modified") for f in failures)


@pytest.mark.parametrize(
	"raw, stored",
	[
		(None, None),
		(True, 1),
		(3, 3),
		(3.0, 3),
		(decimal.Decimal("99.500"), 99.5),
		(12.5, 12.5),
		(datetime.datetime(2026, 11, 2, 1, 0), "2026-11-02 01:00:00"),
		(datetime.date(2026, 11, 2), "2026-11-02"),
		("x", "x"),
		(b"\x01", "01"),
	],
)
def test_values_are_compared_in_one_form_whatever_the_driver_returns(raw, stored):
	assert uc._value(raw) == stored


def underpinning_state():
	st = state()
	st["tables"]["SLM Agreement"] = {
		"SLA-1": {"name": "SLA-1", "workflow_state": "Active"},
		"OLA-1": {"name": "OLA-1", "workflow_state": "Active"},
	}
	st["tables"]["SLM Underpinning"] = {
		"u1": {"name": "u1", "parent": "SLA-1", "underpinning_agreement": "OLA-1", "underpinning_state": "Agreed"},
	}
	return st


def test_a_column_a_patch_sets_anew_may_change_only_as_its_rule_says():
	before, after = underpinning_state(), underpinning_state()  # the row kept the state the OLA had when linked
	after["tables"]["SLM Underpinning"]["u1"]["underpinning_state"] = "Active"  # the patch brought it up to date
	assert failures_of(before, after) == []
	after["tables"]["SLM Underpinning"]["u1"]["underpinning_state"] = "Draft"  # not what the rule gives
	failures = failures_of(before, after)
	assert failures == [
		"patch: SLM Underpinning u1.underpinning_state is 'Draft', slm_app.patches.sync_underpinning_states should have made it 'Active'"
	]
	# and a stale copy the patch did not correct fails too
	after["tables"]["SLM Underpinning"]["u1"]["underpinning_state"] = "Agreed"
	assert failures_of(before, after) != []
