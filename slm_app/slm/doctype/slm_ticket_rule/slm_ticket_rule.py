# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document


class SLMTicketRule(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement: DF.Link
		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		customer: DF.Data | None
		enabled: DF.Check
		priority_map: DF.SmallText | None
		service: DF.Link | None
		source: DF.Literal["Helpdesk", "ERPNext"]
		team: DF.Data | None
		ticket_type: DF.Data | None
	# end: auto-generated types
	def validate(self):
		from slm_app import ticket_sources

		ticket_sources.validate_rule(self)
