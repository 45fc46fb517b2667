"""Breaches (SL4.2): every breached target-month, its missed tickets, and the OLA / UC targets under an
SLA target that breached in the same month (underpinning attribution)."""

from __future__ import annotations

import pandas as pd

from slm_app.core.compliance import BREACHED

# the handling workflow of a breach (SL4.2): a new breach is Open; Recorded is the first line of its log
BREACH_STATES = ("Open", "Notified", "Handling", "Resolved", "Closed")
OPEN = BREACH_STATES[0]
RECORDED = "Recorded"

BREACH_COLUMNS = [
	"agreement",
	"agreement_code",
	"version",
	"agreement_type",
	"party",
	"target_code",
	"service",
	"metric_kind",
	"metric_name",
	"priority",
	"year",
	"month",
	"target_value",
	"unit",
	"compliance_share",
	"measured_value",
	"sample_count",
	"met_count",
	"missed_count",
	"occurred_ns",
]
LINK_COLUMNS = ["sla_agreement", "sla_target", "underpinning_code", "underpinning_target"]
ATTRIBUTION_COLUMNS = [
	"agreement",
	"target_code",
	"year",
	"month",
	"underpinning_agreement",
	"underpinning_code",
	"underpinning_type",
	"underpinning_target",
	"underpinning_measured",
]


def breach_key(agreement: str, target_code: str, year: int, month: int) -> str:
	"""The deterministic name of a breach: one per agreement version, target and month."""
	return f"BR-{agreement}-{target_code}-{year:04d}-{month:02d}"


def find_breaches(results: pd.DataFrame) -> pd.DataFrame:
	b = results[results["result"] == BREACHED].copy()
	if b.empty:
		return pd.DataFrame(columns=BREACH_COLUMNS + ["name"])
	b["missed_count"] = b["sample_count"].astype(int) - b["met_count"].astype(int)
	b = b.reindex(columns=BREACH_COLUMNS)
	b["name"] = [breach_key(a, t, int(y), int(m)) for a, t, y, m in zip(b.agreement, b.target_code, b.year, b.month, strict=True)]
	return b.sort_values(["agreement", "target_code"], key=lambda s: s.astype(str)).reset_index(drop=True)


def attribute(breaches: pd.DataFrame, results: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
	"""For each SLA breach, the underpinning targets (by agreement code, so any version) that breached too."""
	if breaches.empty or links.empty or results.empty:
		return pd.DataFrame(columns=ATTRIBUTION_COLUMNS)
	sla = breaches[breaches["agreement_type"] == "SLA"]
	j = sla.merge(links, left_on=["agreement", "target_code"], right_on=["sla_agreement", "sla_target"])
	under = results[results["result"] == BREACHED][["agreement", "agreement_code", "agreement_type", "target_code", "year", "month", "measured_value"]]
	under = under.rename(
		columns={
			"agreement": "underpinning_agreement",
			"agreement_code": "underpinning_code",
			"agreement_type": "underpinning_type",
			"target_code": "underpinning_target",
			"measured_value": "underpinning_measured",
		}
	)
	j = j.merge(under, on=["underpinning_code", "underpinning_target", "year", "month"])
	if j.empty:
		return pd.DataFrame(columns=ATTRIBUTION_COLUMNS)
	return j[ATTRIBUTION_COLUMNS].drop_duplicates().sort_values(ATTRIBUTION_COLUMNS[:2] + ["underpinning_agreement", "underpinning_target"]).reset_index(drop=True)
