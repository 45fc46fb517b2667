# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMServiceLevel(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		compliance_share: DF.Percent
		direction: DF.Literal["", "Higher is better", "Lower is better"]
		level_name: DF.Data
		metric_kind: DF.Literal["Availability", "Response Time", "Resolution Time", "Custom Metric"]
		metric_name: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		priority: DF.Literal["", "Critical", "High", "Medium", "Low"]
		target_value: DF.Float
		time_unit: DF.Literal["", "Minutes", "Hours"]
		unit: DF.Data | None
	# end: auto-generated types
	pass
