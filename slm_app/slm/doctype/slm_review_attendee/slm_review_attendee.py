# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMReviewAttendee(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attendee_name: DF.Data | None
		organisation: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		user: DF.Link | None
	# end: auto-generated types
	pass
