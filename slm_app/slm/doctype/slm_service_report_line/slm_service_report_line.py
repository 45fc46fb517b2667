# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMServiceReportLine(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement: DF.Link | None
		agreement_code: DF.Data | None
		metric: DF.Data | None
		months_breached: DF.Int
		months_met: DF.Int
		months_no_data: DF.Int
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		priority: DF.Literal["", "Critical", "High", "Medium", "Low"]
		quarter_result: DF.Literal["Met", "Breached", "No Data"]
		result_1: DF.Literal["Met", "Breached", "No Data"]
		result_2: DF.Literal["Met", "Breached", "No Data"]
		result_3: DF.Literal["Met", "Breached", "No Data"]
		service: DF.Link | None
		target_code: DF.Data | None
		target_text: DF.Data | None
		value_1: DF.Data | None
		value_2: DF.Data | None
		value_3: DF.Data | None
	# end: auto-generated types
	pass
