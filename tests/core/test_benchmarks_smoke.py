"""The engine benchmark on a tiny size: generated data is well-formed, valid input, and the oracle agrees.

No timing is asserted here; benchmarks/bench_compliance.py measures (docs/benchmarks.md).
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks import bench_compliance as bench  # noqa: E402
from benchmarks import datagen  # noqa: E402
from slm_app import offline  # noqa: E402
from slm_app.core import compliance  # noqa: E402

NAT = compliance.NAT


@pytest.fixture(scope="module")
def data():
	# 4 calendars: Berlin and New York offices (lunch breaks, holidays), Shanghai (make-up days), 24x7
	return datagen.generate(agreements=5, tickets=200, services=3, seed=7, calendars=4)


@pytest.fixture(scope="module")
def evaluated(data):
	return compliance.evaluate(
		data.targets, data.calendars, data.measurements, data.year, data.month, data.as_of
	)


def test_generated_frames_are_what_evaluate_takes(data):
	m = data.measurements
	assert list(data.targets.columns) == compliance.TARGET_COLUMNS
	assert set(data.targets["calendar"]) <= set(data.calendars)
	assert data.agreement_codes == 5 and len(m.tickets) == 200
	tk = m.tickets
	assert tk["ticket_id"].is_unique
	for col in ("created_ns", "response_ns", "resolved_ns"):
		assert tk[col].dtype == np.int64
	answered, resolved = tk["response_ns"] != NAT, tk["resolved_ns"] != NAT
	assert (tk.loc[answered, "response_ns"] >= tk.loc[answered, "created_ns"]).all()
	assert (tk.loc[resolved, "resolved_ns"] >= tk.loc[resolved, "created_ns"]).all()
	assert (~resolved).any(), "some tickets are still open"
	assert set(m.pauses["ticket_id"]) <= set(tk["ticket_id"])
	assert (m.pauses["end_ns"] > m.pauses["start_ns"]).all()
	assert 0.1 < m.pauses["ticket_id"].nunique() / len(tk) < 0.3
	for frame in (m.outages, m.coverage):
		assert (frame["end_ns"] > frame["start_ns"]).all()
		assert (frame["start_ns"] % datagen.MINUTE == 0).all() and (
			frame["end_ns"] % datagen.MINUTE == 0
		).all()
	assert m.outages["planned"].any() and (~m.outages["planned"]).any()
	assert set(m.metrics["agreement_code"]) <= set(data.targets["agreement_code"])


def test_results_are_well_formed(data, evaluated):
	results, missed = evaluated
	assert list(results.columns) == compliance.RESULT_COLUMNS
	assert len(results) > 0 and set(results["result"]) <= {
		compliance.MET,
		compliance.BREACHED,
		compliance.NO_DATA,
	}
	no_data = results["result"] == compliance.NO_DATA
	assert results.loc[no_data, "measured_value"].isna().all()
	assert (results.loc[~no_data, "sample_count"] > 0).all()
	assert (results["met_count"] <= results["sample_count"]).all()
	breached = results["result"] == compliance.BREACHED
	assert (results.loc[breached, "occurred_ns"] != NAT).all()
	assert {"Response Time", "Resolution Time", "Availability", "Custom Metric"} <= set(
		results["metric_kind"]
	)
	assert list(missed.columns) == [
		"agreement",
		"target_code",
		"ticket_id",
		"elapsed_minutes",
		"target_minutes",
		"deadline_ns",
	]
	assert (missed["elapsed_minutes"] > missed["target_minutes"]).all()


def test_the_per_ticket_oracle_agrees(data, evaluated):
	_results, missed = evaluated
	sample = np.arange(len(data.measurements.tickets))
	pairs, _wall, _cpu = bench.run_oracle(data, sample, bench.oracle_targets(data))
	check = bench.compare(pairs, missed, data, sample)
	assert check["pairs"] > 200
	assert min(check["counts"].values()) > 0, check["counts"]
	assert check["decision_mismatches"] == 0
	assert check["elapsed_mismatches"] == 0


def test_the_month_is_valid_offline_input(data, evaluated):
	bundle = offline.load_tables(datagen.to_tables(data))
	assert bundle.problems == []
	assert {k: kept for k, (_read, kept) in bundle.rows.items()} == {
		k: len(getattr(data.measurements, k)) for k in offline.MEASUREMENT_TABLES
	}
	results, _ = compliance.evaluate(
		bundle.targets, bundle.calendars, bundle.measurements, data.year, data.month, data.as_of
	)
	expected = evaluated[0]
	cols = ["agreement", "target_code", "sample_count", "met_count", "result", "occurred_ns"]
	assert results[cols].equals(expected[cols])
	assert np.allclose(results["measured_value"], expected["measured_value"], equal_nan=True)
