import pandas as pd

from slm_app.core import breaches as b
from slm_app.core.compliance import BREACHED, MET, NO_DATA, RESULT_COLUMNS


def result(agreement, code, kind, target, res, **kw):
	row = {c: None for c in RESULT_COLUMNS}
	row.update(
		agreement=agreement, agreement_code=code, agreement_type=kind, target_code=target, year=2026, month=3,
		result=res, sample_count=10, met_count=7 if res == BREACHED else 10, measured_value=70.0, occurred_ns=1,
	)
	row.update(kw)
	return row


RESULTS = pd.DataFrame(
	[
		result("SLA-1-V1", "SLA-1", "SLA", "T1", BREACHED),
		result("SLA-1-V1", "SLA-1", "SLA", "T2", MET),
		result("OLA-1-V2", "OLA-1", "OLA", "T1", BREACHED),
		result("UC-1-V1", "UC-1", "UC", "T1", MET),
		result("OLA-1-V2", "OLA-1", "OLA", "T3", BREACHED, month=2),
		result("OLA-2-V1", "OLA-2", "OLA", "T1", NO_DATA, sample_count=0, met_count=0),
	]
)
LINKS = pd.DataFrame(
	[("SLA-1-V1", "T1", "OLA-1", "T1"), ("SLA-1-V1", "T1", "UC-1", "T1"), ("SLA-1-V1", "T1", "OLA-1", "T3"), ("SLA-1-V1", "T1", "OLA-2", "T1")],
	columns=b.LINK_COLUMNS,
)


def test_breaches_are_the_breached_rows_with_deterministic_names():
	br = b.find_breaches(RESULTS)
	assert list(br.name) == ["BR-OLA-1-V2-T1-2026-03", "BR-OLA-1-V2-T3-2026-02", "BR-SLA-1-V1-T1-2026-03"]
	assert list(br.missed_count) == [3, 3, 3]
	assert b.find_breaches(RESULTS[RESULTS.result != BREACHED]).empty


def test_an_sla_breach_names_the_underpinning_that_breached_in_the_same_month():
	att = b.attribute(b.find_breaches(RESULTS), RESULTS, LINKS)
	assert list(zip(att.agreement, att.target_code, att.underpinning_agreement, att.underpinning_target, strict=True)) == [
		("SLA-1-V1", "T1", "OLA-1-V2", "T1")
	]
