# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMServiceReportBreach(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement_code: DF.Data | None
		breach: DF.Link | None
		cause: DF.SmallText | None
		handling_note: DF.SmallText | None
		measured_text: DF.Data | None
		metric: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		period: DF.Data | None
		resolved_on: DF.Date | None
		service: DF.Link | None
		status: DF.Literal["Open", "Notified", "Handling", "Resolved", "Closed"]
		target_code: DF.Data | None
		target_text: DF.Data | None
	# end: auto-generated types
	pass
