# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from slm_app.core.month import record_name
from slm_app.core.periods import parse_month


class SLMMonitoringRecord(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement: DF.Link
		agreement_code: DF.Data | None
		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		amended_from: DF.Link | None
		amendment_reason: DF.SmallText | None
		compliance_share: DF.Percent
		measured_value: DF.Float
		met_count: DF.Int
		method: DF.SmallText | None
		metric_kind: DF.Literal["Availability", "Response Time", "Resolution Time", "Custom Metric"]
		metric_name: DF.Data | None
		monitored_by: DF.Link | None
		monitored_on: DF.Datetime | None
		occurred_at: DF.Datetime | None
		party: DF.Link | None
		period: DF.Data
		period_end: DF.Date | None
		period_start: DF.Date | None
		priority: DF.Literal["", "Critical", "High", "Medium", "Low"]
		result: DF.Literal["Met", "Breached", "No Data"]
		sample_count: DF.Int
		service: DF.Link | None
		target_code: DF.Data
		target_value: DF.Float
		unit: DF.Data | None
		version: DF.Int
	# end: auto-generated types
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
