"""SL2.2: can existing catalogue services meet a customer's service level requirement?"""

from __future__ import annotations

from dataclasses import replace

from slm_app.core import targets as tgt
from slm_app.core.errors import Problem, _

EXISTING, NEW_DESIGN = "Existing Service", "New Service Design Needed"


def _priority_matches(offered: dict, required: dict) -> bool:
	want, have = (required.get("priority") or ""), (offered.get("priority") or "")
	return not want or not have or want == have


def _same_metric(offered: dict, required: dict) -> bool:
	if offered.get("metric_kind") != required.get("metric_kind"):
		return False
	if required.get("metric_kind") == "Custom Metric":
		return (offered.get("metric_name") or "").strip().lower() == (required.get("metric_name") or "").strip().lower() and (
			offered.get("unit") or ""
		).strip() == (required.get("unit") or "").strip()
	return True


def compare_item(item: dict, catalogue: dict[str, dict]) -> dict:
	out = {"idx": item.get("idx"), "met": False, "matched_level": None, "gap": "", "gap_problem": None}

	def gap(problem: Problem) -> dict:
		out["gap_problem"] = problem
		out["gap"] = problem.format()
		return out

	service = item.get("service")
	if not service or service not in catalogue:
		return gap(Problem(_("No service in the catalogue provides {0}"), (item.get("requested_service") or service or "-",)))
	entry = catalogue[service]
	if entry.get("status") != "Published":
		return gap(Problem(_("{0} is not published in the catalogue (it is {1})"), (service, entry.get("status") or "Draft")))
	candidates = [lvl for lvl in entry.get("service_levels") or [] if _same_metric(lvl, item) and _priority_matches(lvl, item)]
	if not candidates:
		return gap(Problem(_("{0} offers no service level for {1}"), (service, tgt.describe(item))))
	meeting = [lvl for lvl in candidates if tgt.is_at_least_as_good(lvl, item)]
	if not meeting:
		best = candidates[0]
		for lvl in candidates[1:]:
			if tgt.is_at_least_as_good(lvl, best):
				best = lvl
		return gap(Problem(_("Requested {0}; best offered by {1}: {2}"), (tgt.describe(item), service, tgt.describe(best))))
	# the least demanding level that still meets the need: one that every other meeting level beats
	chosen = meeting[0]
	for lvl in meeting[1:]:
		if tgt.is_at_least_as_good(chosen, lvl) and not tgt.is_at_least_as_good(lvl, chosen):
			chosen = lvl
	out["met"] = True
	out["matched_level"] = chosen.get("level_name")
	return out


def compare_requirement(items: list[dict], catalogue: dict[str, dict]) -> dict:
	results = [compare_item(item, catalogue) for item in items]
	outcome = EXISTING if results and all(r["met"] for r in results) else NEW_DESIGN
	return {"outcome": outcome, "items": results}


def validate_requirement_items(items: list[dict]) -> list[Problem]:
	problems: list[Problem] = []
	if not items:
		return [Problem(_("Add at least one requested service and target"), (), "items")]
	rows = []
	for item in items:
		if not item.get("service") and not (item.get("requested_service") or "").strip():
			problems.append(
				Problem(_("Row {0}: choose a Catalogue Service or describe the Requested Service"), (item.get("idx"),), "items", item.get("idx"))
			)
		row = dict(item)
		row["service"] = item.get("service") or item.get("requested_service") or "-"
		row["target_code"] = None
		rows.append(row)
	# the target rules that apply to a request: ranges, units, custom metric fields
	problems += tgt.validate_targets(rows)
	return [replace(p, field="items") for p in problems]
