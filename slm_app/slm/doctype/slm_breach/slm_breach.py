# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from slm_app.core import breaches
from slm_app.core.periods import parse_month

NOTE_REQUIRED = {"Resolved": "handling_note", "Closed": "cause"}


class SLMBreach(Document):
	def autoname(self):
		year, month = parse_month(self.period)
		self.name = breaches.breach_key(self.agreement, self.target_code, year, month)

	def validate(self):
		before = self.get_doc_before_save()
		old = before.workflow_state if before else None
		new = self.workflow_state
		if self.is_new() or old == new:
			return
		field = NOTE_REQUIRED.get(new)
		if field and not (self.get(field) or "").strip():
			frappe.throw(
				_("Fill in {0} before moving the breach to {1}").format(_(self.meta.get_label(field)), _(new)),
				title=_("Missing information"),
			)
		self.append(
			"actions",
			{
				"action_on": now_datetime(),
				"action_by": frappe.session.user,
				"action": new,
				"note": self.flags.action_note or ((self.handling_note or "") if new != "Closed" else (self.cause or "")),
			},
		)
