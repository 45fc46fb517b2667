# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMReviewResult(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		breach: DF.Link | None
		measured_value: DF.Float
		metric_kind: DF.Literal["Availability", "Response Time", "Resolution Time", "Custom Metric"]
		monitoring_record: DF.Link | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		period: DF.Data | None
		result: DF.Literal["Met", "Breached", "No Data"]
		target_code: DF.Data | None
	# end: auto-generated types
	pass
