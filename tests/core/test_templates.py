from slm_app.core import templates as t


def test_placeholders_are_found_in_order_once():
	assert t.find_placeholders("{{ a }} {{b}} {{ a }}") == ["a", "b"]


def test_validation_names_unknown_placeholders_and_unclosed_braces():
	assert t.validate_template("<p>{{ counterparty }} from {{ valid_from }}</p>") == []
	problems = t.validate_template("<p>{{ counterparty }} {{ secret }}</p>")
	assert len(problems) == 1 and "{{ secret }}" in problems[0].format()
	assert "not closed" in t.validate_template("Dear {{ counterparty ")[0].format()
	assert t.validate_template("<p> </p>")[0].field == "body"


def test_fill_escapes_values_but_not_the_targets_table():
	out = t.fill_template(
		"{{ counterparty }}|{{ targets_table }}|{{ missing }}",
		{"counterparty": "<b>ACME</b>", "targets_table": "<table></table>"},
	)
	assert out == "&lt;b&gt;ACME&lt;/b&gt;|<table></table>|"


def test_fill_never_evaluates_code():
	out = t.fill_template("{{ counterparty.__class__ }}{% for x in y %}", {"counterparty": "X"})
	assert out == "{% for x in y %}"


def test_targets_table_with_translated_labels():
	html = t.render_targets_table(
		[
			{"service": "Mail", "metric_kind": "Resolution Time", "priority": "High", "target_value": 4.0, "time_unit": "Hours", "compliance_share": 95, "measurement_period": "Monthly"},
			{"service": "Mail <x>", "metric_kind": "Availability", "target_value": 99.9},
		],
		{"service": "服务"},
	)
	assert "<th>服务</th>" in html
	assert "<td>4 Hours</td>" in html and "<td>95 %</td>" in html
	assert "<td>99.9 %</td>" in html
	assert "Mail &lt;x&gt;" in html
