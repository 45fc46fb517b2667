import math

import pandas as pd

from slm_app.core import measurements as ms
from slm_app.core.agreements import VERSION_COLUMNS
from slm_app.core.directory import build_directory

VERSIONS = pd.DataFrame(
	[
		("SLA-1-V1", "SLA-1", 1, "SLA", "ACME", "CN", "2026-01-01", None, None, "Active"),
		("OLA-1-V1", "OLA-1", 1, "OLA", "Team", "no zone", "2026-01-01", None, None, "Active"),
	],
	columns=VERSION_COLUMNS,
)
TARGETS = pd.DataFrame([("SLA-1-V1", "T1", "Banking"), ("SLA-1-V1", "T4", "Banking")], columns=["agreement", "target_code", "service"])
D = build_directory(VERSIONS, TARGETS, calendar_zones={"CN": "Asia/Shanghai"}, service_calendars={"Mail": None})


def ts(text):
	return int(pd.Timestamp(text).value)


def test_good_tickets_with_zone_inference_and_pauses():
	rows = [
		{"ticket_id": "1", "agreement": "SLA-1-V1", "priority": "High", "created": "2026-03-02 09:00", "first_response": "2026-03-02T09:30:00+08:00", "resolved": "2026-03-02 17:00", "pauses": "2026-03-02 10:00/2026-03-02 11:00"},
		{"ticket_id": "2", "service": "Banking", "customer": "ACME", "created": "2026-03-02T01:00:00Z"},
	]
	c = ms.check_tickets(rows, D)
	assert c.problems == []
	t = c.frames["tickets"]
	assert list(t.agreement_code) == ["SLA-1", "SLA-1"]
	assert t.created_ns[0] == ts("2026-03-02T01:00:00Z")  # 09:00 in Shanghai
	assert t.resolved_ns[1] == ms.NAT
	assert list(c.frames["pauses"].start_ns) == [ts("2026-03-02T02:00:00Z")]


def test_each_bad_ticket_row_is_named_with_its_reason():
	rows = [
		{"ticket_id": "1", "agreement": "SLA-1", "created": "2026-03-02 09:00", "resolved": "2026-03-01 09:00"},
		{"ticket_id": "2", "agreement": "NOPE", "created": "2026-03-02 09:00"},
		{"ticket_id": "3", "agreement": "SLA-1", "created": float("nan")},
		{"ticket_id": "4", "agreement": "SLA-1", "created": "2026-03-02 09:00"},
		{"ticket_id": "4", "agreement": "SLA-1", "created": "2026-03-02 09:00"},
		{"ticket_id": "5", "agreement": "OLA-1", "created": "2026-03-02 09:00"},
		{"ticket_id": "6", "agreement": "SLA-1", "created": "yesterday-ish"},
		{"ticket_id": "7", "agreement": "SLA-1", "created": "2026-03-02 09:00", "priority": "Urgent!"},
	]
	c = ms.check_tickets(rows, D, first_row=2)
	text = {p.row: p.format() for p in c.problems}
	assert c.bad_rows == [2, 3, 4, 6, 7, 8, 9]
	assert "before the ticket was created" in text[2]
	assert "unknown agreement NOPE" in text[3]
	assert "required" in text[4]
	assert "already in row 5" in text[6]
	assert "no time zone" in text[7]
	assert "not a date" in text[8]
	assert "Priority" in text[9]
	assert list(c.frames["tickets"].ticket_id) == ["4"]


def test_outages_coverage_and_metrics():
	o = ms.check_outages(
		[
			{"service": "Banking", "start": "2026-03-11 09:00", "end": "2026-03-11 11:00", "planned": "yes"},
			{"service": "Banking", "start": "2026-03-11 12:00", "end": "2026-03-11 11:00"},
			{"service": "Nope", "start": "2026-03-11 09:00", "end": "2026-03-11 11:00"},
			{"service": "Mail", "start": "2026-03-11 09:00", "end": "2026-03-11 11:00"},
		],
		D,
	)
	assert o.bad_rows == [2, 3, 4]
	assert bool(o.frames["outages"].planned[0]) is True
	assert "end is before the start" in o.problems[0].format()
	m = ms.check_metrics(
		[
			{"agreement": "SLA-1", "target": "T4", "period": "2026-03", "value": "4.5"},
			{"agreement": "SLA-1", "target": "T9", "period": "2026-03", "value": "4.5"},
			{"agreement": "SLA-1", "target": "T4", "period": "2026-03", "value": "NaN"},
			{"agreement": "SLA-1", "target": "T4", "period": "March", "value": "1"},
		],
		D,
	)
	assert m.bad_rows == [2, 3, 4]
	assert math.isclose(m.frames["metrics"].value[0], 4.5)
	cv = ms.check_coverage([{"service": "Banking", "start": "2026-03-01", "end": "2026-04-01"}], D)
	assert cv.problems == [] and len(cv.frames["coverage"]) == 1


def test_values_no_store_can_hold_are_row_problems():
	"""Dates outside what pandas and the database hold, pauses that are not {start, end}, over-long or
	non-text ids and names with markup are each a row problem, never an exception."""
	base = {"agreement": "SLA-1", "priority": "High"}
	rows = [
		{**base, "ticket_id": "ok", "created": "2026-03-02 09:00", "raised_by": "x" * 140},
		{**base, "ticket_id": "a", "created": "0001-01-01 09:00"},
		{**base, "ticket_id": "b", "created": "9999-12-31 09:00"},
		{**base, "ticket_id": "c", "created": "2026-03-02 09:00", "resolved": "2300-01-01 00:00"},
		{**base, "ticket_id": "d", "created": "2026-03-02 09:00", "pauses": [1, 2]},
		{**base, "ticket_id": "e", "created": "2026-03-02 09:00", "pauses": {"start": "2026-03-02 10:00"}},
		{**base, "ticket_id": "f", "created": "2026-03-02 09:00", "pauses": [{"end": "2026-03-02 10:00"}]},
		{**base, "ticket_id": "x" * 141, "created": "2026-03-02 09:00"},
		{**base, "ticket_id": "<img src=x onerror=alert(1)>", "created": "2026-03-02 09:00"},
		{**base, "ticket_id": "line\nbreak", "created": "2026-03-02 09:00"},
		{**base, "ticket_id": ["list"], "created": "2026-03-02 09:00"},
		{**base, "ticket_id": "g", "created": "2026-03-02 09:00", "raised_by": "y" * 141},
	]
	c = ms.check_tickets(rows, D)
	text = {p.row: p.format() for p in c.problems}
	assert c.bad_rows == list(range(2, 13))
	assert list(c.frames["tickets"].ticket_id) == ["ok"]
	for row in (2, 3, 4):
		assert "outside the dates" in text[row] and "1900-01-01 to 2199-12-31" in text[row]
	assert "pauses must be a list" in text[5] and "pauses must be a list" in text[6]
	assert "no start" in text[7]
	assert "longer than 140" in text[8] and "longer than 140" in text[12]
	assert "may not contain" in text[9] and "<img" not in text[9]
	assert "may not contain" in text[10]
	assert "must be text" in text[11]


def test_spans_and_metrics_outside_the_dates_are_row_problems():
	o = ms.check_outages([{"service": "Banking", "start": "1000-01-01 00:00", "end": "2026-01-01 00:00"}], D)
	assert o.bad_rows == [1] and "outside the dates" in o.problems[0].format()
	m = ms.check_metrics([{"agreement": "SLA-1", "target": "T4", "period": "0001-01", "value": 1}], D)
	assert m.bad_rows == [1]


def test_every_problem_of_a_row_is_named_not_only_the_first():
	"""A row with several problems gets each of them; a check that needs a value refused earlier (the
	agreement's zone, a time to compare with) is left out rather than guessed."""
	rows = [
		# unknown agreement, bad priority, bad first response, a pause without start: four problems
		{"ticket_id": "1", "agreement": "NOPE", "priority": "Urgent!", "created": "2026-03-02 09:00", "first_response": "soon", "pauses": [{"end": "2026-03-02 10:00"}]},
		# no id, resolved and first response before created, raised_by too long
		{"agreement": "SLA-1", "created": "2026-03-02 09:00", "first_response": "2026-03-01 09:00", "resolved": "2026-03-01 10:00", "raised_by": "y" * 141},
		# unknown agreement: its naive times are still checked as dates, never compared
		{"ticket_id": "3", "agreement": "NOPE", "created": "2026-03-02 09:00", "resolved": "2026-03-01 09:00"},
		# service + customer with a bad creation time: named once, not once per check that reads it
		{"ticket_id": "4", "service": "Banking", "customer": "ACME", "created": "someday", "resolved": "never"},
		{"ticket_id": "5", "agreement": "SLA-1", "created": "2026-03-02 09:00", "pauses": "2026-03-02 11:00/2026-03-02 10:00;x/"},
	]
	c = ms.check_tickets(rows, D)
	by_row: dict[int, list[str]] = {}
	for p in c.problems:
		by_row.setdefault(p.row, []).append(p.format())
	assert c.bad_rows == [1, 2, 3, 4, 5] and c.frames["tickets"].empty
	assert by_row[1] == [
		"Row 1: unknown agreement NOPE",
		"Row 1: Priority must be one of Critical, High, Medium, Low, not Urgent!",
		"Row 1: first_response is not a date and time: soon",
		"Row 1: a pause has no start",
	]
	assert by_row[2] == [
		"Row 2: Ticket ID is required",
		"Row 2: first response is before the ticket was created",
		"Row 2: resolved is before the ticket was created",
		"Row 2: raised_by is longer than 140 characters",
	]
	assert by_row[3] == ["Row 3: unknown agreement NOPE"]
	assert by_row[4] == ["Row 4: created is not a date and time: someday", "Row 4: resolved is not a date and time: never"]
	assert by_row[5] == ["Row 5: a pause ends before it starts", "Row 5: pause start is not a date and time: x"]


def test_every_problem_of_a_span_or_metric_row_is_named():
	o = ms.check_outages([{"service": "Nope", "start": "later", "end": "2026-03-11 11:00"}, {"service": "", "start": "2026-03-11 12:00"}], D)
	assert [p.format() for p in o.problems] == [
		"Row 1: unknown service Nope",
		"Row 1: start is not a date and time: later",
		"Row 2: Service is required",
		"Row 2: Start and End are required",
	]
	m = ms.check_metrics(
		[
			{"agreement": "SLA-1", "target": "T9", "period": "March", "value": "x"},
			{"agreement": "NOPE", "target": "T9", "at": "2026-03-02 09:00", "value": "1"},
		],
		D,
	)
	assert [p.format() for p in m.problems] == [
		"Row 1: agreement SLA-1 has no target T9",
		"Row 1: Period must look like 2026-03, not March",
		"Row 1: value must be a number, not x",
		"Row 2: unknown agreement NOPE",
	]
	assert m.bad_rows == [1, 2]


def test_valid_rows_keep_their_row_numbers():
	rows = [
		{"ticket_id": "a", "agreement": "SLA-1", "created": "2026-03-02 09:00"},
		{"ticket_id": "b", "agreement": "NOPE", "created": "2026-03-02 09:00"},
		{"ticket_id": "c", "agreement": "SLA-1", "created": "2026-03-02 09:00"},
	]
	assert ms.check_tickets(rows, D, first_row=2).row_numbers == {"tickets": [2, 4]}


def _recorded(*tickets, pauses=()):
	existing = pd.DataFrame([(*t,) for t in tickets], columns=ms.EXISTING_COLUMNS)
	return existing, pd.DataFrame(list(pauses), columns=ms.EXISTING_PAUSE_COLUMNS)


def test_a_recorded_ticket_is_updated_by_its_id_and_a_new_one_inserted():
	rows = [
		# answered and resolved since it was imported open, with a pause and a new priority
		{"ticket_id": "A", "agreement": "SLA-1", "priority": "Critical", "created": "2026-04-02 09:00", "first_response": "2026-04-02 09:20", "resolved": "2026-04-02 12:00", "pauses": "2026-04-02 10:00/2026-04-02 11:00"},
		{"ticket_id": "B", "agreement": "SLA-1", "priority": "High", "created": "2026-04-03 09:00"},  # new
		{"ticket_id": "C", "agreement": "SLA-1", "priority": "High", "created": "2026-04-03 09:00", "resolved": "2026-04-03 10:00"},  # the same again
	]
	c = ms.check_tickets(rows, D, first_row=2)
	existing, existing_pauses = _recorded(
		("A", "SLA-1", "High", ts("2026-04-02T01:00:00Z"), ms.NAT, ms.NAT, "", "Import"),
		("C", "SLA-1", "High", ts("2026-04-03T01:00:00Z"), ms.NAT, ts("2026-04-03T02:00:00Z"), "", ""),
	)
	u = ms.upsert_tickets(c, existing, existing_pauses, closed={("SLA-1", "2026-03")}, zones={"SLA-1": "Asia/Shanghai"})
	assert u.problems == []
	assert u.updated == ["A"] and list(u.insert.ticket_id) == ["B"] and u.unchanged == ["C"]
	assert u.update.priority[0] == "Critical" and u.update.resolved_ns[0] == ts("2026-04-02T04:00:00Z")
	assert list(u.update_pauses.ticket_id) == ["A"] and list(u.update_pauses.ticket_row) == [0]
	assert u.insert_pauses.empty
	# a pause dropped is a change too
	c2 = ms.check_tickets([{**rows[0], "pauses": ""}], D)
	existing2, pauses2 = _recorded(
		("A", "SLA-1", "Critical", ts("2026-04-02T01:00:00Z"), ts("2026-04-02T01:20:00Z"), ts("2026-04-02T04:00:00Z"), "", "Import"),
		pauses=[("A", ts("2026-04-02T02:00:00Z"), ts("2026-04-02T03:00:00Z"))],
	)
	assert ms.upsert_tickets(c2, existing2, pauses2, set(), {"SLA-1": "Asia/Shanghai"}).updated == ["A"]
	assert ms.upsert_tickets(ms.check_tickets([rows[0]], D), existing2, pauses2, set(), {"SLA-1": "Asia/Shanghai"}).unchanged == ["A"]


def test_a_recorded_ticket_that_may_not_change_is_a_problem_of_its_row():
	rows = [
		{"ticket_id": "closed", "agreement": "SLA-1", "created": "2026-03-31 23:30", "resolved": "2026-04-01 10:00"},
		{"ticket_id": "synced", "agreement": "SLA-1", "created": "2026-04-02 09:00", "resolved": "2026-04-02 10:00"},
		{"ticket_id": "moved", "agreement": "SLA-1", "created": "2026-04-02 09:00"},
		{"ticket_id": "earlier", "agreement": "SLA-1", "created": "2026-04-02 08:00"},
		{"ticket_id": "open", "agreement": "SLA-1", "created": "2026-04-01 00:30", "resolved": "2026-04-01 10:00"},
	]
	c = ms.check_tickets(rows, D, first_row=2)
	existing, pauses = _recorded(
		# 23:30 in Shanghai on 31 March is 15:30 UTC: March, a closed month of SLA-1
		("closed", "SLA-1", "", ts("2026-03-31T15:30:00Z"), ms.NAT, ms.NAT, "", "Import"),
		("synced", "SLA-1", "", ts("2026-04-02T01:00:00Z"), ms.NAT, ms.NAT, "", "Helpdesk"),
		("moved", "SLA-2", "", ts("2026-04-02T01:00:00Z"), ms.NAT, ms.NAT, "", "Import"),
		("earlier", "SLA-1", "", ts("2026-04-02T01:00:00Z"), ms.NAT, ms.NAT, "", "Import"),
		# 00:30 on 1 April in Shanghai is still 31 March in UTC: the agreement's zone decides, April is open
		("open", "SLA-1", "", ts("2026-03-31T16:30:00Z"), ms.NAT, ms.NAT, "", "Import"),
	)
	u = ms.upsert_tickets(c, existing, pauses, closed={("SLA-1", "2026-03")}, zones={"SLA-1": "Asia/Shanghai", "SLA-2": "Asia/Shanghai"})
	assert [p.format() for p in u.problems] == [
		"Row 2: ticket closed belongs to 2026-03, a closed month of agreement SLA-1 (its monitoring records are submitted); an import does not change a closed month",
		"Row 3: ticket synced comes from Helpdesk; it is updated by that source's sync, not by an import",
		"Row 4: ticket moved is recorded for agreement SLA-2, not SLA-1; an import does not move a ticket to another agreement",
		"Row 5: ticket earlier is recorded as created at 2026-04-02 09:00:00 +0800; an import updates its first response, resolution, pauses and priority, not when it was created",
	]
	assert u.updated == ["open"] and u.insert.empty and u.unchanged == []
	# the same closed-month ticket unchanged is no problem: importing the same file again changes nothing
	same = ms.check_tickets([{"ticket_id": "closed", "agreement": "SLA-1", "created": "2026-03-31 23:30"}], D)
	again = ms.upsert_tickets(same, existing, pauses, {("SLA-1", "2026-03")}, {"SLA-1": "Asia/Shanghai"})
	assert again.problems == [] and again.unchanged == ["closed"]
