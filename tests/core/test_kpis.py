from datetime import datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slm_app.core import kpis as k
from slm_app.core.compliance import BREACHED, MET, NO_DATA
from slm_app.core.errors import RuleError


def rec(code, target, result, on, kind="SLA", year=2026, month=3, docstatus=1, version=1):
	return {
		"agreement": f"{code}-V{version}",
		"agreement_code": code,
		"agreement_type": kind,
		"target_code": target,
		"year": year,
		"month": month,
		"result": result,
		"docstatus": docstatus,
		"monitored_on": on,
	}


def force(*rows):
	cols = ["agreement_code", "year", "month", "target_code"][: len(rows[0])]
	return pd.DataFrame(rows, columns=cols)


def row(frame, year, month):
	return frame[(frame.year == year) & (frame.month == month)].iloc[0]


# March 2026, due day 5: a March record must be submitted by 2026-04-05 24:00.
#
# | SLA   | T1                       | T2                        | on time?                      |
# |-------|--------------------------|---------------------------|-------------------------------|
# | SLA-A | Met, 04-02               | Breached, 04-02           | yes                           |
# | SLA-B | Breached, 04-03          | Met, 04-06 08:00 (late)   | no                            |
# | SLA-C | Met, 04-01               | no record                 | no (T2 expected, not there)   |
# | OLA-X | Breached, 04-01          |                           | not an SLA: ignored           |
# | UC-Y  | Breached, 04-09          |                           | not an SLA: ignored           |
#
# KPI 1: 3 SLAs in force, 1 on time -> 1/3 = 33.33 %.
# KPI 2: SLA items A.T1 A.T2 B.T1 B.T2 C.T1 = 5, breached A.T2 B.T1 = 2 -> 40 %.
# April 2026: only an OLA record, no SLA in force -> 0 SLAs and None (not 0, not 100) for both KPIs.
D = datetime
MARCH = pd.DataFrame(
	[
		rec("SLA-A", "T1", MET, D(2026, 4, 2, 9)),
		rec("SLA-A", "T2", BREACHED, D(2026, 4, 2, 9)),
		rec("SLA-B", "T1", BREACHED, D(2026, 4, 3, 9)),
		rec("SLA-B", "T2", MET, D(2026, 4, 6, 8)),
		rec("SLA-C", "T1", MET, D(2026, 4, 1, 9)),
		rec("OLA-X", "T1", BREACHED, D(2026, 4, 1, 9), kind="OLA"),
		rec("UC-Y", "T1", BREACHED, D(2026, 4, 9, 9), kind="UC"),
		rec("OLA-X", "T1", BREACHED, D(2026, 5, 1, 9), kind="OLA", month=4),
	]
)
IN_FORCE = force(*[(c, 2026, 3, t) for c in ("SLA-A", "SLA-B", "SLA-C") for t in ("T1", "T2")])


def test_hand_computed_month():
	m = k.monthly_kpis(MARCH, IN_FORCE, 5, months=[(2026, 3), (2026, 4)])
	assert list(m.columns) == k.KPI_COLUMNS
	march = row(m, 2026, 3)
	assert (march.slas, march.slas_on_time, march.sla_items, march.breached_items) == (3, 1, 5, 2)
	assert march.on_time_pct == pytest.approx(100 / 3)
	assert march.breached_pct == pytest.approx(40.0)
	april = row(m, 2026, 4)
	assert (april.slas, april.slas_on_time, april.sla_items, april.breached_items) == (0, 0, 0, 0)
	assert april.on_time_pct is None and april.breached_pct is None


def test_without_the_target_list_a_missing_target_record_cannot_be_seen():
	# SLA-C's one record is on time, so with SLAs given by code only it counts: 2 of 3.
	codes = IN_FORCE[["agreement_code", "year", "month"]].drop_duplicates()
	march = row(k.monthly_kpis(MARCH, codes, 5), 2026, 3)
	assert (march.slas, march.slas_on_time) == (3, 2)


def test_an_sla_in_force_without_any_record_is_not_on_time():
	m = k.monthly_kpis(MARCH, force(("SLA-A", 2026, 3), ("SLA-D", 2026, 3)), 5)
	assert (row(m, 2026, 3).slas, row(m, 2026, 3).slas_on_time) == (2, 1)
	assert row(m, 2026, 3).on_time_pct == pytest.approx(50.0)


def test_months_default_to_those_with_slas_or_sla_records():
	m = k.monthly_kpis(MARCH, IN_FORCE, 5)
	assert list(zip(m.year, m.month, strict=True)) == [(2026, 3)]


@pytest.mark.parametrize(
	"on, on_time",
	[
		(D(2026, 4, 5, 23, 59), True),
		(D(2026, 4, 5, 23, 59, 59, 999999), True),
		(D(2026, 4, 6, 0, 0), False),
		(D(2026, 4, 6, 0, 1), False),
		(D(2026, 3, 31, 23, 0), True),
	],
)
def test_the_due_day_counts_to_its_end(on, on_time):
	m = k.monthly_kpis(pd.DataFrame([rec("SLA-A", "T1", MET, on)]), force(("SLA-A", 2026, 3)), 5)
	assert row(m, 2026, 3).slas_on_time == int(on_time)


def test_december_is_due_in_january_of_the_next_year():
	recs = pd.DataFrame([rec("SLA-A", "T1", MET, D(2027, 1, 28, 23, 59), year=2026, month=12)])
	m = k.monthly_kpis(recs, force(("SLA-A", 2026, 12)), 28)
	assert row(m, 2026, 12).slas_on_time == 1
	assert k.due_by(2026, 12, 28) == pd.Timestamp(2027, 1, 29)
	assert list(k.due_by([2026, 2026], [1, 2], 1)) == [pd.Timestamp(2026, 2, 2), pd.Timestamp(2026, 3, 2)]


def test_an_aware_monitored_on_is_read_at_its_wall_time():
	on = pd.Timestamp(2026, 4, 5, 23, 30, tz="Asia/Shanghai")
	m = k.monthly_kpis(pd.DataFrame([rec("SLA-A", "T1", MET, on)]), force(("SLA-A", 2026, 3)), 5)
	assert row(m, 2026, 3).slas_on_time == 1


def test_a_recomputed_month_keeps_its_first_submission_and_its_current_result():
	# Submitted on time as Met, cancelled and amended on 04-20 as Breached (Recompute Month):
	# still monitored on time (first submission 04-02); one item, breached (the current record).
	recs = pd.DataFrame(
		[
			rec("SLA-A", "T1", MET, D(2026, 4, 2), docstatus=2),
			rec("SLA-A", "T1", BREACHED, D(2026, 4, 20), docstatus=1),
		]
	)
	march = row(k.monthly_kpis(recs, force(("SLA-A", 2026, 3)), 5), 2026, 3)
	assert (march.slas_on_time, march.sla_items, march.breached_items) == (1, 1, 1)


def test_a_draft_record_is_not_monitored_and_not_an_item():
	recs = pd.DataFrame(
		[rec("SLA-A", "T1", MET, D(2026, 4, 1)), rec("SLA-A", "T2", BREACHED, D(2026, 4, 1), docstatus=0)]
	)
	march = row(k.monthly_kpis(recs, force(("SLA-A", 2026, 3)), 5), 2026, 3)
	assert (march.slas_on_time, march.sla_items, march.breached_items) == (0, 1, 0)


def test_no_data_is_an_item_that_did_not_breach():
	recs = pd.DataFrame(
		[rec("SLA-A", "T1", NO_DATA, D(2026, 4, 1)), rec("SLA-A", "T2", BREACHED, D(2026, 4, 1))]
	)
	march = row(k.monthly_kpis(recs, force(("SLA-A", 2026, 3)), 5), 2026, 3)
	assert (march.sla_items, march.breached_items, march.breached_pct) == (2, 1, 50.0)


def test_an_amended_agreement_counts_once_per_month_across_its_versions():
	# SLA-A changed version mid-March: records of V1 and V2; one SLA, on time only when both versions are.
	recs = pd.DataFrame(
		[rec("SLA-A", "T1", MET, D(2026, 4, 1), version=1), rec("SLA-A", "T1", MET, D(2026, 4, 7), version=2)]
	)
	march = row(k.monthly_kpis(recs, force(("SLA-A", 2026, 3, "T1")), 5), 2026, 3)
	assert (march.slas, march.slas_on_time, march.sla_items) == (1, 0, 2)


def test_empty_inputs():
	m = k.monthly_kpis(pd.DataFrame(columns=k.RECORD_COLUMNS), pd.DataFrame(), 5, months=k.year_months(2026))
	assert len(m) == 12 and m.slas.sum() == 0 and m.on_time_pct.isna().all()
	y = k.yearly_kpis(pd.DataFrame(columns=k.RECORD_COLUMNS), pd.DataFrame(), 5)
	assert y.empty and list(y.columns) == k.YEAR_COLUMNS


# Year 2026 (yearly_kpis is yearly_from_monthly of the twelve months): March as above, and June with SLA-A on time (1 item, met) -> 4 SLA-months, 2 on time = 50 %;
# 6 items, 2 breached = 33.33 %. Not the mean of the monthly percentages ((33.33 + 100) / 2, (40 + 0) / 2).
def test_hand_computed_year():
	recs = pd.concat([MARCH, pd.DataFrame([rec("SLA-A", "T1", MET, D(2026, 7, 1), month=6)])])
	slas = pd.concat([IN_FORCE, force(("SLA-A", 2026, 6, "T1"))])
	y = k.yearly_kpis(recs, slas, 5, years=[2026])
	assert list(y.columns) == k.YEAR_COLUMNS
	r = y.iloc[0]
	assert (r.year, r.slas, r.slas_on_time, r.sla_items, r.breached_items) == (2026, 4, 2, 6, 2)
	assert r.on_time_pct == pytest.approx(50.0) and r.breached_pct == pytest.approx(100 / 3)


@pytest.mark.parametrize("day", [1, 28, "5", 5.0])
def test_valid_due_days(day):
	assert k.validate_due_day(day) == []


@pytest.mark.parametrize("day", [0, 29, 31, -1, 2.5, "x", True, None, "", [5]])
def test_invalid_due_days(day):
	problems = k.validate_due_day(day)
	assert len(problems) == 1 and problems[0].field == "monitoring_due_day"


def test_a_bad_due_day_stops_the_computation():
	with pytest.raises(RuleError) as e:
		k.monthly_kpis(MARCH, IN_FORCE, 31)
	assert "1 to 28" in e.value.format()


# ------------------------------------------------------------------------------------------------
# the vectorised KPIs against a per-SLA loop that reads the rule as written

CODES = [("SLA-1", "SLA"), ("SLA-2", "SLA"), ("OLA-1", "OLA"), ("UC-1", "UC")]
MONTHS = [(2025, 12), (2026, 1)]


def oracle(records: list[dict], in_force: list[tuple], due_day: int) -> dict:
	out = {}
	for y, m in MONTHS:
		ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
		end = datetime(ny, nm, due_day) + timedelta(days=1)
		codes = sorted({c for c, yy, mm, _t in in_force if (yy, mm) == (y, m)})
		on_time = 0
		for code in codes:
			mine = [r for r in records if r["agreement_code"] == code and (r["year"], r["month"]) == (y, m)]
			first = {}
			for r in mine:
				key = (r["agreement"], r["target_code"])
				first.setdefault(key, None)
				if r["docstatus"] in (1, 2) and (first[key] is None or r["monitored_on"] < first[key]):
					first[key] = r["monitored_on"]
			in_time = {key for key, sent in first.items() if sent is not None and sent < end}
			expected = {t for c, yy, mm, t in in_force if (c, yy, mm) == (code, y, m) and t is not None}
			ok = bool(first) and in_time == set(first) and expected <= {t for _a, t in in_time}
			on_time += ok
		items = [
			r
			for r in records
			if r["agreement_type"] == "SLA" and r["docstatus"] == 1 and (r["year"], r["month"]) == (y, m)
		]
		out[(y, m)] = (len(codes), on_time, len(items), sum(r["result"] == BREACHED for r in items))
	return out


@st.composite
def cases(draw):
	"""Records submitted around the end of the due day (its first and last minute, the next day's first
	minute), on few SLAs and months, so targets, versions, drafts and amendments collide often."""
	due_day = draw(st.integers(1, 28))
	records = []
	for _i in range(draw(st.integers(0, 12))):
		code, kind = draw(st.sampled_from(CODES))
		year, month = draw(st.sampled_from(MONTHS))
		sent = datetime(year + (month == 12), month % 12 + 1, due_day) + draw(
			st.sampled_from(
				[timedelta(0), timedelta(minutes=60 * 24 - 1), timedelta(days=1), timedelta(days=-3)]
			)
		)
		records.append(
			rec(
				code,
				draw(st.sampled_from(["T1", "T2"])),
				draw(st.sampled_from([MET, BREACHED, NO_DATA])),
				sent,
				kind=kind,
				year=year,
				month=month,
				docstatus=draw(st.sampled_from([0, 1, 1, 2])),
				version=draw(st.sampled_from([1, 2])),
			)
		)
	rows = draw(
		st.lists(
			st.tuples(
				st.sampled_from(["SLA-1", "SLA-2"]), st.sampled_from(MONTHS), st.sampled_from(["T1", "T2"])
			),
			max_size=8,
		)
	)
	if draw(st.booleans()):  # SLAs in force given by code only: no expected targets
		rows = [(c, ym, None) for c, ym, _t in rows]
	return records, sorted({(c, y, m, t) for c, (y, m), t in rows}, key=str), due_day


@settings(max_examples=30, deadline=None)
@given(cases())
def test_kpis_agree_with_the_per_sla_loop(case):
	records, in_force, due_day = case
	frame = pd.DataFrame(records, columns=list(rec("x", "x", MET, None)))
	slas = pd.DataFrame(in_force, columns=["agreement_code", "year", "month", "target_code"])
	if in_force and in_force[0][3] is None:
		slas = slas.drop(columns="target_code")
	m = k.monthly_kpis(frame, slas, due_day, months=MONTHS)
	got = {
		(r.year, r.month): (r.slas, r.slas_on_time, r.sla_items, r.breached_items)
		for r in m.itertuples(index=False)
	}
	assert got == oracle(records, in_force, due_day)
	for r in m.itertuples(index=False):
		assert r.on_time_pct == (r.slas_on_time * 100 / r.slas if r.slas else None)
		assert r.breached_pct == (r.breached_items * 100 / r.sla_items if r.sla_items else None)

	y = k.yearly_from_monthly(m)
	assert list(y.year) == [2025, 2026]
	for r in y.itertuples(index=False):
		months = m[m.year == r.year]
		assert (r.slas, r.slas_on_time, r.sla_items, r.breached_items) == tuple(
			int(months[c].sum()) for c in ("slas", "slas_on_time", "sla_items", "breached_items")
		)
		assert r.on_time_pct == (r.slas_on_time * 100 / r.slas if r.slas else None)


def test_compliance_by_service_hand_computed():
	from slm_app.core.kpis import compliance_by

	records = [
		{"service": "Email", "result": "Met", "docstatus": 1},
		{"service": "Email", "result": "Met", "docstatus": 1},
		{"service": "Email", "result": "Breached", "docstatus": 1},
		{"service": "Email", "result": "No Data", "docstatus": 1},
		{"service": "Email", "result": "Breached", "docstatus": 2},  # amended away
		{"service": "ERP", "result": "Met", "docstatus": 1},
		{"service": "VPN", "result": "No Data", "docstatus": 1},
		{"service": None, "result": "Met", "docstatus": 1},
	]
	out = compliance_by(records)
	assert out["group"].tolist() == ["Email", "ERP"]
	assert out["met"].tolist() == [2, 1]
	assert out["breached"].tolist() == [1, 0]
	assert out["compliance_pct"].round(4).tolist() == [66.6667, 100.0]
	assert compliance_by([]).empty


def test_last_judged_month_waits_for_the_due_day():
	from datetime import date

	from slm_app.core.kpis import last_judged_month

	assert last_judged_month(date(2026, 11, 26), 5) == (2026, 10)
	assert last_judged_month(date(2026, 11, 5), 5) == (2026, 9)  # October's due day is not over yet
	assert last_judged_month(date(2026, 11, 6), 5) == (2026, 10)
	assert last_judged_month(date(2026, 1, 3), 5) == (2025, 11)
	assert last_judged_month(date(2026, 2, 10), 5) == (2026, 1)
