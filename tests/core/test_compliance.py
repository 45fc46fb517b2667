"""Monthly compliance: hand-computed month, and the vectorised engine against a per-ticket oracle."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from slm_app.core import calendar as cal
from slm_app.core import compliance as c

SH = ZoneInfo("Asia/Shanghai")
WINDOWS = [
	{"weekday": d, "start_time": s, "end_time": e}
	for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
	for s, e in (("09:00", "12:00"), ("13:00", "18:00"))
]
CAL = cal.build_calendar("Asia/Shanghai", WINDOWS, [])
CALS = {"std": CAL}


def ns(*args):
	return int(pd.Timestamp(datetime(*args, tzinfo=SH)).value)


def target(code, kind, value, **kw):
	row = {
		"agreement": "SLA-1-V1",
		"agreement_code": "SLA-1",
		"version": 1,
		"agreement_type": "SLA",
		"party": "ACME",
		"calendar": "std",
		"valid_from": date(2026, 1, 1),
		"valid_to": date(2026, 12, 31),
		"target_code": code,
		"service": "Banking",
		"metric_kind": kind,
		"metric_name": "",
		"unit": "",
		"direction": "",
		"priority": "",
		"target_value": value,
		"time_unit": "",
		"compliance_share": 100,
	}
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


def tickets(rows):
	return pd.DataFrame(rows, columns=["ticket_id", "agreement_code", "priority", "created_ns", "response_ns", "resolved_ns"])


def march():
	t = tickets(
		[
			("A", "SLA-1", "High", ns(2026, 3, 2, 9), ns(2026, 3, 2, 9, 30), ns(2026, 3, 2, 17)),
			("B", "SLA-1", "High", ns(2026, 3, 6, 17), ns(2026, 3, 9, 9, 30), ns(2026, 3, 9, 15)),
			("C", "SLA-1", "High", ns(2026, 3, 3, 9), ns(2026, 3, 3, 9, 10), ns(2026, 3, 4, 12)),
			("D", "SLA-1", "Low", ns(2026, 3, 3, 9), c.NAT, c.NAT),
			("E", "SLA-1", "High", ns(2026, 3, 30, 9), c.NAT, c.NAT),
			("F", "SLA-1", "High", ns(2026, 2, 27, 9), c.NAT, c.NAT),
			("G", "OTHER", "High", ns(2026, 3, 2, 9), c.NAT, c.NAT),
		]
	)
	pauses = pd.DataFrame([("C", ns(2026, 3, 3, 10), ns(2026, 3, 4, 10))], columns=["ticket_id", "start_ns", "end_ns"])
	outages = pd.DataFrame(
		[("Banking", ns(2026, 3, 11, 9), ns(2026, 3, 11, 11), True), ("Banking", ns(2026, 3, 12, 13), ns(2026, 3, 12, 15), False), ("Mail", ns(2026, 3, 12, 9), ns(2026, 3, 20, 9), False)],
		columns=["service", "start_ns", "end_ns", "planned"],
	)
	coverage = pd.DataFrame([("Banking", ns(2026, 1, 1), ns(2027, 1, 1))], columns=["service", "start_ns", "end_ns"])
	metrics = pd.DataFrame([("SLA-1", "T4", ns(2026, 3, 10), 4.0), ("SLA-1", "T4", ns(2026, 3, 20), 5.0), ("SLA-1", "T4", ns(2026, 4, 2), 1.0)], columns=["agreement_code", "target_code", "at_ns", "value"])
	return c.Measurements(t, pauses, outages, coverage, metrics)


def by_code(results):
	return {r.target_code: r for r in results.itertuples()}


def test_a_hand_computed_month():
	results, missed = c.evaluate(TARGETS, CALS, march(), 2026, 3, datetime(2026, 4, 1, tzinfo=SH))
	r = by_code(results)
	# response: A met, B 1.5 h (Fri 17–18 + Mon 9–9:30) missed, C met, E unanswered for two working days
	assert (r["T1"].sample_count, r["T1"].met_count, r["T1"].result) == (4, 2, c.BREACHED)
	assert r["T1"].measured_value == 50
	assert r["T1"].occurred_ns == ns(2026, 3, 6, 18)  # B's deadline, the first miss
	# resolution: C's pause removes the 8 business hours it covers, so 3 h; only E misses
	assert (r["T2"].sample_count, r["T2"].met_count, r["T2"].result) == (4, 3, c.BREACHED)
	assert r["T2"].occurred_ns == ns(2026, 3, 30, 18)
	# availability: 22 weekdays × 8 h = 176 h, 2 h planned, 2 h down: 172 / 174
	assert abs(r["T3"].measured_value - 172 / 174 * 100) < 1e-9
	assert r["T3"].result == c.BREACHED
	# 1 % of 174 h = 104.4 min of the 13:00 outage
	assert r["T3"].occurred_ns == ns(2026, 3, 12, 14, 44, 25)
	assert (r["T4"].measured_value, r["T4"].sample_count, r["T4"].result) == (4.5, 2, c.MET)
	assert sorted(missed[missed.target_code == "T1"].ticket_id) == ["B", "E"]
	assert list(missed[missed.target_code == "T2"].ticket_id) == ["E"]
	assert (results.period_start == date(2026, 3, 1)).all() and (results.period_end == date(2026, 3, 31)).all()


def test_no_data_is_never_met():
	m = c.Measurements.empty()
	results, _missed = c.evaluate(TARGETS, CALS, m, 2026, 3, datetime(2026, 4, 1, tzinfo=SH))
	assert list(results.result) == [c.NO_DATA] * 4
	assert results.measured_value.isna().all()
	# outages without coverage are still no data: nobody said monitoring was on
	m2 = march()
	m2 = c.Measurements(m2.tickets, m2.pauses, m2.outages, m2.coverage.iloc[0:0], m2.metrics)
	r = by_code(c.evaluate(TARGETS, CALS, m2, 2026, 3, datetime(2026, 4, 1, tzinfo=SH))[0])
	assert r["T3"].result == c.NO_DATA


def test_open_ticket_within_target_is_pending_not_counted():
	t = tickets([("X", "SLA-1", "High", ns(2026, 3, 31, 17, 30), c.NAT, c.NAT)])
	m = c.Measurements(t, pd.DataFrame(columns=["ticket_id", "start_ns", "end_ns"]), c.Measurements.empty().outages, c.Measurements.empty().coverage, c.Measurements.empty().metrics)
	r = by_code(c.evaluate(TARGETS, CALS, m, 2026, 3, datetime(2026, 4, 1, tzinfo=SH))[0])
	assert (r["T1"].sample_count, r["T1"].result) == (0, c.NO_DATA)


def test_each_version_is_judged_for_its_own_days():
	v1 = target("T1", "Resolution Time", 8, priority="High", time_unit="Hours", compliance_share=50, valid_to=date(2026, 3, 15))
	v2 = dict(v1, agreement="SLA-1-V2", version=2, valid_from=date(2026, 3, 16), valid_to=None, target_value=1)
	results, _ = c.evaluate(pd.DataFrame([v1, v2]), CALS, march(), 2026, 3, datetime(2026, 4, 1, tzinfo=SH))
	r = {row.agreement: row for row in results.itertuples()}
	assert (r["SLA-1-V1"].period_start, r["SLA-1-V1"].period_end) == (date(2026, 3, 1), date(2026, 3, 15))
	assert (r["SLA-1-V2"].period_start, r["SLA-1-V2"].period_end) == (date(2026, 3, 16), date(2026, 3, 31))
	assert r["SLA-1-V1"].sample_count == 3  # A, B, C; E was created under V2
	assert (r["SLA-1-V2"].sample_count, r["SLA-1-V2"].met_count) == (1, 0)
	# a version not in force in the month has no record
	v0 = dict(v1, agreement="SLA-1-V0", valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
	assert c.evaluate(pd.DataFrame([v0]), CALS, march(), 2026, 3, datetime(2026, 4, 1, tzinfo=SH))[0].empty


# ------------------------------------------------------------------------------------------------
# the per-ticket oracle: the scalar calendar functions, one ticket at a time


def oracle(tk: pd.DataFrame, pauses: pd.DataFrame, target_minutes: float, kind: str, as_of: datetime):
	sample = met = 0
	for row in tk.itertuples():
		created = pd.Timestamp(row.created_ns, tz="UTC").to_pydatetime()
		end_ns = row.response_ns if kind == "Response Time" else row.resolved_ns
		done = end_ns != c.NAT
		stop = pd.Timestamp(end_ns, tz="UTC").to_pydatetime() if done else max(as_of, created)
		ps = [
			(pd.Timestamp(p.start_ns, tz="UTC").to_pydatetime(), pd.Timestamp(p.end_ns, tz="UTC").to_pydatetime())
			for p in pauses[pauses.ticket_id == row.ticket_id].itertuples()
		]
		elapsed = cal.business_minutes_excluding(CAL, created, stop, ps)
		missed = elapsed > target_minutes + 1e-9
		if done or missed:
			sample += 1
			met += int(done and not missed)
	return sample, met


START = datetime(2026, 3, 1, tzinfo=SH)


@st.composite
def ticket_sets(draw):
	n = draw(st.integers(1, 12))
	rows, pauses = [], []
	for i in range(n):
		created = START + timedelta(minutes=draw(st.integers(0, 31 * 24 * 60 - 1)))
		resp = draw(st.one_of(st.none(), st.integers(1, 3 * 24 * 60)))
		res = draw(st.one_of(st.none(), st.integers(1, 10 * 24 * 60)))
		to_ns = lambda d: int(pd.Timestamp(d).value)  # noqa: E731
		rows.append((f"t{i}", "SLA-1", "High", to_ns(created), to_ns(created + timedelta(minutes=resp)) if resp else c.NAT, to_ns(created + timedelta(minutes=res)) if res else c.NAT))
		for _ in range(draw(st.integers(0, 2))):
			a = created + timedelta(minutes=draw(st.integers(-600, 5 * 24 * 60)))
			pauses.append((f"t{i}", to_ns(a), to_ns(a + timedelta(minutes=draw(st.integers(1, 3 * 24 * 60))))))
	return tickets(rows), pd.DataFrame(pauses, columns=["ticket_id", "start_ns", "end_ns"])


@settings(max_examples=40, deadline=None)
@given(ticket_sets(), st.sampled_from([30, 240, 480, 1440]), st.sampled_from(["Response Time", "Resolution Time"]))
def test_engine_equals_the_per_ticket_oracle(data, minutes, kind):
	tk, pauses = data
	as_of = datetime(2026, 4, 1, tzinfo=SH)
	targets = pd.DataFrame([target("T1", kind, minutes, priority="High", time_unit="Minutes", compliance_share=90)])
	m = c.Measurements(tk, pauses, c.Measurements.empty().outages, c.Measurements.empty().coverage, c.Measurements.empty().metrics)
	r = c.evaluate(targets, CALS, m, 2026, 3, as_of)[0].iloc[0]
	assert (r.sample_count, r.met_count) == oracle(tk, pauses, minutes, kind, as_of)
	expected = c.NO_DATA if r.sample_count == 0 else (c.MET if r.met_count / r.sample_count * 100 >= 90 else c.BREACHED)
	assert r.result == expected


# ------------------------------------------------------------------------------------------------
# availability: the first miss counts only the downtime the measured value counts


def availability(coverage, outages, required):
	targets = pd.DataFrame([target("T3", "Availability", required)])
	empty = c.Measurements.empty()
	m = c.Measurements(
		empty.tickets,
		empty.pauses,
		pd.DataFrame(outages, columns=["service", "start_ns", "end_ns", "planned"]),
		pd.DataFrame(coverage, columns=["service", "start_ns", "end_ns"]),
		empty.metrics,
	)
	return c.evaluate(targets, CALS, m, 2026, 3, datetime(2026, 4, 1, tzinfo=SH))[0].iloc[0]


def test_downtime_before_monitoring_starts_moves_no_first_miss():
	# monitoring from Tuesday 10 March: 16 working days × 8 h = 128 h; the outage on Monday the 9th
	# happened while nobody was monitoring and counts nowhere
	r = availability(
		[("Banking", ns(2026, 3, 10, 9), ns(2027, 1, 1))],
		[("Banking", ns(2026, 3, 9, 9), ns(2026, 3, 9, 17), False), ("Banking", ns(2026, 3, 12, 13), ns(2026, 3, 12, 15), False)],
		99.0,
	)
	assert r.result == c.BREACHED
	assert r.measured_value == (128 - 2) / 128 * 100
	# 1 % of 128 h = 76.8 min of the outage on the 12th, exceeded a second later
	assert r.occurred_ns == ns(2026, 3, 12, 14, 16, 49)


def test_an_outage_reported_twice_counts_once_in_the_first_miss():
	# 176 h covered; 1 % = 105.6 min allowed; the 1 h outage of the 12th is reported twice, so only the
	# second outage, on the 19th, uses up the allowance (after 45.6 min of it)
	twice = ("Banking", ns(2026, 3, 12, 13), ns(2026, 3, 12, 14), False)
	r = availability(
		[("Banking", ns(2026, 1, 1), ns(2027, 1, 1))],
		[twice, twice, ("Banking", ns(2026, 3, 19, 9), ns(2026, 3, 19, 10), False)],
		99.0,
	)
	assert r.measured_value == (176 - 2) / 176 * 100
	assert r.result == c.BREACHED
	assert r.occurred_ns == ns(2026, 3, 19, 9, 45, 37)


MARCH_START, MARCH_END = ns(2026, 3, 1), ns(2026, 4, 1)


def minute_oracle(coverage, outages, required):
	"""Minute by minute over March with the scalar calendar: (measured %, first miss ns or None)."""
	minutes = (MARCH_END - MARCH_START) // 60_000_000_000
	start = lambda i: MARCH_START + i * 60_000_000_000  # noqa: E731
	working = np.zeros(minutes, dtype=bool)
	for a, b in cal.working_intervals(CAL, datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH)):
		working[(int(pd.Timestamp(a).value) - MARCH_START) // 60_000_000_000 : (int(pd.Timestamp(b).value) - MARCH_START) // 60_000_000_000] = True

	def mask(spans):
		out = np.zeros(minutes, dtype=bool)
		for lo, hi in spans:
			out[max(0, (lo - MARCH_START) // 60_000_000_000) : max(0, min(minutes, (hi - MARCH_START) // 60_000_000_000))] = True
		return out

	covered = mask([(a, b) for _s, a, b in coverage])
	planned = mask([(a, b) for _s, a, b, p in outages if p])
	down = mask([(a, b) for _s, a, b, p in outages if not p])
	base = working & covered & ~planned
	lost = base & down
	if not base.any():
		return None, None
	value = (base.sum() - lost.sum()) / base.sum() * 100
	if value >= required - 1e-9:
		return value, None
	allowed_ns = base.sum() * 60e9 * (1 - required / 100)
	need = min(int(np.rint(allowed_ns + 1e9)), int(lost.sum()) * 60_000_000_000)
	spent = 0
	for i in np.flatnonzero(lost):
		if spent + 60_000_000_000 >= need:
			return value, start(i) + need - spent
		spent += 60_000_000_000
	raise AssertionError("the downtime never exceeded the allowance")


@st.composite
def spans_on_minutes(draw):
	minute = lambda: MARCH_START - 3 * 86_400_000_000_000 + draw(st.integers(0, 37 * 1440)) * 60_000_000_000  # noqa: E731
	coverage = []
	for _ in range(draw(st.integers(0, 3))):
		a = minute()
		coverage.append(("Banking", a, a + draw(st.integers(1, 20 * 1440)) * 60_000_000_000))
	outages = []
	for _ in range(draw(st.integers(0, 6))):
		a = minute()
		outages.append(("Banking", a, a + draw(st.integers(1, 3 * 1440)) * 60_000_000_000, draw(st.booleans())))
	return coverage, outages


@settings(max_examples=60, deadline=None)
@given(spans_on_minutes(), st.sampled_from([90.0, 99.0, 99.9]))
def test_availability_equals_a_minute_by_minute_oracle(spans, required):
	coverage, outages = spans
	r = availability(coverage, outages, required)
	value, first_miss = minute_oracle(coverage, outages, required)
	if value is None:
		assert r.result == c.NO_DATA
		return
	assert abs(r.measured_value - value) < 1e-9
	assert r.result == (c.MET if first_miss is None else c.BREACHED)
	assert r.occurred_ns == (c.NAT if first_miss is None else first_miss)
