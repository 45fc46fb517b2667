"""The month pipeline (core.month): what a month writes given what was written before it.

The inputs are the example folder of the offline tests (one SLA, one OLA, one UC on a Shanghai office
calendar; its month is worked out by hand in test_offline.py): SLA T1, T2 and T3, OLA T1 and UC T1 breach in
March 2026, and SLA T2 is underpinned by OLA T1, SLA T3 by UC T1.
"""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from slm_app import offline
from slm_app.core import month as m

EXAMPLE = Path(__file__).parent / "data" / "offline"


@pytest.fixture(scope="module")
def bundle():
	return offline.load_folder(EXAMPLE)


def month_input(bundle, codes=None, **kw) -> m.MonthInput:
	inp = offline.month_input(bundle, 2026, 3)
	if codes is not None:
		inp = replace(inp, versions=bundle.versions[bundle.versions["agreement_code"].isin(codes)])
	return replace(inp, **kw)


def test_a_month_with_nothing_before_it_writes_every_result_and_breach(bundle):
	month = m.compute_month(month_input(bundle))
	assert month.results["write"].all()
	assert list(month.results["record"])[:2] == ["MON-SLA-2026-0001-V1-T1-2026-03", "MON-SLA-2026-0001-V1-T2-2026-03"]
	assert list(month.breaches["name"]) == [
		"BR-OLA-2026-0001-V1-T1-2026-03",
		"BR-SLA-2026-0001-V1-T1-2026-03",
		"BR-SLA-2026-0001-V1-T2-2026-03",
		"BR-SLA-2026-0001-V1-T3-2026-03",
		"BR-UC-2026-0001-V1-T1-2026-03",
	]
	assert month.late.empty


def test_closed_records_stay_and_bring_no_breach(bundle):
	month = m.compute_month(month_input(bundle, closed=frozenset({"MON-SLA-2026-0001-V1-T1-2026-03"})))
	written = dict(zip(month.results["record"], month.results["write"], strict=True))
	assert not written["MON-SLA-2026-0001-V1-T1-2026-03"]
	assert sum(written.values()) == len(written) - 1
	assert "BR-SLA-2026-0001-V1-T1-2026-03" not in set(month.breaches["name"])


def test_an_sla_computed_first_finds_its_underpinning_breaches_later(bundle):
	# the SLA alone: the OLA and UC were not computed yet, so its breaches list nothing under them
	sla = m.compute_month(month_input(bundle, ["SLA-2026-0001"]))
	assert set(sla.breaches["underpinning_breached"]) == {""}
	recorded = pd.DataFrame({"breach": sla.breaches["name"], "underpinning_agreement": None, "underpinning_target": None})
	# then the OLA: its breach is added to the SLA's breach of the same month, once
	ola = m.compute_month(month_input(bundle, ["OLA-2026-0001"], recorded=recorded))
	assert m.late_values(ola) == [
		{
			"breach": "BR-SLA-2026-0001-V1-T2-2026-03",
			"underpinning_agreement": "OLA-2026-0001-V1",
			"agreement_type": "OLA",
			"target_code": "T1",
			"measured_value": 50.0,
			"monitoring_record": "MON-OLA-2026-0001-V1-T1-2026-03",
		}
	]
	listed = pd.concat([recorded, pd.DataFrame([("BR-SLA-2026-0001-V1-T2-2026-03", "OLA-2026-0001-V1", "T1")], columns=m.RECORDED_COLUMNS)])
	assert m.compute_month(month_input(bundle, ["OLA-2026-0001"], recorded=listed)).late.empty
	# the OLA's breach affects the SLA's customer
	assert list(ola.breaches["affected_customer"]) == ["ACME Bank"]


def test_an_sla_computed_after_its_underpinning_lists_it_at_once(bundle):
	earlier = pd.DataFrame([("OLA-2026-0001-V1", "OLA-2026-0001", "OLA", "T1", 50.0)], columns=m.EARLIER_COLUMNS)
	sla = m.compute_month(month_input(bundle, ["SLA-2026-0001"], earlier=earlier))
	by_name = dict(zip(sla.breaches["name"], sla.breaches["underpinning_breached"], strict=True))
	assert by_name["BR-SLA-2026-0001-V1-T2-2026-03"] == "OLA-2026-0001-V1:T1"
	assert by_name["BR-SLA-2026-0001-V1-T3-2026-03"] == ""  # the UC was not computed yet


def test_recorded_breaches_are_not_made_again(bundle):
	recorded = pd.DataFrame([("BR-UC-2026-0001-V1-T1-2026-03", None, None)], columns=m.RECORDED_COLUMNS)
	month = m.compute_month(month_input(bundle, recorded=recorded))
	assert "BR-UC-2026-0001-V1-T1-2026-03" not in set(month.breaches["name"])
	# the SLA's availability breach still lists the UC's breach: it breached in the same month
	att = month.attribution
	assert list(att[att.target_code == "T3"].underpinning_agreement) == ["UC-2026-0001-V1"]


def test_record_and_breach_values(bundle):
	month = m.compute_month(month_input(bundle))
	records = {r["name"]: r for r in m.record_values(month, instant=lambda ns: f"at {ns}")}
	assert set(records["MON-OLA-2026-0001-V1-T2-2026-03"]) == set(m.RECORD_FIELDS)
	no_data = records["MON-OLA-2026-0001-V1-T2-2026-03"]
	assert (no_data["result"], no_data["measured_value"], no_data["occurred_at"]) == ("No Data", 0.0, None)
	assert records["MON-SLA-2026-0001-V1-T1-2026-03"]["occurred_at"].startswith("at ")
	breaches = {b["name"]: b for b in m.breach_values(month)}
	first = breaches["BR-SLA-2026-0001-V1-T1-2026-03"]
	assert set(first) == {*m.BREACH_FIELDS, "tickets", "underpinning"}
	assert [t["ticket"] for t in first["tickets"]] == ["INC-2", "INC-5"]
	assert set(first["tickets"][0]) == set(m.BREACH_CHILD_FIELDS["tickets"])
	assert (first["affected_customer"], first["affected_users_count"], first["affected_users"]) == ("ACME Bank", 2, None)
	assert [u["underpinning_agreement"] for u in breaches["BR-SLA-2026-0001-V1-T2-2026-03"]["underpinning"]] == ["OLA-2026-0001-V1"]


def test_who_raised_the_tickets_is_who_the_breach_affected(bundle):
	tickets = bundle.measurements.tickets.assign(raised_by=lambda f: f["ticket_id"].map({"INC-2": "li.lei@acme.example", "INC-5": "li.lei@acme.example"}).fillna(""))
	inp = month_input(bundle, measurements=replace(bundle.measurements, tickets=tickets))
	b = m.compute_month(inp).breaches.set_index("name").loc["BR-SLA-2026-0001-V1-T1-2026-03"]
	assert (b.affected_users_count, b.affected_users) == (1, "li.lei@acme.example")
