# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMBreachNotification(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		channel: DF.Literal["Email", "System Notification"]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		recipient: DF.Link | None
		sent_on: DF.Datetime | None
	# end: auto-generated types
	pass
