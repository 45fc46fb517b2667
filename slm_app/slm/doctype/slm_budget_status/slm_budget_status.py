# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document


class SLMBudgetStatus(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement: DF.Link | None
		agreement_code: DF.Data | None
		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		as_of: DF.Datetime | None
		basis_text: DF.SmallText | None
		breach_chance: DF.Percent
		budget_left: DF.Float
		budget_text: DF.SmallText | None
		budget_total: DF.Float
		budget_unit: DF.Literal["", "Tickets", "Minutes"]
		budget_used: DF.Float
		burn_rate: DF.Float
		compliance_share: DF.Percent
		day: DF.Date | None
		elapsed_pct: DF.Percent
		expected_count: DF.Float
		history_months: DF.Int
		is_latest: DF.Check
		measured_value: DF.Float
		met_count: DF.Int
		metric_kind: DF.Literal["Availability", "Response Time", "Resolution Time", "Custom Metric"]
		metric_name: DF.Data | None
		miss_rate: DF.Percent
		missed_count: DF.Int
		party: DF.Link | None
		pending_count: DF.Int
		period: DF.Data | None
		priority: DF.Literal["", "Critical", "High", "Medium", "Low"]
		projected_result: DF.Literal["Met", "Breached", "No Data"]
		projected_value: DF.Float
		result_so_far: DF.Literal["Met", "Breached", "No Data"]
		sample_count: DF.Int
		service: DF.Link | None
		status: DF.Literal["On Track", "At Risk", "Breached", "No Data"]
		target_code: DF.Data | None
		target_value: DF.Float
		time_unit: DF.Data | None
		title: DF.Data | None
		unit: DF.Data | None
		used_pct: DF.Percent
		version: DF.Int
	# end: auto-generated types
	pass
