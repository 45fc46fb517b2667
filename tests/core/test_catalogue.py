from slm_app.core import catalogue as c

LEVELS = [
	{"level_name": "Gold", "metric_kind": "Availability", "target_value": 99.95},
	{"level_name": "Silver", "metric_kind": "Availability", "target_value": 99.5},
	{"level_name": "Gold", "metric_kind": "Resolution Time", "priority": "High", "target_value": 4, "time_unit": "Hours", "compliance_share": 95},
	{"level_name": "Silver", "metric_kind": "Resolution Time", "priority": "High", "target_value": 8, "time_unit": "Hours", "compliance_share": 90},
	{"level_name": "Gold", "metric_kind": "Custom Metric", "metric_name": "CSAT", "unit": "points", "direction": "Higher is better", "target_value": 4.5},
]
CAT = {"Mail": {"status": "Published", "service_levels": LEVELS}, "Draft svc": {"status": "Draft", "service_levels": LEVELS}}


def item(idx, **kw):
	return {"idx": idx, "service": "Mail", **kw}


def test_met_items_pick_the_least_demanding_level_that_meets():
	res = c.compare_requirement(
		[
			item(1, metric_kind="Availability", target_value=99.0),
			item(2, metric_kind="Resolution Time", priority="High", target_value=6, time_unit="Hours", compliance_share=90),
			item(3, metric_kind="Resolution Time", priority="High", target_value=600, time_unit="Minutes", compliance_share=90),
		],
		CAT,
	)
	assert res["outcome"] == c.EXISTING
	assert [r["matched_level"] for r in res["items"]] == ["Silver", "Gold", "Silver"]


def test_unmet_items_explain_the_gap():
	res = c.compare_requirement(
		[
			item(1, metric_kind="Availability", target_value=99.99),
			item(2, metric_kind="Resolution Time", priority="High", target_value=4, time_unit="Hours", compliance_share=99),
			{"idx": 3, "requested_service": "Quantum", "metric_kind": "Availability", "target_value": 99},
			{"idx": 4, "service": "Draft svc", "metric_kind": "Availability", "target_value": 90},
			item(5, metric_kind="Custom Metric", metric_name="csat", unit="points", direction="Higher is better", target_value=4.8),
			item(6, metric_kind="Response Time", priority="High", target_value=1, time_unit="Hours", compliance_share=90),
		],
		CAT,
	)
	assert res["outcome"] == c.NEW_DESIGN
	assert not any(r["met"] for r in res["items"])
	gaps = [r["gap"] for r in res["items"]]
	assert "99.95" in gaps[0]
	assert "Quantum" in gaps[2]
	assert "not published" in gaps[3]
	assert "no service level" in gaps[5]
	assert all(r["gap_problem"] is not None for r in res["items"])


def test_custom_metric_matches_by_name_and_direction():
	res = c.compare_requirement(
		[item(1, metric_kind="Custom Metric", metric_name="CSAT", unit="points", direction="Higher is better", target_value=4.0)], CAT
	)
	assert res["items"][0]["met"] and res["items"][0]["matched_level"] == "Gold"


def test_requirement_items_are_validated():
	problems = c.validate_requirement_items(
		[{"idx": 1, "metric_kind": "Availability", "target_value": 99}, item(2, metric_kind="Availability", target_value=150)]
	)
	assert {p.row for p in problems} == {1, 2}
	assert all(p.field == "items" for p in problems)
	assert c.validate_requirement_items([])[0].field == "items"
