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
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_breach_action.slm_breach_action import SLMBreachAction
		from slm_app.slm.doctype.slm_breach_notification.slm_breach_notification import SLMBreachNotification
		from slm_app.slm.doctype.slm_breach_ticket.slm_breach_ticket import SLMBreachTicket
		from slm_app.slm.doctype.slm_breach_underpinning.slm_breach_underpinning import SLMBreachUnderpinning

		actions: DF.Table[SLMBreachAction]
		affected_customer: DF.Link | None
		affected_users: DF.SmallText | None
		affected_users_count: DF.Int
		agreement: DF.Link
		agreement_code: DF.Data | None
		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		cause: DF.SmallText | None
		compliance_share: DF.Percent
		detected_on: DF.Datetime | None
		handling_note: DF.SmallText | None
		measured_value: DF.Float
		metric_kind: DF.Literal["Availability", "Response Time", "Resolution Time", "Custom Metric"]
		missed_count: DF.Int
		monitoring_record: DF.Link | None
		notifications: DF.Table[SLMBreachNotification]
		occurred_at: DF.Datetime | None
		party: DF.Link | None
		period: DF.Data | None
		priority: DF.Literal["", "Critical", "High", "Medium", "Low"]
		sample_count: DF.Int
		service: DF.Link | None
		target_code: DF.Data | None
		target_value: DF.Float
		tickets: DF.Table[SLMBreachTicket]
		underpinning: DF.Table[SLMBreachUnderpinning]
		version: DF.Int
		workflow_state: DF.Link | None
	# end: auto-generated types
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
