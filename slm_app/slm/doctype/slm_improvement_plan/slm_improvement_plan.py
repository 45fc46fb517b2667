# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
import pandas as pd
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from slm_app.core import reviews
from slm_app.permissions import readable_names
from slm_app.utils import throw_problems


class SLMImprovementPlan(Document):
	def validate(self):
		actions = self._actions()
		throw_problems(reviews.validate_actions(actions, getdate(self.start_date) if self.start_date else None))
		if self.status == "Closed":
			throw_problems(reviews.check_plan_close(actions))

	def _actions(self):
		return [{"idx": r.idx, "action": r.action, "owner": r.owner_user, "due_date": r.due_date, "status": r.status} for r in self.actions]

	@frappe.whitelist()
	def get_recovery(self, months: int = 3) -> list[dict]:
		"""Did the targets the plan addresses recover in the months after it started?"""
		self.check_permission("read")
		try:
			months = int(months)
		except (TypeError, ValueError):
			frappe.throw(_("Months must be a whole number, not {0}").format(months))
		if not 1 <= months <= 24:
			frappe.throw(_("Months must be between 1 and 24, not {0}").format(months))
		# the plan may come from the form unsaved: only the agreements the user may read are looked at
		readable = readable_names("SLM Agreement", [t.agreement for t in self.targets])
		pairs = [(t.agreement, t.target_code) for t in self.targets if t.agreement in readable]
		return recovery_by_plan([(self.name, self.start_date, pairs)], months)[self.name]


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
	frame["year"] = frame["period"].str.slice(0, 4).astype(int) if len(frame) else []
	frame["month"] = frame["period"].str.slice(5, 7).astype(int) if len(frame) else []
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
