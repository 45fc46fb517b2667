"""The offline console command: a folder of CSV / Parquet files in, the month's monitoring table, breaches and
missed tickets out — the same engine and the same numbers as the site.

The example folder tests/core/data/offline has one SLA, one OLA and one UC on a Shanghai office calendar
(Mon–Fri 09:00–12:00 and 13:00–18:00, a holiday on Friday 2026-03-20: March has 21 working days, 168 h),
and a draft SLA that is not monitored. The numbers below are worked out by hand.
"""

import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from slm_app import offline
from slm_app.core import breaches as core_breaches
from slm_app.core import calendar as cal
from slm_app.core import compliance as c

EXAMPLE = Path(__file__).parent / "data" / "offline"
ROOT = Path(__file__).resolve().parents[2]
SH = ZoneInfo("Asia/Shanghai")


def ns(*args):
	return int(pd.Timestamp(datetime(*args, tzinfo=SH)).value)


@pytest.fixture
def folder(tmp_path):
	shutil.copytree(EXAMPLE, tmp_path / "in")
	return tmp_path / "in"


def append(path: Path, *lines: str) -> None:
	with open(path, "a", encoding="utf-8") as f:
		f.write("".join(line + "\n" for line in lines))


def compute(folder: Path, *extra: str, out_name: str = "out") -> tuple[int, Path]:
	out = folder.parent / out_name
	code = offline.main([str(folder), "--month", "2026-03", "--out", str(out), *extra])
	return code, out


def read(out: Path, name: str) -> pd.DataFrame:
	return pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)


def by_target(frame: pd.DataFrame) -> dict:
	return {(r["agreement"], r["target_code"]): r for _i, r in frame.iterrows()}


# ------------------------------------------------------------------------------------------ the month by hand


def test_the_example_month_by_hand(folder, capsys):
	code, out = compute(folder)
	assert code == 0
	assert sorted(p.name for p in out.iterdir()) == ["breaches.csv", "consistency.csv", "missed_tickets.csv", "monitoring.csv"]
	mon = read(out, "monitoring")
	assert list(mon.columns) == offline.MONITORING_COLUMNS
	r = by_target(mon)
	# the draft SLA-2026-0002 is not signed: not monitored
	assert sorted(r) == [
		("OLA-2026-0001-V1", "T1"),
		("OLA-2026-0001-V1", "T2"),
		("SLA-2026-0001-V1", "T1"),
		("SLA-2026-0001-V1", "T2"),
		("SLA-2026-0001-V1", "T3"),
		("SLA-2026-0001-V1", "T4"),
		("UC-2026-0001-V1", "T1"),
	]

	def row(agreement, target):
		x = r[(agreement, target)]
		return x["sample_count"], x["met_count"], x["result"], x["occurred"]

	# response 1 h: INC-1 30 min, INC-3 20 min, INC-4 11:30→13:20 is 50 min over the lunch break (met);
	# INC-2 Fri 17:30 → Mon 09:45 is 75 min, INC-5 unanswered 7 h at the month end: 3 of 5 = 60 % < 90 %.
	# INC-6 is Medium, the target High. The first miss is INC-2's deadline, Mon 09:30 in Shanghai.
	assert row("SLA-2026-0001-V1", "T1") == ("5", "3", "Breached", "2026-03-09T01:30:00Z")
	assert float(r["SLA-2026-0001-V1", "T1"]["measured_value"]) == 60
	# resolution 8 h: INC-1 5 h, INC-2 4.5 h, INC-3 13 h less 8 h paused = 5 h, INC-4 12.5 h (missed, due
	# Fri 11:30); INC-5 has 7 h so far and is pending: 3 of 4
	assert row("SLA-2026-0001-V1", "T2") == ("4", "3", "Breached", "2026-03-13T03:30:00Z")
	assert float(r["SLA-2026-0001-V1", "T2"]["measured_value"]) == 75
	# availability: 168 h covered, 1 h down on Wed 18th; Saturday and lunch-break outages cost nothing.
	# 0.5 % of 168 h = 50.4 min allowed, exceeded one second after 10:50:24
	assert row("SLA-2026-0001-V1", "T3") == ("1", "0", "Breached", "2026-03-18T02:50:25Z")
	assert float(r["SLA-2026-0001-V1", "T3"]["measured_value"]) == pytest.approx(167 / 168 * 100)
	# satisfaction: the mean of March's 4.2 and 4.6; February's 2.0 is another month
	assert row("SLA-2026-0001-V1", "T4") == ("2", "2", "Met", "")  # both values meet the target on their own
	assert float(r["SLA-2026-0001-V1", "T4"]["measured_value"]) == pytest.approx(4.4)
	# OLA resolution 4 h: NET-1 5 h (due 14:00), NET-2 1 h
	assert row("OLA-2026-0001-V1", "T1") == ("2", "1", "Breached", "2026-03-13T06:00:00Z")
	# no Critical tickets: no data, never met, no measured value
	assert row("OLA-2026-0001-V1", "T2") == ("0", "0", "No Data", "")
	assert r["OLA-2026-0001-V1", "T2"]["measured_value"] == ""
	# UC: 168 h less 3 h planned = 165 h, 0.5 h down; 0.2 % of 165 h = 19.8 min allowed from 17:00
	assert row("UC-2026-0001-V1", "T1") == ("1", "0", "Breached", "2026-03-26T09:19:49Z")
	assert float(r["UC-2026-0001-V1", "T1"]["measured_value"]) == pytest.approx(164.5 / 165 * 100)
	assert set(mon.period_start) == {"2026-03-01"} and set(mon.period_end) == {"2026-03-31"}

	br = read(out, "breaches")
	assert list(br.columns) == offline.BREACH_FILE_COLUMNS
	assert list(zip(br.name, br.missed_count, br.underpinning_breached, strict=True)) == [
		("BR-OLA-2026-0001-V1-T1-2026-03", "1", ""),
		("BR-SLA-2026-0001-V1-T1-2026-03", "2", ""),
		("BR-SLA-2026-0001-V1-T2-2026-03", "1", "OLA-2026-0001-V1:T1"),
		("BR-SLA-2026-0001-V1-T3-2026-03", "1", "UC-2026-0001-V1:T1"),
		("BR-UC-2026-0001-V1-T1-2026-03", "1", ""),
	]
	missed = read(out, "missed_tickets")
	assert list(missed.columns) == offline.MISSED_COLUMNS
	assert list(
		zip(missed.target_code, missed.ticket_id, missed.elapsed_minutes, missed.deadline, strict=True)
	) == [
		("T1", "INC-2", "75.0", "2026-03-09T01:30:00Z"),
		("T1", "INC-5", "420.0", "2026-03-31T03:00:00Z"),
		("T2", "INC-4", "750.0", "2026-03-13T03:30:00Z"),
		("T1", "NET-1", "300.0", "2026-03-13T06:00:00Z"),
	]
	err = capsys.readouterr().err
	assert "SLA-2026-0002-V1 (Draft)" in err
	assert "row" not in err  # no bad rows


def test_the_printed_table(folder, capsys):
	assert compute(folder)[0] == 0
	lines = capsys.readouterr().out.splitlines()
	assert lines[0].split() == [
		"agreement",
		"target",
		"metric",
		"priority",
		"measured",
		"target",
		"sample",
		"result",
	]
	assert set(lines[1]) == {"-", " "}
	body = [line.split("  ") for line in lines[2:9]]
	cells = [[x.strip() for x in line if x.strip()] for line in body]
	assert cells == [
		["SLA-2026-0001-V1", "T1", "Response Time", "High", "60.0 %", "90 % <= 1 h", "5", "Breached"],
		["SLA-2026-0001-V1", "T2", "Resolution Time", "High", "75.0 %", "90 % <= 8 h", "4", "Breached"],
		["SLA-2026-0001-V1", "T3", "Availability", "99.405 %", ">= 99.5 %", "1", "Breached"],
		["SLA-2026-0001-V1", "T4", "Satisfaction", "4.4 points", ">= 4 points", "2", "Met"],
		["OLA-2026-0001-V1", "T1", "Resolution Time", "High", "50.0 %", "100 % <= 4 h", "2", "Breached"],
		["OLA-2026-0001-V1", "T2", "Response Time", "Critical", "-", "95 % <= 30 min", "0", "No Data"],
		["UC-2026-0001-V1", "T1", "Availability", "99.697 %", ">= 99.8 %", "1", "Breached"],
	]
	# columns line up: every "result" cell starts where the header's does
	col = lines[0].index("result")
	assert all(line[col - 2 : col] == "  " and line[col] != " " for line in lines[2:9])
	assert lines[10] == "2026-03: 1 met, 5 breached, 1 no data (7 targets)"
	assert lines[11].startswith("open tickets judged at the end of the month in each agreement's time zone; wrote ")


def test_the_command_runs_as_a_module(folder, tmp_path):
	done = subprocess.run(
		[sys.executable, "-m", "slm_app.offline", str(folder), "--month", "2026-03"],
		cwd=ROOT,
		capture_output=True,
		text=True,
		timeout=120,
	)
	assert done.returncode == 0, done.stderr
	assert "2026-03: 1 met, 5 breached, 1 no data (7 targets)" in done.stdout
	# the default output folder is DIR/out/YYYY-MM
	assert (folder / "out" / "2026-03" / "monitoring.csv").exists()
	assert read(folder / "out" / "2026-03", "breaches").shape[0] == 5


# ------------------------------------------------------------------------------------------ same engine, same numbers


def hand_built():
	"""The example folder written out by hand as the frames the site's adapter passes to the engine."""
	windows = [
		{"weekday": d, "start_time": s, "end_time": e}
		for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
		for s, e in (("09:00", "12:00"), ("13:00", "18:00"))
	]
	calendars = {
		"CN-Office": cal.build_calendar(
			"Asia/Shanghai", windows, [{"exception_date": "2026-03-20", "exception_type": "Holiday"}]
		)
	}
	agreements = {
		"SLA-2026-0001-V1": ("SLA-2026-0001", "SLA", "ACME Bank", date(2026, 12, 31)),
		"OLA-2026-0001-V1": ("OLA-2026-0001", "OLA", "Network Team", None),
		"UC-2026-0001-V1": ("UC-2026-0001", "UC", "FiberCo", date(2026, 12, 31)),
	}
	rows = [
		("SLA-2026-0001-V1", "T1", "Online Banking", "Response Time", "", "", "", "High", 1.0, "Hours", 90.0),
		(
			"SLA-2026-0001-V1",
			"T2",
			"Online Banking",
			"Resolution Time",
			"",
			"",
			"",
			"High",
			8.0,
			"Hours",
			90.0,
		),
		("SLA-2026-0001-V1", "T3", "Online Banking", "Availability", "", "%", "", "", 99.5, "", None),
		(
			"SLA-2026-0001-V1",
			"T4",
			"Online Banking",
			"Custom Metric",
			"Satisfaction",
			"points",
			"Higher is better",
			"",
			4.0,
			"",
			100.0,
		),
		("OLA-2026-0001-V1", "T1", "Network", "Resolution Time", "", "", "", "High", 4.0, "Hours", 100.0),
		("OLA-2026-0001-V1", "T2", "Network", "Response Time", "", "", "", "Critical", 30.0, "Minutes", 95.0),
		("UC-2026-0001-V1", "T1", "Fiber Link", "Availability", "", "%", "", "", 99.8, "", None),
	]
	targets = pd.DataFrame(
		[
			(
				a,
				agreements[a][0],
				1,
				agreements[a][1],
				agreements[a][2],
				"CN-Office",
				date(2026, 1, 1),
				agreements[a][3],
				*rest,
			)
			for a, *rest in rows
		],
		columns=c.TARGET_COLUMNS,
	)
	tickets = pd.DataFrame(
		[
			("INC-1", "SLA-2026-0001", "High", ns(2026, 3, 2, 9), ns(2026, 3, 2, 9, 30), ns(2026, 3, 2, 15)),
			(
				"INC-2",
				"SLA-2026-0001",
				"High",
				ns(2026, 3, 6, 17, 30),
				ns(2026, 3, 9, 9, 45),
				ns(2026, 3, 9, 14),
			),
			(
				"INC-3",
				"SLA-2026-0001",
				"High",
				ns(2026, 3, 10, 11),
				ns(2026, 3, 10, 11, 20),
				ns(2026, 3, 11, 17),
			),
			(
				"INC-4",
				"SLA-2026-0001",
				"High",
				ns(2026, 3, 12, 11, 30),
				ns(2026, 3, 12, 13, 20),
				ns(2026, 3, 13, 17),
			),
			("INC-5", "SLA-2026-0001", "High", ns(2026, 3, 31, 10), c.NAT, c.NAT),
			("INC-6", "SLA-2026-0001", "Medium", ns(2026, 3, 3, 9), ns(2026, 3, 3, 9, 5), ns(2026, 3, 3, 10)),
			(
				"NET-1",
				"OLA-2026-0001",
				"High",
				ns(2026, 3, 13, 9),
				ns(2026, 3, 13, 9, 10),
				ns(2026, 3, 13, 15),
			),
			(
				"NET-2",
				"OLA-2026-0001",
				"High",
				ns(2026, 3, 16, 9),
				ns(2026, 3, 16, 9, 5),
				ns(2026, 3, 16, 10),
			),
		],
		columns=["ticket_id", "agreement_code", "priority", "created_ns", "response_ns", "resolved_ns"],
	)
	pauses = pd.DataFrame(
		[("INC-3", ns(2026, 3, 10, 14), ns(2026, 3, 11, 14))], columns=["ticket_id", "start_ns", "end_ns"]
	)
	outages = pd.DataFrame(
		[
			("Online Banking", ns(2026, 3, 18, 10), ns(2026, 3, 18, 11), False),
			("Online Banking", ns(2026, 3, 21, 10), ns(2026, 3, 21, 14), False),
			("Online Banking", ns(2026, 3, 25, 12), ns(2026, 3, 25, 13), False),
			("Fiber Link", ns(2026, 3, 24, 9), ns(2026, 3, 24, 12), True),
			("Fiber Link", ns(2026, 3, 26, 17), ns(2026, 3, 26, 17, 30), False),
		],
		columns=["service", "start_ns", "end_ns", "planned"],
	)
	coverage = pd.DataFrame(
		[(s, ns(2026, 3, 1), ns(2026, 4, 1)) for s in ("Online Banking", "Fiber Link")],
		columns=["service", "start_ns", "end_ns"],
	)
	metrics = pd.DataFrame(
		[
			("SLA-2026-0001", "T4", ns(2026, 3, 1, 12), 4.2),
			("SLA-2026-0001", "T4", ns(2026, 3, 15, 10), 4.6),
			("SLA-2026-0001", "T4", ns(2026, 2, 1, 12), 2.0),
		],
		columns=["agreement_code", "target_code", "at_ns", "value"],
	)
	links = pd.DataFrame(
		[("SLA-2026-0001-V1", "T2", "OLA-2026-0001", "T1"), ("SLA-2026-0001-V1", "T3", "UC-2026-0001", "T1")],
		columns=core_breaches.LINK_COLUMNS,
	)
	return targets, calendars, c.Measurements(tickets, pauses, outages, coverage, metrics), links


def test_the_command_gives_the_numbers_of_the_engine_called_directly():
	bundle = offline.load_folder(EXAMPLE)
	results, breaches, attribution, missed = offline.run(bundle, 2026, 3)
	targets, calendars, measurements, links = hand_built()
	# without --as-of, open tickets are judged at the end of the month in the agreements' zone (Shanghai)
	as_of = datetime(2026, 4, 1, tzinfo=SH)
	expected, expected_missed = c.evaluate(targets, calendars, measurements, 2026, 3, as_of)
	pd.testing.assert_frame_equal(results[c.RESULT_COLUMNS], expected, check_dtype=False)
	assert results["write"].all() and list(results["record"]) == [f"MON-{a}-{t}-2026-03" for a, t in zip(expected.agreement, expected.target_code, strict=True)]
	pd.testing.assert_frame_equal(missed, expected_missed, check_dtype=False)
	assert list(bundle.targets.columns) == c.TARGET_COLUMNS
	assert calendars["CN-Office"] == bundle.calendars["CN-Office"]
	pd.testing.assert_frame_equal(bundle.links[core_breaches.LINK_COLUMNS], links, check_dtype=False)
	expected_breaches = core_breaches.find_breaches(expected)
	pd.testing.assert_frame_equal(breaches[expected_breaches.columns], expected_breaches, check_dtype=False)
	pd.testing.assert_frame_equal(
		attribution.drop(columns="underpinning_record"), core_breaches.attribute(expected_breaches, expected, links), check_dtype=False
	)
	# the customer a breach affects: the SLA's own, for the OLA and UC the customer of the SLA above them
	assert set(breaches["affected_customer"]) == {"ACME Bank"}
	# nobody said who raised the tickets: the number of tickets that missed (none for availability)
	assert list(zip(breaches.metric_kind, breaches.affected_users_count, strict=True)) == [
		("Resolution Time", 1),
		("Response Time", 2),
		("Resolution Time", 1),
		("Availability", 0),
		("Availability", 0),
	]


def test_as_of_judges_open_tickets(folder):
	# at 10:30 on the 31st INC-5 has waited 30 min for a response: pending, not yet missed
	code, out = compute(folder, "--as-of", "2026-03-31T10:30")
	assert code == 0
	r = by_target(read(out, "monitoring"))
	assert (r["SLA-2026-0001-V1", "T1"]["sample_count"], r["SLA-2026-0001-V1", "T1"]["met_count"]) == (
		"4",
		"3",
	)
	# the same instant with an explicit offset gives the same
	code, out2 = compute(folder, "--as-of", "2026-03-31T02:30:00Z", out_name="out2")
	assert code == 0
	assert read(out, "monitoring").equals(read(out2, "monitoring"))


# ------------------------------------------------------------------------------------------ bad input


def with_bad_rows(folder: Path) -> None:
	append(
		folder / "tickets.csv",
		"INC-7,SLA-2026-0001-V1,,,High,2026-03-05 10:00,,2026-03-05 09:00",  # row 10: resolved before created
		"INC-8,SLA-9999,,,High,2026-03-05 10:00,,",  # row 11: unknown agreement
		"INC-1,SLA-2026-0001-V1,,,High,2026-03-05 10:00,,",  # row 12: duplicate id
	)
	# rows 3 and 4
	append(folder / "pauses.csv", "INC-99,2026-03-05 10:00,2026-03-05 11:00", "INC-8,2026-03-05 10:00,")
	append(folder / "outages.csv", "Online Banking,2026-03-05 10:00,2026-03-05 09:00,no")  # row 7
	append(folder / "metrics.csv", "SLA-2026-0001,T4,,2026-03,NaN")  # row 5


BAD_ROWS = [
	"tickets row 10: resolved is before the ticket was created",
	"tickets row 11: unknown agreement SLA-9999",
	"tickets row 12: ticket INC-1 is already in row 2",
	"pauses row 3: ticket INC-99 is not in tickets",
	"pauses row 4: its ticket INC-8 was skipped",
	"outages row 7: the end is before the start",
	"metrics row 5: value must be a number, not NaN",
	"metrics row 5: agreement SLA-2026-0001 already has a value of target T4 at that time, in row 2",  # every problem of a row
]


def test_bad_rows_are_named_with_their_row_in_the_file_and_the_valid_rows_kept(folder, capsys):
	code, clean = compute(folder)
	assert code == 0
	capsys.readouterr()
	with_bad_rows(folder)
	code, out = compute(folder)
	assert code == 0
	err = capsys.readouterr().err.splitlines()
	assert [line for line in err if " row " in line and "skipped," not in line] == BAD_ROWS
	assert "tickets: 3 of 11 row(s) skipped, 8 kept" in err
	assert "pauses: 2 of 3 row(s) skipped, 1 kept" in err
	# the valid rows give the month of the clean folder
	assert read(out, "monitoring").equals(read(clean, "monitoring"))
	bundle = offline.load_folder(folder)
	assert [(p.table, p.row) for p in bundle.problems] == [
		("tickets", 10),
		("tickets", 11),
		("tickets", 12),
		("pauses", 3),
		("pauses", 4),
		("outages", 7),
		("metrics", 5),
		("metrics", 5),
	]


def test_strict_stops_at_a_bad_row_and_writes_nothing(folder, capsys):
	with_bad_rows(folder)
	code, out = compute(folder, "--strict")
	assert code == 2
	assert not out.exists()
	err = capsys.readouterr().err
	assert BAD_ROWS[0] in err
	assert "--strict: 8 problem(s) in 7 bad row(s); nothing was computed or written." in err


def test_strict_on_a_clean_folder_computes(folder):
	assert compute(folder, "--strict")[0] == 0


def test_a_bad_calendar_stops_the_run_naming_the_calendar(folder, capsys):
	text = (
		(folder / "calendar_windows.csv")
		.read_text()
		.replace("CN-Office,Monday,13:00,18:00", "CN-Office,Monday,25:00,18:00")
	)
	(folder / "calendar_windows.csv").write_text(text)
	append(folder / "calendar_windows.csv", "CN-Office,Friday,17:00,19:00")
	code, out = compute(folder)
	assert code == 2
	assert not out.exists()
	err = capsys.readouterr().err.splitlines()
	assert (
		"calendar CN-Office: calendar_windows row 3: Start Time 25:00 is not a valid time; use HH:MM" in err
	)
	assert (
		"calendar CN-Office: calendar_windows rows 11 and 12: the Friday windows 13:00-18:00 and 17:00-19:00 overlap"
		in err
	)
	assert err[-1] == "Nothing was computed."


def test_an_unknown_time_zone_is_named(folder, capsys):
	(folder / "calendars.csv").write_text("calendar,timezone\nCN-Office,Asia/Beijing\n")
	assert compute(folder)[0] == 2
	assert (
		"calendar CN-Office: calendars row 2: Time Zone Asia/Beijing is not a known IANA time zone; use a name such as Asia/Shanghai"
		in capsys.readouterr().err
	)


def test_bad_agreements_and_targets_stop_the_run(folder, capsys):
	append(
		folder / "agreements.csv", "SLA-2026-0003-V1,SLA-2026-0003,1,SLA,ACME Bank,Nowhere,2026-01-01,,Active"
	)
	append(
		folder / "targets.csv",
		"SLA-2026-0001-V1,T5,Online Banking,Uptime,,,,,99,,",
		"SLA-2026-0009-V1,T1,Online Banking,Availability,,,,,99,,",
	)
	assert compute(folder)[0] == 2
	err = capsys.readouterr().err
	assert "agreements row 6: unknown calendar Nowhere; list it in calendars" in err
	assert (
		"targets row 10: Metric Kind Uptime is not one of Availability, Response Time, Resolution Time, Custom Metric"
		in err
	)
	assert "targets row 11: unknown agreement SLA-2026-0009-V1; list it in agreements" in err


def test_missing_tables_and_columns_are_named(folder, capsys):
	(folder / "targets.csv").unlink()
	(folder / "outages.csv").write_text("service,start\nOnline Banking,2026-03-18 10:00\n")
	assert compute(folder)[0] == 2
	err = capsys.readouterr().err
	assert "targets: the table is missing; add targets.csv or targets.parquet" in err
	assert "outages: missing column(s) end" in err


def test_optional_tables_may_be_left_out(folder):
	for name in (
		"calendar_exceptions",
		"underpinning",
		"tickets",
		"pauses",
		"outages",
		"coverage",
		"metrics",
	):
		(folder / f"{name}.csv").unlink()
	code, out = compute(folder)
	assert code == 0
	mon = read(out, "monitoring")
	# no holiday, no measurements: every target has no data
	assert set(mon.result) == {"No Data"}
	assert read(out, "breaches").empty and read(out, "missed_tickets").empty


def test_without_a_state_column_every_agreement_counts(folder, capsys):
	frame = pd.read_csv(folder / "agreements.csv", dtype=str, keep_default_na=False).drop(columns="state")
	frame.to_csv(folder / "agreements.csv", index=False)
	code, out = compute(folder)
	assert code == 0
	assert len(read(out, "monitoring")) == 8
	# two SLAs of ACME Bank, both in force on 6 March, now cover Online Banking: the ticket must name its
	# agreement, and says which ones it could be
	assert (
		"tickets row 3: service Online Banking of customer ACME Bank is covered by several agreements on 2026-03-06: "
		"SLA-2026-0001, SLA-2026-0002; give the agreement"
		in capsys.readouterr().err
	)


def test_a_bad_month_is_refused(folder, capsys):
	assert offline.main([str(folder), "--month", "2026-13"]) == 2
	assert "--month: Month must look like 2026-03, not 2026-13" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ parquet


def hide_pyarrow(monkeypatch):
	import importlib.util

	find = importlib.util.find_spec
	monkeypatch.setattr(
		importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else find(name, *a)
	)


def test_parquet_without_pyarrow_says_what_to_install(folder, monkeypatch, capsys):
	hide_pyarrow(monkeypatch)
	assert compute(folder, "--format", "parquet")[0] == 2
	assert "install pyarrow to write Parquet" in capsys.readouterr().err
	# its content does not matter: it is never read
	(folder / "metrics.csv").rename(folder / "metrics.parquet")
	assert compute(folder)[0] == 2
	assert "install pyarrow to read Parquet" in capsys.readouterr().err


def utc(text: str):
	if not text:
		return pd.NaT
	t = pd.Timestamp(text)
	return (t if t.tzinfo else t.tz_localize(SH)).tz_convert("UTC")


def test_parquet_in_and_out_gives_the_same_month(folder, tmp_path):
	pytest.importorskip("pyarrow")
	code, clean = compute(folder)
	assert code == 0
	pq = tmp_path / "pq"
	pq.mkdir()
	for path in folder.glob("*.csv"):
		frame = pd.read_csv(path, dtype=str, keep_default_na=False)
		if path.stem == "tickets":  # typed columns, as an exporter would write them
			for col in ("created", "first_response", "resolved"):
				frame[col] = pd.Series([utc(v) for v in frame[col]], dtype="datetime64[ns, UTC]")
		if path.stem == "outages":
			frame["planned"] = frame["planned"] == "yes"
		if path.stem == "agreements":
			frame["version"] = frame["version"].astype(int)
		frame.to_parquet(pq / f"{path.stem}.parquet", index=False)
	out = tmp_path / "pq-out"
	assert offline.main([str(pq), "--month", "2026-03", "--out", str(out), "--format", "parquet"]) == 0
	got = pd.read_parquet(out / "monitoring.parquet")
	want = pd.read_csv(clean / "monitoring.csv", keep_default_na=False, dtype=str)
	assert list(got.columns) == list(want.columns)
	assert list(got.result) == list(want.result)
	assert list(got.occurred) == list(want.occurred)
	assert [f"{v:.9f}" for v in got.measured_value.dropna()] == [
		f"{float(v):.9f}" for v in want.measured_value if v
	]
	assert len(pd.read_parquet(out / "breaches.parquet")) == 5


# ------------------------------------------------------------------------------------------ what the command says and writes


def test_monitoring_says_the_unit_of_time_targets(folder):
	code, out = compute(folder)
	assert code == 0
	r = by_target(read(out, "monitoring"))
	assert (r["SLA-2026-0001-V1", "T1"]["time_unit"], r["OLA-2026-0001-V1", "T2"]["time_unit"]) == ("Hours", "Minutes")
	assert r["SLA-2026-0001-V1", "T3"]["time_unit"] == ""  # availability has none


def test_a_range_of_months_gives_a_folder_per_month(folder, capsys):
	out = folder.parent / "range"
	assert offline.main([str(folder), "--months", "2026-02..2026-03", "--out", str(out)]) == 0
	assert sorted(p.name for p in out.iterdir()) == ["2026-02", "2026-03", "consistency.csv"]
	assert read(out / "2026-03", "monitoring").equals(read(compute(folder)[1], "monitoring"))
	feb = by_target(read(out / "2026-02", "monitoring"))
	# February's only value of the satisfaction target is 2.0, below 4: breached
	assert (feb["SLA-2026-0001-V1", "T4"]["measured_value"], feb["SLA-2026-0001-V1", "T4"]["result"]) == ("2.0", "Breached")
	printed = capsys.readouterr().out
	assert "== 2026-02" in printed and "== 2026-03" in printed
	assert "2026-03: 1 met, 5 breached, 1 no data (7 targets)" in printed
	assert offline.main([str(folder), "--months", "2026-03..2026-01"]) == 2
	assert "ends before it starts" in capsys.readouterr().err


def test_every_row_of_a_table_bad_exits_non_zero_and_the_summary_says_so(folder, capsys):
	(folder / "coverage.csv").write_text("service,start,end\nNowhere,2026-03-01 00:00,2026-04-01 00:00\nOnline Banking,2026-03-02,2026-03-01\n")
	code, out = compute(folder)
	assert code == 3
	assert (out / "monitoring.csv").exists()  # computed and written, but not silently
	captured = capsys.readouterr()
	assert "coverage: every row was bad; the results count none of them" in captured.err
	assert "skipped rows (named on standard error): coverage 2 of 2" in captured.out.splitlines()
	# availability has no coverage left: no data, never met
	r = by_target(read(out, "monitoring"))
	assert r["SLA-2026-0001-V1", "T3"]["result"] == "No Data"


def test_duplicate_metric_values_are_named_like_duplicate_tickets(folder, capsys):
	clean = read(compute(folder, out_name="clean")[1], "monitoring")
	append(folder / "metrics.csv", "SLA-2026-0001-V1,T4,2026-03-15 10:00,,4.9")  # row 5: same instant as row 3
	code, out = compute(folder)
	assert code == 0
	err = capsys.readouterr().err
	assert "metrics row 5: agreement SLA-2026-0001-V1 already has a value of target T4 at that time, in row 3" in err
	# the second value is not counted: the mean stays 4.4 of two values
	assert read(out, "monitoring").equals(clean)


def test_a_terminated_agreement_is_in_force_until_it_ended(folder):
	text = (folder / "agreements.csv").read_text().replace("valid_to,state", "valid_to,state,ended_on")
	text = text.replace("2026-12-31,Active\nOLA", "2026-12-31,Terminated,2026-03-15\nOLA")
	(folder / "agreements.csv").write_text(text)
	code, out = compute(folder)
	assert code == 0
	r = by_target(read(out, "monitoring"))
	assert (r["SLA-2026-0001-V1", "T1"]["period_start"], r["SLA-2026-0001-V1", "T1"]["period_end"]) == ("2026-03-01", "2026-03-15")
	# INC-5 (31 March) is after the end: four tickets are left
	assert r["SLA-2026-0001-V1", "T1"]["sample_count"] == "4"


def test_the_consistency_check_runs_offline(folder, capsys):
	code, out = compute(folder)
	assert code == 0
	conflicts = read(out, "consistency")
	assert list(conflicts.columns) == offline.CONSISTENCY_COLUMNS
	# T1 (response) and T4 (satisfaction) of the SLA have nothing under them
	assert list(zip(conflicts.sla_agreement, conflicts.sla_target, conflicts.kind, strict=True)) == [
		("SLA-2026-0001-V1", "T1", "no_underpinning"),
		("SLA-2026-0001-V1", "T4", "no_underpinning"),
	]
	captured = capsys.readouterr()
	assert "underpinning consistency: 2 conflict(s) in 1 SLA version(s)" in captured.out
	assert "consistency SLA-2026-0001-V1: SLA target T1 (Response Time ≤ 1 h (90 %) P: High) has no underpinning OLA or UC target" in captured.err


def test_tickets_without_an_agreement_go_to_the_sla_in_force_that_day(folder, capsys):
	# ACME's second SLA lists Online Banking in its services (no target on it) and starts on 16 March:
	# INC-2 (6 March) is still the first SLA's; a ticket of 20 March could be either, and says so
	text = (folder / "agreements.csv").read_text().replace("2026-03-01,,Draft", "2026-03-16,,Active")
	(folder / "agreements.csv").write_text(text)
	(folder / "targets.csv").write_text((folder / "targets.csv").read_text().replace("SLA-2026-0002-V1,T1,Online Banking", "SLA-2026-0002-V1,T1,Mail"))
	(folder / "agreement_services.csv").write_text("agreement,service\nSLA-2026-0002-V1,Online Banking\nSLA-2026-0002-V1,Mail\n")
	append(folder / "tickets.csv", "INC-9,,Online Banking,ACME Bank,High,2026-03-20 09:00,2026-03-20 09:30,")
	code, out = compute(folder)
	assert code == 0
	err = capsys.readouterr().err
	assert "tickets row 10: service Online Banking of customer ACME Bank is covered by several agreements on 2026-03-20: SLA-2026-0001, SLA-2026-0002; give the agreement" in err
	assert "tickets row 3" not in err
	r = by_target(read(out, "monitoring"))
	assert r["SLA-2026-0001-V1", "T1"]["sample_count"] == "5"  # INC-2 counted where it belongs
