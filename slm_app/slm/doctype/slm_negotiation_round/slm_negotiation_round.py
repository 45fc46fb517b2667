# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMNegotiationRound(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		decided_by: DF.Link | None
		decided_on: DF.Datetime | None
		note: DF.SmallText | None
		outcome: DF.Literal["Agreed", "Not Agreed", "Reopened"]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		round_no: DF.Int
	# end: auto-generated types
	pass
