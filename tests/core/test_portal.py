from slm_app.core import portal


def test_trend():
	assert portal.trend([99.0, 99.5, 99.9]) == portal.IMPROVING
	assert portal.trend([99.9, 99.5, 99.0]) == portal.WORSENING
	assert portal.trend([5.0, 4.0], higher_is_better=False) == portal.IMPROVING
	assert portal.trend([95.0, None, 95.0]) == portal.STEADY
	assert portal.trend([None, 95.0]) == portal.NO_TREND


def test_results_by_target():
	targets = [
		{"target_code": "T1", "service": "Banking", "metric_kind": "Availability", "target_value": 99.9},
		{"target_code": "T2", "service": "Banking", "metric_kind": "Resolution Time", "priority": "High", "target_value": 8, "time_unit": "Hours", "compliance_share": 95},
	]
	records = [
		{"target_code": "T1", "period": "2026-01", "result": "Met", "measured_value": 99.95, "metric_kind": "Availability"},
		{"target_code": "T1", "period": "2026-02", "result": "Breached", "measured_value": 99.5, "metric_kind": "Availability"},
		{"target_code": "T2", "period": "2026-02", "result": "Met", "measured_value": 96.0, "metric_kind": "Resolution Time"},
		# a version amended within the month: the breached record counts
		{"target_code": "T2", "period": "2026-03", "result": "Met", "measured_value": 97.0, "metric_kind": "Resolution Time"},
		{"target_code": "T2", "period": "2026-03", "result": "Breached", "measured_value": 90.0, "metric_kind": "Resolution Time"},
	]
	rows = portal.results_by_target(targets, records, ["2026-01", "2026-02", "2026-03"])
	t1, t2 = rows
	assert [c["text"] for c in t1["months"]] == ["99.95 %", "99.5 %", "–"]
	assert t1["trend"] == portal.WORSENING and t1["breached"] == 1 and t1["promise"] == "≥ 99.9 %"
	assert [c["result"] for c in t2["months"]] == [None, "Met", "Breached"]
	assert t2["promise"] == "≤ 8 h / 95 %" and t2["trend"] == portal.WORSENING and t2["breached"] == 1


def test_last_months():
	assert portal.last_months(2026, 2, 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
