# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from slm_app.core import reviews
from slm_app.permissions import readable_names
from slm_app.plans import recovery_by_plan
from slm_app.utils import throw_problems


class SLMImprovementPlan(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_plan_action.slm_plan_action import SLMPlanAction
		from slm_app.slm.doctype.slm_plan_target.slm_plan_target import SLMPlanTarget

		actions: DF.Table[SLMPlanAction]
		agreement: DF.Link | None
		naming_series: DF.Literal["SLM-SIP-.YYYY.-"]
		party: DF.Link | None
		source_breach: DF.Link | None
		source_review: DF.Link | None
		start_date: DF.Date | None
		status: DF.Literal["Open", "In Progress", "Closed"]
		targets: DF.Table[SLMPlanTarget]
		title: DF.Data
	# end: auto-generated types
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
