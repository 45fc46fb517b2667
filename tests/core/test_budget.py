"""Month-to-date budgets and projections (core.budget), on a month worked out by hand.

The calendar is Shanghai office hours, Monday to Friday 09:00-12:00 and 13:00-18:00 (8 business hours a
day). March 2026 starts on a Sunday: it has 22 working days, 176 business hours. At ``AS_OF`` (midnight
after Tuesday the 10th) 7 working days are gone (56 h) and 15 are left (120 h).
"""

import math
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slm_app.core import at_risk
from slm_app.core import budget as b
from slm_app.core import calendar as cal
from slm_app.core.compliance import NAT, Measurements
from slm_app.core.instants import OPEN_END
from slm_app.core.month import MonthInput

SH = ZoneInfo("Asia/Shanghai")
WINDOWS = [
	{"weekday": d, "start_time": s, "end_time": e}
	for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
	for s, e in (("09:00", "12:00"), ("13:00", "18:00"))
]
CALS = {"std": cal.build_calendar("Asia/Shanghai", WINDOWS, [])}
AS_OF = datetime(2026, 3, 11, 0, 0, tzinfo=SH)


def ns(*args) -> int:
	return int(pd.Timestamp(datetime(*args, tzinfo=SH)).value)


VERSIONS = pd.DataFrame(
	[
		{
			"agreement": "SLA-1-V1", "agreement_code": "SLA-1", "version": 1, "agreement_type": "SLA", "party": "ACME",
			"calendar": "std", "valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "ended_on": None, "state": "Active",
		}
	]
)


def target(code, kind, value, **kw):
	row = {"agreement": "SLA-1-V1", "target_code": code, "service": "Banking", "metric_kind": kind, "metric_name": "", "unit": "",
		"direction": "", "priority": "", "target_value": value, "time_unit": "", "compliance_share": 100}
	row.update(kw)
	return row


TARGETS = pd.DataFrame(
	[
		target("T1", "Response Time", 1, priority="High", time_unit="Hours", compliance_share=90),
		target("T2", "Resolution Time", 8, priority="High", time_unit="Hours", compliance_share=90),
		target("T3", "Availability", 99.0),
		target("T4", "Custom Metric", 4.5, metric_name="CSAT", unit="points", direction="Higher is better"),
	]
)


def tickets():
	rows = []
	# ten resolved within an hour of business time, answered in 15 minutes
	for i, day in enumerate((2, 2, 3, 3, 4, 5, 5, 6, 9, 10)):
		rows.append((f"OK-{i}", ns(2026, 3, day, 9), ns(2026, 3, day, 9, 15), ns(2026, 3, day, 10)))
	rows.append(("MISS", ns(2026, 3, 3, 9), ns(2026, 3, 3, 9, 30), ns(2026, 3, 4, 18)))  # 16 h: missed
	rows.append(("LATE", ns(2026, 3, 9, 9), ns(2026, 3, 9, 9, 30), NAT))  # open: 16 h at AS_OF, late
	rows.append(("PENDING", ns(2026, 3, 10, 14), ns(2026, 3, 10, 14, 10), NAT))  # open: 4 h, pending
	rows.append(("LATER", ns(2026, 3, 12, 9), NAT, NAT))  # created after AS_OF: not known yet
	# resolved after AS_OF: at AS_OF it was open (5 h + 8 h counted: late)
	rows.append(("RESOLVED-LATER", ns(2026, 3, 9, 13), ns(2026, 3, 9, 13, 5), ns(2026, 3, 11, 9, 30)))
	return pd.DataFrame(
		[{"ticket_id": t, "agreement_code": "SLA-1", "priority": "High", "created_ns": c, "response_ns": r, "resolved_ns": s, "raised_by": ""} for t, c, r, s in rows]
	)


def measurements(outages=(), history_metric=()):
	return Measurements(
		tickets(),
		pd.DataFrame({"ticket_id": ["PENDING"], "start_ns": [ns(2026, 3, 10, 15)], "end_ns": [ns(2026, 3, 11, 10)]}),
		pd.DataFrame(list(outages), columns=["service", "start_ns", "end_ns", "planned"]),
		pd.DataFrame({"service": ["Banking"], "start_ns": [ns(2026, 3, 1)], "end_ns": [ns(2026, 4, 1)]}),
		pd.DataFrame({"agreement_code": ["SLA-1", "SLA-1"], "target_code": ["T4", "T4"], "at_ns": [ns(2026, 3, 5, 10), ns(2026, 3, 20, 10)], "value": [4.0, 5.0]}),
	)


def month_input(m=None):
	return MonthInput(2026, 3, VERSIONS, TARGETS, CALS, m or measurements())


def rows(result):
	return {r["target_code"]: r for r in result.status.to_dict("records")}


def test_censor_keeps_only_what_was_known():
	m = b.censor(measurements(), int(pd.Timestamp(AS_OF).value))
	assert "LATER" not in set(m.tickets["ticket_id"])
	later = m.tickets.set_index("ticket_id").loc["RESOLVED-LATER"]
	assert later["resolved_ns"] == NAT and later["response_ns"] == ns(2026, 3, 9, 13, 5)
	# the pause running at AS_OF is still running
	assert list(m.pauses["end_ns"]) == [OPEN_END]
	assert list(m.metrics["value"]) == [4.0]
	assert list(m.coverage["end_ns"]) == [int(pd.Timestamp(AS_OF).value)]


def poisson_cdf(k, lam):
	term, total = math.exp(-lam), math.exp(-lam)
	for i in range(1, k + 1):
		term *= lam / i
		total += term
	return total


# Kaplan-Meier over T2's 14 tickets at AS_OF: 10 resolved at 1 h (14 at risk: S = 4/14 after them), PENDING
# censored at 1 h, RESOLVED-LATER (13 h) and LATE (16 h) censored, MISS resolved at 16 h. A ticket is still
# open after the 8 h limit with q = S(8 h) = 4/14.
Q = 4 / 14
# what the month will count by its end (120 business hours left, the limit 8 h): a ticket still to come
# counts unless it is open at the end before its limit, the share S(d) of those created d before the end
# (d up to 8 h, the mean of S over a 12-point grid: S = 1 at 20 min, 4/14 from 1 h on)
COUNTED = 1 - (1 + 11 * Q) / 12 * 8 / 120
LATE_SHARE = (120 - 8) / 120  # only those created more than 8 h before the end can miss by then


def test_resolution_budget_without_history():
	r = rows(b.month_to_date(month_input(), AS_OF))["T2"]
	# counted: 10 met, MISS (16 h), LATE (16 h open) and RESOLVED-LATER (5 h + 8 h = 13 h open at AS_OF)
	assert (r["sample_count"], r["met_count"], r["missed_count"], r["pending_count"]) == (13, 10, 3, 1)
	assert r["elapsed_pct"] == pytest.approx(56 / 176 * 100)
	assert r["business_left_s"] == 120 * 3600
	# this month's pace: 14 tickets in 56 h, so 30 more in the 120 h left; PENDING will be late by the end
	# if not resolved, so it counts; 13 + 1 + 30 * COUNTED = 43.3 expected, 4 may miss
	assert r["expected_count"] == pytest.approx(14 + 30 * COUNTED)
	assert (r["budget_total"], r["budget_used"], r["budget_left"]) == (4, 3, 1)
	assert r["used_pct"] == pytest.approx(75.0)
	# no history: the prior is all resolution targets of the month (this one), so the rate is q itself
	assert r["miss_rate"] == pytest.approx(Q * 100)
	# PENDING, open 1 h, misses with q / S(1 h) = 1; the 30 to come at q, for the share that can be late
	mean = 1 + Q * 30 * LATE_SHARE
	assert mean == pytest.approx(9.0)
	assert r["breach_chance"] == pytest.approx((1 - poisson_cdf(1, mean)) * 100)
	# the projection is the median of the misses to come (9): 12 of 43.3
	assert poisson_cdf(8, mean) < 0.5 <= poisson_cdf(9, mean)
	assert r["projected_value"] == pytest.approx((14 + 30 * COUNTED - 12) / (14 + 30 * COUNTED) * 100)
	assert (r["projected_result"], r["status"], r["basis"]) == ("Breached", "At Risk", "month")
	assert r["burn_rate"] == pytest.approx(75.0 / (56 / 176 * 100))
	assert b.budget_text(r) == "1 more High resolutions may miss 8 h this month (3 of 4 used; 14 tickets so far, about 43 expected)"


def test_resolution_budget_with_history():
	# February 2026: 20 working days, 160 business hours, 40 tickets of which one missed
	history = pd.DataFrame(
		[{"agreement_code": "SLA-1", "target_code": "T2", "period": "2026-02", "metric_kind": "Resolution Time", "sample_count": 40, "met_count": 39, "measured_value": 97.5, "result": "Met"}]
	)
	r = rows(b.month_to_date(month_input(), AS_OF, history))["T2"]
	# the usual volume: 40 tickets per 160 h, 30 in the 120 h left
	assert r["expected_count"] == pytest.approx(14 + 30 * COUNTED)
	assert r["budget_total"] == 4 and r["history_months"] == 1 and r["basis"] == "history"
	# this month's q (over the 13 tickets whose outcome is known) weighted with February's 1/40 (20 tickets)
	rate = (13 * Q + 20 * (1 / 40)) / (13 + 20)
	assert r["miss_rate"] == pytest.approx(rate * 100)
	# PENDING: rate / S(1 h); the 30 to come: rate each, for the share that can be late
	mean = min(rate / Q, 1) + rate * 30 * LATE_SHARE
	assert r["breach_chance"] == pytest.approx((1 - poisson_cdf(1, mean)) * 100)
	assert poisson_cdf(3, mean) < 0.5 <= poisson_cdf(4, mean)
	expected = 14 + 30 * COUNTED
	assert r["projected_value"] == pytest.approx((expected - 7) / expected * 100)
	assert r["status"] == "At Risk"


def test_breach_chance_is_poisson():
	chance, median = b.breach_chance(np.array([0, 2, -1, 5, 100]), np.array([0.5, 2.0, 1.0, 0.0, 120.0]))
	assert chance[0] == pytest.approx(1 - math.exp(-0.5)) and median[0] == 0
	assert chance[1] == pytest.approx(1 - poisson_cdf(2, 2.0)) and median[1] == 2
	assert chance[2] == 1.0  # over budget already
	assert chance[3] == 0.0 and median[3] == 0
	# a large mean: the normal approximation, 100.5 is 1.78 standard deviations under 120
	assert chance[4] == pytest.approx(0.9625, abs=0.002) and median[4] == 120


def test_a_budget_used_up_is_breached_already():
	m = measurements()
	extra = pd.DataFrame(
		[{"ticket_id": f"MISS-{i}", "agreement_code": "SLA-1", "priority": "High", "created_ns": ns(2026, 3, 2, 9), "response_ns": ns(2026, 3, 2, 9, 5), "resolved_ns": ns(2026, 3, 4, 9), "raised_by": ""} for i in range(3)]
	)
	m = replace(m, tickets=pd.concat([m.tickets, extra], ignore_index=True))
	r = rows(b.month_to_date(month_input(m), AS_OF))["T2"]
	# 17 tickets in 56 h, 36.4 more to come (of which the share COUNTED counts): 52 expected, 5 allowed; 6 missed
	assert (r["budget_total"], r["budget_used"], r["budget_left"]) == (5, 6, -1)
	assert (r["status"], r["projected_result"]) == ("Breached", "Breached")
	assert b.budget_text(r).startswith("1 more High resolutions missed 8 h than the month allows")


def test_response_target_and_open_pairs():
	result = b.month_to_date(month_input(), AS_OF)
	r = rows(result)["T1"]
	# every known ticket was answered within 30 minutes: all met, nothing pending
	assert (r["sample_count"], r["met_count"], r["pending_count"], r["status"]) == (14, 14, 0, "On Track")
	pairs = result.pairs.set_index("ticket_id")
	assert set(pairs.index) == {"LATE", "PENDING", "RESOLVED-LATER"}
	late = pairs.loc["LATE"]
	assert (late["elapsed_s"], late["limit_s"], late["left_s"], bool(late["late"])) == (16 * 3600, 8 * 3600, -8 * 3600, True)
	assert late["deadline_ns"] == ns(2026, 3, 9, 18)
	pending = pairs.loc["PENDING"]
	# created 14:00 on the 10th, paused from 15:00 (still paused at AS_OF): 1 h counted; resumed now, the
	# remaining 7 h run from Wednesday 09:00 to 17:00
	assert (pending["elapsed_s"], bool(pending["paused"]), bool(pending["late"])) == (3600, True, False)
	assert pending["deadline_ns"] == ns(2026, 3, 11, 17)
	# most urgent first
	assert list(result.pairs["ticket_id"]) == ["LATE", "RESOLVED-LATER", "PENDING"]
	near = at_risk.at_risk(result.pairs, near_pct=75)
	assert list(near["ticket_id"]) == ["LATE", "RESOLVED-LATER"]


def test_availability_budget_in_minutes():
	outages = [("Banking", ns(2026, 3, 4, 10), ns(2026, 3, 4, 11), False), ("Banking", ns(2026, 3, 5, 9), ns(2026, 3, 5, 10), True)]
	r = rows(b.month_to_date(month_input(measurements(outages)), AS_OF))["T3"]
	# base so far: 56 h less the planned hour = 3,300 min; 7,200 min left: 10,500 min, 1 % = 105 allowed
	assert r["budget_unit"] == "Minutes"
	assert (r["budget_total"], r["budget_used"], r["budget_left"]) == pytest.approx((105.0, 60.0, 45.0))
	assert r["used_pct"] == pytest.approx(60 / 105 * 100)
	# no history: outages come at this month's rate (one in the 56 business hours gone: 120/56 expected in
	# the 120 left), each as long as this one (60 min); one more uses the 45 minutes left up
	coming = 120 / 56
	assert (r["expected_count"], r["miss_rate"]) == (pytest.approx(coming), pytest.approx(60.0))
	assert r["breach_chance"] == pytest.approx((1 - math.exp(-coming)) * 100)
	# the median of Poisson(2.14) is 2: 60 + 2 * 60 minutes projected
	assert poisson_cdf(1, coming) < 0.5 <= poisson_cdf(2, coming)
	assert r["projected_value"] == pytest.approx((10500 - 180) / 10500 * 100)
	assert r["status"] == "At Risk"
	assert b.budget_text(r) == "Availability: 45 of 105 minutes of downtime left (60 used)"
	# February had no downtime: no outage expected, on track
	history = pd.DataFrame([{"agreement_code": "SLA-1", "target_code": "T3", "period": "2026-02", "metric_kind": "Availability", "sample_count": 1, "met_count": 1, "measured_value": 100.0, "result": "Met"}])
	r = rows(b.month_to_date(month_input(measurements(outages)), AS_OF, history))["T3"]
	assert r["projected_value"] == pytest.approx((10500 - 60) / 10500 * 100) and r["status"] == "On Track"


def test_availability_over_budget_is_breached():
	outages = [("Banking", ns(2026, 3, 2, 9), ns(2026, 3, 2, 12), False)]  # 180 min down, 105.6 allowed
	r = rows(b.month_to_date(month_input(measurements(outages)), AS_OF))["T3"]
	assert r["budget_total"] == pytest.approx(105.6) and r["budget_left"] == pytest.approx(-74.4)
	assert r["status"] == "Breached"
	assert b.budget_text(r) == "Availability: 74.4 minutes of downtime over the 105.6 allowed (180 used)"


def test_named_metric_mean_so_far():
	r = rows(b.month_to_date(month_input(), AS_OF))["T4"]
	# only the value of the 5th was known: 4.0 against ≥ 4.5
	assert (r["measured_value"], r["projected_value"], r["status"], r["budget_unit"]) == (4.0, 4.0, "At Risk", "")
	assert b.budget_text(r) == "CSAT: mean so far 4 points against ≥ 4.5 points"


def test_no_tickets_no_data():
	m = replace(measurements(), tickets=tickets().iloc[0:0], pauses=pd.DataFrame(columns=["ticket_id", "start_ns", "end_ns"]))
	r = rows(b.month_to_date(month_input(m), AS_OF))["T2"]
	assert r["status"] == "No Data" and np.isnan(r["used_pct"])
	assert b.budget_text(r) == "No tickets so far and none expected this month"


# ---------------------------------------------------------------------------------------------------
# the open pairs count tickets exactly as the month pipeline does


@settings(max_examples=40, deadline=None)
@given(
	data=st.lists(
		st.tuples(
			st.integers(0, 31 * 24 * 60 - 1),  # created, minutes into March
			st.sampled_from(["High", "Low", ""]),
			st.one_of(st.none(), st.integers(0, 5 * 24 * 60)),  # response after
			st.one_of(st.none(), st.integers(0, 12 * 24 * 60)),  # resolution after
			st.one_of(st.none(), st.tuples(st.integers(0, 3 * 24 * 60), st.integers(1, 3 * 24 * 60))),  # a pause
		),
		min_size=1,
		max_size=25,
	),
	as_of_minute=st.integers(1, 31 * 24 * 60),
)
def test_open_pairs_count_as_the_pipeline_counts(data, as_of_minute):
	start = datetime(2026, 3, 1, tzinfo=SH)
	at = lambda minutes: int(pd.Timestamp(start + timedelta(minutes=minutes)).value)  # noqa: E731
	tickets, pauses = [], []
	for i, (created, prio, resp, res, pause) in enumerate(data):
		tickets.append({"ticket_id": f"T{i}", "agreement_code": "SLA-1", "priority": prio, "created_ns": at(created), "response_ns": NAT if resp is None else at(created + resp), "resolved_ns": NAT if res is None else at(created + res), "raised_by": ""})
		if pause:
			pauses.append({"ticket_id": f"T{i}", "start_ns": at(created + pause[0]), "end_ns": at(created + pause[0] + pause[1])})
	targets = pd.concat([TARGETS, pd.DataFrame([target("T5", "Resolution Time", 30, time_unit="Minutes", compliance_share=80)])], ignore_index=True)
	m = Measurements(pd.DataFrame(tickets), pd.DataFrame(pauses, columns=["ticket_id", "start_ns", "end_ns"]), measurements().outages, measurements().coverage, measurements().metrics)
	as_of = start + timedelta(minutes=as_of_minute)
	result = b.month_to_date(MonthInput(2026, 3, VERSIONS, targets, CALS, m), as_of)
	known = b.censor(m, int(pd.Timestamp(as_of).value))
	pairs = at_risk.ticket_pairs(result.month.targets, CALS, known, 2026, 3, as_of)
	for r in result.status.to_dict("records"):
		if r["metric_kind"] not in ("Response Time", "Resolution Time"):
			continue
		mine = pairs[(pairs["agreement"] == r["agreement"]) & (pairs["target_code"] == r["target_code"])]
		done, late = mine["done"].to_numpy(dtype=bool), mine["late"].to_numpy(dtype=bool)
		assert int((done | late).sum()) == r["sample_count"]
		assert int((done & ~late).sum()) == r["met_count"]
		assert int((~done & ~late).sum()) == r["pending_count"]
	assert set(result.pairs["ticket_id"]) <= {t["ticket_id"] for t in tickets}
	assert not result.pairs["done"].any()


def test_backtest_against_the_final_month():
	from slm_app.core import backtest as bt

	# February as history (ten tickets, all met), March as above
	feb = pd.DataFrame(
		[{"ticket_id": f"F{i}", "agreement_code": "SLA-1", "priority": "High", "created_ns": ns(2026, 2, 2 + i, 9), "response_ns": ns(2026, 2, 2 + i, 9, 5), "resolved_ns": ns(2026, 2, 2 + i, 10), "raised_by": ""} for i in range(10)]
	)
	m = measurements()
	m = replace(m, tickets=pd.concat([feb, m.tickets], ignore_index=True))
	inputs = [MonthInput(2026, 2, VERSIONS, TARGETS, CALS, m), MonthInput(2026, 3, VERSIONS, TARGETS, CALS, m)]
	frame = bt.backtest(inputs, days=(10, 20), tz="Asia/Shanghai")
	march = frame[(frame["period"] == "2026-03") & (frame["target_code"] == "T2")].set_index("day")
	# March ends with 5 misses of 15 (the open ones never resolved): breached. On the 10th, February's
	# volume (10 tickets in 160 h: 7.5 more in the 120 h left) allows 2 misses of 21.5: 3 is over already
	assert list(march["actual"]) == ["Breached", "Breached"]
	assert list(march["status"]) == ["Breached", "Breached"] and march["right"].all()
	t1 = frame[(frame["period"] == "2026-03") & (frame["target_code"] == "T1")]
	assert list(t1["actual"]) == ["Met", "Met"] and t1["right"].all()  # only LATER was never answered: 14 of 15
	summary = bt.summary(frame)
	everything = summary[summary["metric_kind"] == "All"].set_index("day")
	assert list(everything["targets"]) == [int((frame["day"] == d).sum()) for d in (10, 20)]
	assert bt.day_end(2026, 3, 31, "Asia/Shanghai") == datetime(2026, 4, 1, tzinfo=SH)
