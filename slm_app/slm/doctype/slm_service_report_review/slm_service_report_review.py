# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMServiceReportReview(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement: DF.Link | None
		decisions: DF.SmallText | None
		held_on: DF.Date | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		review: DF.Link | None
		review_date: DF.Date | None
		status: DF.Literal["Scheduled", "Held", "Closed"]
	# end: auto-generated types
	pass
