# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMServiceReportPlan(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		actions_done: DF.Int
		actions_total: DF.Int
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		plan: DF.Link | None
		recovery: DF.Data | None
		status: DF.Literal["Open", "In Progress", "Closed"]
		title: DF.Data | None
	# end: auto-generated types
	pass
