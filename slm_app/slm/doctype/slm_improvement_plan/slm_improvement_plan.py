# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
import pandas as pd
from frappe.model.document import Document
from frappe.utils import getdate

from slm_app.core import reviews
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
		pairs = []
		for t in self.targets:
			code = frappe.db.get_value("SLM Agreement", t.agreement, "agreement_code")
			pairs.append((code, t.target_code))
		if not pairs:
			return []
		start = getdate(self.start_date)
		rows = frappe.get_all(
			"SLM Monitoring Record",
			filters={"agreement_code": ["in", sorted({p[0] for p in pairs})], "docstatus": 1},
			fields=["agreement_code", "target_code", "period", "result"],
		)
		frame = pd.DataFrame([dict(r) for r in rows], columns=["agreement_code", "target_code", "period", "result"])
		frame["year"] = frame["period"].str.slice(0, 4).astype(int) if len(frame) else []
		frame["month"] = frame["period"].str.slice(5, 7).astype(int) if len(frame) else []
		out = reviews.recovery(frame, pairs, (start.year, start.month), int(months))
		return [
			{k: (None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)) for k, v in row.items()}
			for row in out.to_dict("records")
		]
