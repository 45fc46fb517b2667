# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document


class SLMUnmatchedTicket(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		customer: DF.Data | None
		key: DF.Data | None
		opened_at: DF.Datetime | None
		reason: DF.SmallText | None
		seen_at: DF.Datetime | None
		source: DF.Data | None
		team: DF.Data | None
		ticket: DF.Data | None
		ticket_type: DF.Data | None
	# end: auto-generated types
	pass
