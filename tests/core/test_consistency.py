from datetime import date

from slm_app.core.consistency import check_underpinning, summarise


def t(code, kind, value, service="Banking", priority="", unit=None, share=None, **kw):
	row = {"target_code": code, "service": service, "metric_kind": kind, "target_value": value, "priority": priority, **kw}
	if kind in ("Response Time", "Resolution Time"):
		row.update(time_unit=unit or "Hours", compliance_share=share or 95)
	return row


SLA = {
	"name": "SLA-1",
	"valid_from": date(2026, 1, 1),
	"valid_to": date(2026, 12, 31),
	"services": ["Banking"],
	"targets": [t("T1", "Resolution Time", 8, priority="High"), t("T2", "Availability", 99.5), t("T3", "Availability", 99.0)],
}


def agreement(name, kind, targets, **kw):
	return {"name": name, "agreement_type": kind, "workflow_state": "Agreed", "valid_from": date(2026, 1, 1), "valid_to": None, "targets": targets, **kw}


def link(sla_target, agreement, target):
	return {"sla_target": sla_target, "underpinning_agreement": agreement, "underpinning_target": target}


def test_consistent_underpinning_has_no_conflicts():
	under = {
		"OLA-1": agreement("OLA-1", "OLA", [t("T1", "Resolution Time", 240, service="Network", priority="High", unit="Minutes", share=95), t("T2", "Availability", 99.9, service="Network")]),
		"UC-1": agreement("UC-1", "UC", [t("T1", "Availability", 99.95, service="Hosting")]),
	}
	links = [link("T1", "OLA-1", "T1"), link("T2", "OLA-1", "T2"), link("T2", "UC-1", "T1"), link("T3", "UC-1", "T1")]
	assert check_underpinning(SLA, links, under, {"Banking": {"Banking", "Network", "Hosting"}}) == []


def test_each_kind_of_conflict_is_named():
	under = {
		"OLA-1": agreement(
			"OLA-1",
			"OLA",
			[t("T1", "Resolution Time", 10, service="Network", priority="Critical", share=90), t("T2", "Availability", 99.6, service="Mail")],
			valid_to=date(2026, 6, 30),
		),
		"UC-1": agreement("UC-1", "UC", [t("T1", "Availability", 99.6, service="Hosting"), t("T2", "Response Time", 1, service="Hosting", priority="High")], workflow_state="Terminated"),
	}
	links = [link("T1", "OLA-1", "T1"), link("T2", "OLA-1", "T2"), link("T2", "UC-1", "T1"), link("T2", "UC-1", "T9"), link("T3", "UC-1", "T2")]
	conflicts = check_underpinning(SLA, links, under, {"Banking": {"Banking", "Network", "Hosting"}})
	kinds = summarise(conflicts)
	assert kinds == {
		"validity_gap": 2,
		"priority_mismatch": 1,
		"weaker_target": 1,
		"weaker_share": 1,
		"service_mismatch": 1,
		"not_in_force": 2,
		"unknown_target": 1,
		"combined_availability": 1,
		"metric_mismatch": 1,
	}
	text = {c.kind: c.format() for c in conflicts}
	assert "600 min" in text["weaker_target"] and "480 min" in text["weaker_target"]
	assert "99.202" in text["combined_availability"]
	# deterministic order: by SLA target code
	assert [c.sla_target for c in conflicts] == sorted((c.sla_target for c in conflicts), key=lambda s: (len(s), s))


def test_target_without_underpinning():
	conflicts = check_underpinning(SLA, [link("T1", "OLA-1", "T1")], {"OLA-1": agreement("OLA-1", "OLA", [t("T1", "Resolution Time", 4, priority="High")])})
	assert [(c.kind, c.sla_target) for c in conflicts] == [("no_underpinning", "T2"), ("no_underpinning", "T3")]


def test_custom_metric_follows_its_direction():
	sla = dict(SLA, targets=[t("T1", "Custom Metric", 2, metric_name="Backlog", unit="days", direction="Lower is better")])
	under = {"OLA-1": agreement("OLA-1", "OLA", [t("T1", "Custom Metric", 3, metric_name="backlog", unit="days", direction="Lower is better")])}
	conflicts = check_underpinning(sla, [link("T1", "OLA-1", "T1")], under)
	assert [c.kind for c in conflicts] == ["weaker_target"]
	under["OLA-1"]["targets"][0]["target_value"] = 1
	assert check_underpinning(sla, [link("T1", "OLA-1", "T1")], under) == []


def test_custom_metric_needs_the_same_unit_and_share():
	def custom(code, value, unit, share, name="CSAT"):
		# t() takes ``unit`` as the time unit, so the custom unit is set here
		row = t(code, "Custom Metric", value, metric_name=name, direction="Higher is better", compliance_share=share)
		return dict(row, unit=unit)

	sla = dict(SLA, targets=[custom("T1", 4, "points", 95)])
	other_unit = custom("T1", 5, "%", 95)
	lower_share = custom("T2", 5, "points", 50, name="csat")
	under = {"OLA-1": agreement("OLA-1", "OLA", [other_unit, lower_share])}
	conflicts = check_underpinning(sla, [link("T1", "OLA-1", "T1"), link("T1", "OLA-1", "T2")], under)
	assert [(c.kind, c.underpinning_target) for c in conflicts] == [("metric_mismatch", "T1"), ("weaker_share", "T2")]


def test_link_to_a_missing_sla_target_is_reported():
	under = {"OLA-1": agreement("OLA-1", "OLA", [t("T1", "Availability", 99.9)])}
	links = [link("T2", "OLA-1", "T1"), link("T3", "OLA-1", "T1"), dict(link("T10", "OLA-1", "T1"), idx=4)]
	conflicts = check_underpinning(SLA, links + [link("T1", "OLA-1", "T1")], under)
	assert [(c.kind, c.sla_target) for c in conflicts if c.kind == "unknown_target"] == [("unknown_target", "T10")]
	assert "Underpinning row 4 names SLA target T10" in [c for c in conflicts if c.sla_target == "T10"][0].format()
	assert [c.sla_target for c in conflicts][-1] == "T10"


def test_messages_are_worded_in_the_readers_language_when_shown():
	"""States, metric kinds, priorities and the targets' descriptions in a conflict are translated when
	the message is formatted (the panel renders it per reader), never kept translated."""
	under = {
		"OLA-1": agreement("OLA-1", "OLA", [t("T1", "Resolution Time", 8, service="Banking", priority="Critical")], workflow_state="Terminated"),
		"UC-1": agreement("UC-1", "UC", [t("T1", "Availability", 99.9)]),
	}
	links = [link("T1", "OLA-1", "T1"), link("T1", "UC-1", "T1")]
	conflicts = check_underpinning(SLA, links, under)
	zh = {"Terminated": "已终止", "Critical": "紧急", "High": "高", "Resolution Time": "解决时间", "Availability": "可用性"}.get
	by_kind = {c.kind: c for c in conflicts}
	english = by_kind["not_in_force"].format()
	assert english == "SLA target T1 relies on OLA-1, which is Terminated"
	assert by_kind["not_in_force"].format(lambda s: zh(s, s)) == "SLA target T1 relies on OLA-1, which is 已终止"
	assert by_kind["priority_mismatch"].format(lambda s: zh(s, s)).endswith("priority 高 but OLA-1 T1 is for priority 紧急")
	metric = [c for c in conflicts if c.kind == "metric_mismatch"]
	assert [c.format() for c in metric] == ["SLA target T1 is Resolution Time ≤ 8 h (95 %) P: High but UC-1 T1 is Availability ≥ 99.9 %"]
	assert metric[0].format(lambda s: zh(s, s)) == "SLA target T1 is 解决时间 ≤ 8 h (95 %) P: 高 but UC-1 T1 is 可用性 ≥ 99.9 %"
	# and the records keep English: formatting does not change the conflict
	assert by_kind["not_in_force"].format() == english
