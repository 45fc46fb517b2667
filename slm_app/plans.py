"""Adapter for improvement plans (SL5.2): reads shared by the plan form and the quarterly service report."""

from __future__ import annotations

import frappe
import pandas as pd
from frappe.utils import getdate

from slm_app.core import reviews
from slm_app.core.periods import parse_month


def recovery_by_plan(plans: list[tuple[str, object, list[tuple[str, str]]]], months: int = 3) -> dict[str, list[dict]]:
	"""For each (plan, start date, [(agreement, target code)]): whether each target recovered in the
	``months`` months after the start (core.reviews.recovery), read in three queries for all the plans."""
	agreements = sorted({a for _n, _s, pairs in plans for a, _t in pairs if a})
	code_of = dict(
		frappe.get_all("SLM Agreement", filters={"name": ["in", agreements or [""]]}, fields=["name", "agreement_code"], as_list=True)
	)
	codes = sorted(set(code_of.values()))
	rows = frappe.get_all(
		"SLM Monitoring Record",
		filters={"agreement_code": ["in", codes or [""]], "docstatus": 1},
		fields=["agreement_code", "target_code", "period", "result"],
	)
	frame = pd.DataFrame([dict(r) for r in rows], columns=["agreement_code", "target_code", "period", "result"])
	periods = [parse_month(p) for p in frame["period"]]
	frame["year"] = [y for y, _m in periods]
	frame["month"] = [m for _y, m in periods]
	out = {}
	for name, start_date, pairs in plans:
		targets = [(code_of.get(a), t) for a, t in pairs if code_of.get(a)]
		if not targets or not start_date:
			out[name] = []
			continue
		start = getdate(start_date)
		result = reviews.recovery(frame, targets, (start.year, start.month), months)
		out[name] = [
			{k: (None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)) for k, v in row.items()}
			for row in result.to_dict("records")
		]
	return out
