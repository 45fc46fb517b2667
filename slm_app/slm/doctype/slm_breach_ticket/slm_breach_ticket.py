# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMBreachTicket(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		deadline: DF.Datetime | None
		elapsed_minutes: DF.Float
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		target_minutes: DF.Float
		ticket: DF.Link | None
	# end: auto-generated types
	pass
