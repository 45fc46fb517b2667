"""The rules every caller shares: which versions are in force and until when, months as text, instants
between the core and the places that store them, and the directory's rule for matching tickets."""

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from slm_app.core import agreements as ag
from slm_app.core import instants, periods
from slm_app.core.agreements import VERSION_COLUMNS
from slm_app.core.directory import BadValue, build_directory
from slm_app.core.errors import RuleError

# ------------------------------------------------------------------------------------------ in force


def test_a_version_is_in_force_until_the_earlier_of_valid_to_and_ended_on():
	assert ag.in_force_until(date(2026, 12, 31), None) == date(2026, 12, 31)
	assert ag.in_force_until(date(2026, 12, 31), date(2026, 3, 15)) == date(2026, 3, 15)  # terminated
	assert ag.in_force_until(None, "2026-03-15") == date(2026, 3, 15)
	assert ag.in_force_until(None, None) is None
	assert ag.in_force_until(pd.NaT, float("nan")) is None


@pytest.mark.parametrize(
	"state, valid_to, ended_on, expected",
	[
		("Active", None, None, True),
		("Terminated", date(2026, 12, 31), date(2026, 2, 27), False),  # ended before March
		("Terminated", date(2026, 12, 31), date(2026, 3, 1), True),  # in force on 1 March
		("Superseded", date(2026, 2, 28), date(2026, 2, 28), False),
		("Signed", None, None, False),  # signed is not yet in force
		("Negotiating", None, None, False),
		("Expired", date(2026, 3, 31), date(2026, 3, 31), True),
	],
)
def test_in_force_between(state, valid_to, ended_on, expected):
	assert ag.in_force_between(state, date(2026, 1, 1), valid_to, ended_on, date(2026, 3, 1), date(2026, 3, 31)) is expected


def test_months_in_force_stop_at_the_day_it_ended_or_the_day_given():
	assert ag.months_in_force("2026-01-15", "2026-12-31", "2026-03-10", date(2026, 12, 1)) == [(2026, 1), (2026, 2), (2026, 3)]
	assert ag.months_in_force("2026-11-01", None, None, date(2026, 12, 1)) == [(2026, 11), (2026, 12)]
	assert ag.months_in_force(None, None, None, date(2026, 12, 1)) == []


def test_in_force_frame_keeps_the_versions_in_force_with_their_last_day():
	v = pd.DataFrame(
		[
			("A-V1", "A", 1, "SLA", "P", "c", date(2026, 1, 1), date(2026, 12, 31), date(2026, 3, 15), "Terminated"),
			("B-V1", "B", 1, "SLA", "P", "c", date(2026, 1, 1), None, None, "Draft"),
			("C-V1", "C", 1, "SLA", "P", "c", date(2026, 1, 1), date(2026, 2, 28), None, "Superseded"),
			("D-V1", "D", 1, "SLA", "P", "c", date(2026, 4, 1), None, None, "Active"),
		],
		columns=VERSION_COLUMNS,
	)
	assert list(ag.in_force_frame(v)["agreement"]) == ["A-V1", "C-V1", "D-V1"]
	march = ag.in_force_frame(v, date(2026, 3, 1), date(2026, 4, 1))
	assert list(march["agreement"]) == ["A-V1"]
	assert march["valid_to"].iloc[0] == date(2026, 3, 15)


# ------------------------------------------------------------------------------------------ months


def test_months_are_parsed_once_for_every_caller():
	assert periods.parse_month("2026-03") == (2026, 3)
	assert periods.parse_month(" 2026-3 ") == (2026, 3)
	assert periods.period_key(2026, 3) == "2026-03"
	assert periods.parse_months("2025-11..2026-02") == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]
	assert periods.parse_months("2026-05") == [(2026, 5)]
	for bad in ("2026-13", "March", "", None, "2026-03-01"):
		with pytest.raises(RuleError) as e:
			periods.parse_month(bad)
		assert e.value.problems[0].message == "Month must look like 2026-03, not {0}"
	with pytest.raises(RuleError) as e:
		periods.parse_month("May", label="From Month", field="from_month")
	assert e.value.format() == "From Month must look like 2026-03, not May"
	with pytest.raises(RuleError) as e:
		periods.parse_months("2026-06..2026-01")
	assert "ends before it starts" in e.value.format()


# ------------------------------------------------------------------------------------------ instants


def test_site_times_are_read_as_local_instant_reads_them():
	# 02:30 on 29 March does not exist in Berlin (the first instant after the gap, 03:00 CEST); 02:30 on
	# 25 October occurs twice (the first, CEST)
	ns = instants.naive_to_ns(["2026-03-29 02:30", None, "", datetime(2026, 10, 25, 2, 30), "2026-01-05 10:00:00.5"], "Europe/Berlin")
	assert instants.iso_utc_array(ns).tolist() == ["2026-03-29T01:00:00Z", "", "", "2026-10-25T00:30:00Z", "2026-01-05T09:00:00.500000Z"]
	assert instants.ns_to_naive(ns[0], "Europe/Berlin") == datetime(2026, 3, 29, 3, 0)
	assert instants.ns_to_naive(instants.NAT, "UTC") is None and instants.ns_to_naive(instants.OPEN_END, "UTC") is None
	assert instants.iso_utc(instants.OPEN_END) == "" and instants.iso_utc(None) == ""
	assert instants.utc_offset(datetime(2026, 10, 25, 2, 30), "Europe/Berlin") == "+02:00"
	assert instants.utc_offset(datetime(2026, 1, 1), "America/New_York") == "-05:00"
	assert instants.naive_to_aware(datetime(2026, 1, 1, 8), "Asia/Shanghai") == datetime.fromisoformat("2026-01-01T00:00:00+00:00")
	assert instants.naive_to_ns([], "UTC").dtype == np.int64


# ------------------------------------------------------------------------------------------ the directory


def versions(*rows):
	return pd.DataFrame(rows, columns=VERSION_COLUMNS)


def read(value, tz):
	return int(pd.Timestamp(value).tz_localize(tz).value)


DIRECTORY = build_directory(
	versions(
		("SLA-1-V1", "SLA-1", 1, "SLA", "ACME", "cn", date(2026, 1, 1), date(2026, 12, 31), None, "Active"),
		("SLA-1-V2", "SLA-1", 2, "SLA", "ACME", "cn", date(2026, 6, 1), None, None, "Negotiating"),
		("SLA-2-V1", "SLA-2", 1, "SLA", "ACME", "cn", date(2026, 3, 16), date(2026, 12, 31), date(2026, 3, 25), "Terminated"),
		("SLA-3-V1", "SLA-3", 1, "SLA", "ACME", "de", date(2026, 1, 1), None, None, "Signed"),
		("OLA-1-V1", "OLA-1", 1, "OLA", "Team", "de", date(2026, 1, 1), None, None, "Active"),
		("SLA-9-V1", "SLA-9", 1, "SLA", "ACME", "cn", date(2026, 1, 1), None, None, "Draft"),
	),
	pd.DataFrame(
		[("SLA-1-V1", "T1", "Banking"), ("SLA-2-V1", "T1", "Network"), ("SLA-3-V1", "T1", "Mail"), ("OLA-1-V1", "T1", "Banking")],
		columns=["agreement", "target_code", "service"],
	),
	pd.DataFrame([("SLA-2-V1", "Banking"), ("SLA-9-V1", "Banking")], columns=["agreement", "service"]),
	{"cn": "Asia/Shanghai", "de": "Europe/Berlin"},
)


def match(service, customer, created):
	return DIRECTORY.ticket_agreement(service, customer, created, 7, read)


def test_a_ticket_of_a_service_one_agreement_covers_is_that_agreements():
	assert match("Mail", "ACME", "2026-03-10 09:00") == ("SLA-3", "Europe/Berlin")  # signed counts


def test_a_service_in_a_service_list_counts_like_one_with_a_target():
	# Banking: SLA-1 by its target, SLA-2 by its service list (SLA-9 is a draft: never)
	assert match("Banking", "ACME", "2026-03-10 09:00") == ("SLA-1", "Asia/Shanghai")  # SLA-2 starts on the 16th
	assert match("Banking", "ACME", "2026-03-27 09:00") == ("SLA-1", "Asia/Shanghai")  # SLA-2 ended on the 25th
	with pytest.raises(BadValue) as e:
		match("Banking", "ACME", "2026-03-20 09:00")
	assert e.value.problem.format() == (
		"Row 7: service Banking of customer ACME is covered by several agreements on 2026-03-20: SLA-1, SLA-2; give the agreement"
	)


def test_a_ticket_no_agreement_was_in_force_for_says_so():
	d = build_directory(
		versions(
			("SLA-1-V1", "SLA-1", 1, "SLA", "ACME", "cn", date(2026, 1, 1), date(2026, 2, 28), None, "Expired"),
			("SLA-2-V1", "SLA-2", 1, "SLA", "ACME", "cn", date(2026, 4, 1), None, None, "Active"),
		),
		pd.DataFrame([("SLA-1-V1", "T1", "Banking"), ("SLA-2-V1", "T1", "Banking")], columns=["agreement", "target_code", "service"]),
		calendar_zones={"cn": "Asia/Shanghai"},
	)
	with pytest.raises(BadValue) as e:
		d.ticket_agreement("Banking", "ACME", "2026-03-10 09:00", 2, read)
	assert e.value.problem.format() == (
		"Row 2: none of the agreements for service Banking and customer ACME (SLA-1, SLA-2) was in force on 2026-03-10; give the agreement"
	)
	with pytest.raises(BadValue) as e:
		d.ticket_agreement("Mail", "ACME", "2026-03-10 09:00", 2, read)
	assert "no agreement found for service Mail and customer ACME" in e.value.problem.format()


def test_the_customer_alone_matches_among_all_its_slas():
	with pytest.raises(BadValue):
		match("", "ACME", "2026-03-20 09:00")  # SLA-1, SLA-2 and SLA-3 are all in force
	d = build_directory(
		versions(("SLA-1-V1", "SLA-1", 1, "SLA", "ACME", "cn", date(2026, 1, 1), None, None, "Active")),
		pd.DataFrame([("SLA-1-V1", "T1", "Banking")], columns=["agreement", "target_code", "service"]),
		calendar_zones={"cn": "Asia/Shanghai"},
	)
	assert d.ticket_agreement(None, "ACME", "2026-03-20 09:00", 1, read) == ("SLA-1", "Asia/Shanghai")


def test_rows_naming_a_version_get_its_code_or_are_told_why_not():
	assert DIRECTORY.agreement("SLA-1-V1", 3) == ("SLA-1", "Asia/Shanghai")
	assert DIRECTORY.agreement("SLA-2", 3) == ("SLA-2", "Asia/Shanghai")
	with pytest.raises(BadValue) as e:
		DIRECTORY.agreement("SLA-1-V2", 3)
	assert e.value.problem.format() == "Row 3: agreement SLA-1-V2 is Negotiating; measurements are recorded for signed agreements and those in force"
	with pytest.raises(BadValue) as e:
		DIRECTORY.agreement("SLA-9", 3)
	assert "is Draft" in e.value.problem.format()
	with pytest.raises(BadValue) as e:
		DIRECTORY.agreement("NOPE", 3)
	assert e.value.problem.format() == "Row 3: unknown agreement NOPE"


def test_service_zones_and_data_a_site_stored():
	# Banking is covered by Shanghai and Berlin agreements: no zone to read a naive time in
	assert DIRECTORY.service_zone("Banking") is None
	assert DIRECTORY.service_zone("Network") == "Asia/Shanghai"
	stored = build_directory(
		versions(("SLA-1-V1", "SLA-1", 1, "SLA", "ACME", "cn", date(2026, 1, 1), None, None, "Active")),
		pd.DataFrame([("SLA-1-V1", "T1", "Banking")], columns=["agreement", "target_code", "service"]),
		calendar_zones={"cn": "Asia/Shanghai"},
		service_calendars={"Banking": "cn", "Mail": None},
		naive_in="UTC",
	)
	assert stored.agreement("SLA-1", 1) == ("SLA-1", "UTC")
	assert stored.service_zone("Mail") == "UTC" and set(stored.services) == {"Banking", "Mail"}
