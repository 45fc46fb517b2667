# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from slm_app.core.month import record_name
from slm_app.core.periods import parse_month


class SLMMonitoringRecord(Document):
	def autoname(self):
		base = record_name(self.agreement, self.target_code, *parse_month(self.period))
		if self.amended_from:
			count = frappe.db.count("SLM Monitoring Record", {"amended_from": self.amended_from}) + 1
			self.name = f"{base}-{count}"
		else:
			self.name = base

	def validate(self):
		if not self.flags.slm_engine:
			frappe.throw(
				_("Monitoring records are computed from the measurements; use Compute Month on the agreement"),
				title=_("Not allowed"),
			)

	def before_cancel(self):
		if not self.flags.slm_engine:
			frappe.throw(
				_("A closed month is changed only by Recompute Month, which records the reason"), title=_("Not allowed")
			)
