# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document


class SLMBudgetWarning(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_budget_warning_recipient.slm_budget_warning_recipient import SLMBudgetWarningRecipient

		agreement: DF.Link | None
		agreement_code: DF.Data | None
		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		budget_left: DF.Float
		budget_unit: DF.Literal["", "Tickets", "Minutes"]
		deadline: DF.Datetime | None
		kind: DF.Literal["Budget", "Ticket"]
		message: DF.SmallText | None
		metric_kind: DF.Literal["Availability", "Response Time", "Resolution Time", "Custom Metric"]
		party: DF.Link | None
		period: DF.Data | None
		priority: DF.Literal["", "Critical", "High", "Medium", "Low"]
		raised_on: DF.Datetime | None
		recipients: DF.Table[SLMBudgetWarningRecipient]
		service: DF.Link | None
		status: DF.Literal["On Track", "At Risk", "Breached", "No Data"]
		target_code: DF.Data | None
		threshold: DF.Int
		ticket: DF.Data | None
		title: DF.Data | None
		used_pct: DF.Percent
	# end: auto-generated types
	pass
