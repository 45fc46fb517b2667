from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slm_app.core import service_reports as sr
from slm_app.core.compliance import BREACHED, MET, NO_DATA

D = date


def test_quarter_bounds_and_months():
	assert sr.quarter_bounds(2026, 1) == (D(2026, 1, 1), D(2026, 3, 31))
	assert sr.quarter_bounds(2026, 4) == (D(2026, 10, 1), D(2026, 12, 31))
	assert sr.quarter_bounds(2024, 1) == (D(2024, 1, 1), D(2024, 3, 31))
	assert sr.quarter_months(2026, 3) == ["2026-07", "2026-08", "2026-09"]
	assert sr.previous_quarter(2026, 1) == (2025, 4)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)))
def test_every_day_lies_in_its_quarter(day):
	first, last = sr.quarter_bounds(*sr.quarter_of(day))
	assert first <= day <= last
	assert str(day)[:7] in sr.quarter_months(*sr.quarter_of(day))


def test_reports_are_due_from_the_monitoring_due_day_after_the_quarter():
	assert sr.quarter_due(D(2026, 10, 5), 5) is None
	assert sr.quarter_due(D(2026, 10, 6), 5) == (2026, 3)
	assert sr.quarter_due(D(2026, 12, 31), 5) == (2026, 3)
	assert sr.quarter_due(D(2027, 1, 2), 1) == (2026, 4)
	assert sr.quarter_due(D(2027, 1, 1), 1) is None


def test_check_quarter_names_what_is_wrong():
	assert sr.check_quarter(2026, 3) == []
	problems = sr.check_quarter("x", 5)
	assert {p.field for p in problems} == {"year", "quarter"}
	assert "5" in problems[1].format()


SLAS = [
	{"agreement_code": "SLA-A", "party": "Acme", "workflow_state": "Active", "valid_from": "2026-01-01", "valid_to": "2026-12-31"},
	{"agreement_code": "SLA-B", "party": "Acme", "workflow_state": "Expired", "valid_from": "2025-01-01", "valid_to": "2026-07-01"},
	{"agreement_code": "SLA-C", "party": "Beta", "workflow_state": "Terminated", "valid_from": "2025-01-01", "valid_to": "2027-01-01", "ended_on": "2026-06-15"},
	{"agreement_code": "SLA-D", "party": "Beta", "workflow_state": "Draft", "valid_from": "2026-01-01"},
	{"agreement_code": "SLA-E", "party": "Gamma", "workflow_state": "Active", "valid_from": "2026-10-01"},
	{"agreement_code": "OLA-1", "party": "Team", "workflow_state": "Active", "valid_from": "2026-01-01", "agreement_type": "OLA"},
]


def test_reports_to_create_per_customer_and_per_sla_in_force():
	out = sr.reports_to_create(SLAS, 2026, 3, existing=[])
	assert out == [
		{"scope": "Customer", "party": "Acme", "agreement_code": None},
		{"scope": "SLA", "party": "Acme", "agreement_code": "SLA-A"},
		{"scope": "SLA", "party": "Acme", "agreement_code": "SLA-B"},
	]
	# Beta's SLA ended before Q3 and its draft is not in force; Gamma's starts after; OLAs have no report
	assert [r["agreement_code"] for r in sr.reports_to_create(SLAS, 2026, 2, [], scopes=("SLA",))] == ["SLA-A", "SLA-B", "SLA-C"]


def test_reports_to_create_skips_existing_and_versions():
	slas = SLAS + [{"agreement_code": "SLA-A", "party": "Acme", "workflow_state": "Superseded", "valid_from": "2025-01-01", "valid_to": "2025-12-31"}]
	existing = [("Customer", "Acme"), ("SLA", "SLA-B")]
	assert sr.reports_to_create(slas, 2026, 3, existing) == [{"scope": "SLA", "party": "Acme", "agreement_code": "SLA-A"}]
	assert sr.reports_to_create(SLAS, 2026, 3, [], scopes=()) == []


def rec(code, target, period, result, value=0.0, version=1, kind="Availability", **kw):
	return {
		"agreement_code": code, "agreement": f"{code}-V{version}" if version > 1 else code, "target_code": target,
		"period": period, "result": result, "measured_value": value, "version": version, "metric_kind": kind,
		"target_value": kw.pop("target_value", 99.9), "compliance_share": kw.pop("compliance_share", 100), **kw,
	}


MONTHS = ["2026-07", "2026-08", "2026-09"]


def test_compliance_rows_hand_computed():
	records = [
		rec("SLA-A", "T1", "2026-07", MET, 99.95),
		rec("SLA-A", "T1", "2026-08", BREACHED, 99.5),
		rec("SLA-A", "T1", "2026-09", MET, 100),
		rec("SLA-A", "T2", "2026-07", NO_DATA, kind="Resolution Time", target_value=8, time_unit="Hours", compliance_share=95),
		rec("SLA-A", "T2", "2026-08", MET, 97.14, kind="Resolution Time", target_value=8, time_unit="Hours", compliance_share=95),
		rec("SLA-A", "T10", "2026-07", MET, 4.5, kind="Custom Metric", target_value=4, unit="points", direction="Higher is better"),
		rec("SLA-A", "T1", "2026-06", BREACHED, 90),  # outside the quarter
	]
	rows = sr.compliance_rows(records, MONTHS)
	assert [r["target_code"] for r in rows] == ["T1", "T2", "T10"]
	t1, t2, t10 = rows
	assert (t1["result_1"], t1["result_2"], t1["result_3"]) == (MET, BREACHED, MET)
	assert (t1["value_1"], t1["value_2"], t1["value_3"]) == ("99.95 %", "99.5 %", "100 %")
	assert (t1["months_met"], t1["months_breached"], t1["months_no_data"], t1["quarter_result"]) == (2, 1, 0, BREACHED)
	assert t1["target_text"] == "≥ 99.9 %"
	assert (t2["result_1"], t2["value_1"], t2["result_3"], t2["value_3"]) == (NO_DATA, "–", "", "")
	assert (t2["months_met"], t2["months_no_data"], t2["quarter_result"]) == (1, 2, MET)
	assert t2["target_text"] == "≤ 8 h / 95 %"
	assert (t10["value_1"], t10["target_text"], t10["months_no_data"]) == ("4.5 points", "≥ 4 points", 2)

	s = sr.summary(rows, [{"status": "Closed"}, {"status": "Handling"}], [{"status": "Held"}, {"status": "Scheduled"}], [{"status": "Open"}])
	assert s == {
		"agreement_count": 1, "target_count": 3, "targets_met": 2, "months_met": 4, "months_breached": 1,
		"months_no_data": 4, "compliance_pct": 80.0, "breach_count": 2, "breaches_handled": 1,
		"review_count": 1, "plan_count": 1, "open_plan_count": 1,
	}


def test_an_amended_month_is_breached_if_any_version_breached_and_shows_the_latest_value():
	records = [
		rec("SLA-A", "T1", "2026-07", MET, 99.99, version=1),
		rec("SLA-A", "T1", "2026-07", BREACHED, 98.0, version=2, target_value=99.95),
	]
	(row,) = sr.compliance_rows(records, MONTHS)
	assert (row["result_1"], row["value_1"], row["target_text"], row["agreement"]) == (BREACHED, "98 %", "≥ 99.95 %", "SLA-A-V2")


def test_summary_without_data_has_no_percentage():
	rows = sr.compliance_rows([rec("SLA-A", "T1", "2026-07", NO_DATA)], MONTHS)
	assert rows[0]["quarter_result"] == NO_DATA
	assert sr.summary(rows, [], [], [])["compliance_pct"] is None
	assert sr.summary([], [], [], [])["target_count"] == 0


@given(st.lists(st.tuples(st.sampled_from(["T1", "T2"]), st.sampled_from(MONTHS), st.sampled_from([MET, BREACHED, NO_DATA]), st.integers(1, 2)), max_size=12))
def test_month_counts_add_up(items):
	records = [rec("SLA-A", t, p, r, 99, version=v) for t, p, r, v in items]
	for row in sr.compliance_rows(records, MONTHS):
		assert row["months_met"] + row["months_breached"] + row["months_no_data"] == 3
		results = {row[f"result_{i}"] for i in (1, 2, 3)}
		assert row["quarter_result"] == (BREACHED if BREACHED in results else MET if MET in results else NO_DATA)


def test_no_recipients_is_a_problem():
	assert sr.check_recipients(["a@b.c"]) == []
	(p,) = sr.check_recipients([])
	assert p.field == "party"


@pytest.mark.parametrize("setting,scopes", [("Customer and SLA", ("Customer", "SLA")), ("No Reports", ())])
def test_scope_settings(setting, scopes):
	assert sr.SCOPE_SETTINGS[setting] == scopes


def test_a_target_without_records_shows_its_months_without_data():
	targets = [
		{"agreement_code": "SLA-A", "target_code": "T1", "version": 1, "metric_kind": "Availability", "target_value": 99.5, "agreement": "SLA-A"},
		{"agreement_code": "SLA-A", "target_code": "T1", "version": 2, "metric_kind": "Availability", "target_value": 99.9, "agreement": "SLA-A-V2"},
		{"agreement_code": "SLA-A", "target_code": "T2", "version": 2, "metric_kind": "Availability", "target_value": 99.0, "agreement": "SLA-A-V2"},
	]
	rows = sr.compliance_rows([rec("SLA-A", "T2", "2026-08", MET, 99.5, version=2, target_value=99.0)], MONTHS, targets)
	t1, t2 = rows
	assert (t1["target_code"], t1["target_text"], t1["agreement"], t1["quarter_result"], t1["months_no_data"]) == ("T1", "≥ 99.9 %", "SLA-A-V2", NO_DATA, 3)
	assert (t1["result_1"], t1["value_1"]) == ("", "")
	assert (t2["result_2"], t2["months_met"], t2["months_no_data"]) == (MET, 1, 2)
