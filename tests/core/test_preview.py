"""What-if before signing (core.preview): an amendment's tighter targets against two past months, by hand.

Calendar: Shanghai office hours, 8 business hours a weekday. February 2026 has 20 working days, March 22.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from slm_app.core import calendar as cal
from slm_app.core import preview as p
from slm_app.core.compliance import NAT, Measurements

SH = ZoneInfo("Asia/Shanghai")
WINDOWS = [
	{"weekday": d, "start_time": s, "end_time": e}
	for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
	for s, e in (("09:00", "12:00"), ("13:00", "18:00"))
]
CALS = {"std": cal.build_calendar("Asia/Shanghai", WINDOWS, [])}


def ns(*args) -> int:
	return int(pd.Timestamp(datetime(*args, tzinfo=SH)).value)


def measurements(code="SLA-1"):
	rows = []
	for i, day in enumerate(range(2, 12)):  # February: ten tickets resolved within the hour (2nd to 11th)
		if datetime(2026, 2, day).weekday() < 5:
			rows.append((f"F-{i}", ns(2026, 2, day, 9), ns(2026, 2, day, 10)))
	for i, day in enumerate((2, 3, 4, 5, 6, 9, 10, 11, 12, 13)):  # March: ten within the hour, two in 6 h
		rows.append((f"M-{i}", ns(2026, 3, day, 9), ns(2026, 3, day, 10)))
	rows += [("M-SLOW-1", ns(2026, 3, 16, 9), ns(2026, 3, 16, 16)), ("M-SLOW-2", ns(2026, 3, 17, 9), ns(2026, 3, 17, 16))]
	tickets = pd.DataFrame([{"ticket_id": t, "agreement_code": code, "priority": "High", "created_ns": c, "response_ns": NAT, "resolved_ns": r} for t, c, r in rows])
	return Measurements(
		tickets,
		pd.DataFrame(columns=["ticket_id", "start_ns", "end_ns"]),
		pd.DataFrame([("Banking", ns(2026, 3, 18, 10), ns(2026, 3, 18, 12), False)], columns=["service", "start_ns", "end_ns", "planned"]),
		pd.DataFrame({"service": ["Banking"], "start_ns": [ns(2026, 2, 1)], "end_ns": [ns(2026, 4, 1)]}),
		pd.DataFrame(columns=["agreement_code", "target_code", "at_ns", "value"]),
	)


DRAFT = {"agreement": "SLA-1-V2", "agreement_code": "SLA-1", "version": 2, "agreement_type": "SLA", "party": "ACME", "calendar": "std"}
DRAFT_TARGETS = pd.DataFrame(
	[
		{"agreement": "SLA-1-V2", "target_code": "T2", "service": "Banking", "metric_kind": "Resolution Time", "priority": "High", "target_value": 4, "time_unit": "Hours", "compliance_share": 90},
		{"agreement": "SLA-1-V2", "target_code": "T3", "service": "Banking", "metric_kind": "Availability", "priority": "", "target_value": 99.9, "time_unit": "", "compliance_share": 100},
		{"agreement": "SLA-1-V2", "target_code": "T5", "service": "Banking", "metric_kind": "Response Time", "priority": "High", "target_value": 30, "time_unit": "Minutes", "compliance_share": 90},
	]
)
WAS_TARGETS = pd.DataFrame(
	[
		{"agreement": "SLA-1-V1", "target_code": "T2", "service": "Banking", "metric_kind": "Resolution Time", "priority": "High", "target_value": 8, "time_unit": "Hours", "compliance_share": 90},
		{"agreement": "SLA-1-V1", "target_code": "T3", "service": "Banking", "metric_kind": "Availability", "priority": "", "target_value": 99.5, "time_unit": "", "compliance_share": 100},
	]
)
ACTUAL = pd.DataFrame(
	[
		("2026-02", "SLA-1-V1", "T2", "Banking", "Resolution Time", "", "High", 100.0, "Met", 8),
		("2026-02", "SLA-1-V1", "T3", "Banking", "Availability", "", "", 100.0, "Met", 99.5),
		("2026-03", "SLA-1-V1", "T2", "Banking", "Resolution Time", "", "High", 100.0, "Met", 8),
		("2026-03", "SLA-1-V1", "T3", "Banking", "Availability", "", "", 100 - 120 / (176 * 60) * 100, "Met", 99.5),
	],
	columns=p.ACTUAL_COLUMNS,
)


def test_an_amendment_against_two_months():
	out = p.preview(DRAFT, DRAFT_TARGETS, CALS, measurements(), [(2026, 2), (2026, 3)], ACTUAL, WAS_TARGETS)
	rows = {(r["period"], r["target_code"]): r for r in out.to_dict("records")}
	# February: every ticket within the hour; no downtime
	assert (rows[("2026-02", "T2")]["would_result"], rows[("2026-02", "T2")]["would_value"], rows[("2026-02", "T2")]["changed"]) == ("Met", 100.0, False)
	assert rows[("2026-02", "T3")]["would_result"] == "Met"
	# March: the two 7-hour tickets miss 4 h: 10 of 12 = 83.3 % < 90 %, where 8 h was met
	march = rows[("2026-03", "T2")]
	assert (march["would_result"], march["would_sample"], march["was_result"], march["changed"]) == ("Breached", 12, "Met", True)
	assert march["would_value"] == pytest.approx(10 / 12 * 100)
	assert march["target"] == "Resolution Time ≤ 4 h (90 %) P: High" and march["was_target"] == "Resolution Time ≤ 8 h (90 %) P: High"
	# two hours down of 176: 99.886 %, under the draft's 99.9 but over the 99.5 in force
	avail = rows[("2026-03", "T3")]
	assert avail["would_value"] == pytest.approx(100 - 120 / (176 * 60) * 100)
	assert (avail["would_result"], avail["was_result"], avail["changed"]) == ("Breached", "Met", True)
	# a new target has nothing to compare with (its tickets were never answered: missed, as the month counts them)
	new = rows[("2026-03", "T5")]
	assert (new["was_result"], new["would_result"], new["would_value"], new["changed"]) == (None, "Breached", 0.0, False)


def test_a_new_draft_uses_the_counterpartys_measurements_of_other_codes():
	m = p.rekey(measurements("SLA-OLD"), {"SLA-OLD": "SLA-9"})
	assert set(m.tickets["agreement_code"]) == {"SLA-9"}
	draft = {**DRAFT, "agreement": "SLA-9-V1", "agreement_code": "SLA-9", "version": 1}
	targets = DRAFT_TARGETS.assign(agreement="SLA-9-V1", target_code=["T1", "T2", "T3"])
	out = p.preview(draft, targets, CALS, m, [(2026, 3)], ACTUAL, WAS_TARGETS)
	rows = {r["target_code"]: r for r in out.to_dict("records")}
	# the codes differ: matched by service, kind and priority
	assert (rows["T1"]["was_target_code"], rows["T1"]["would_result"], rows["T1"]["was_result"]) == ("T2", "Breached", "Met")
	assert rows["T2"]["was_target_code"] == "T3"
	# other codes' tickets are left out
	assert p.rekey(measurements("SLA-OTHER"), {"SLA-OLD": "SLA-9"}).tickets.empty
