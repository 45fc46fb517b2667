# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app import monitoring
from slm_app.core import measurements as ms
from slm_app.utils import throw_problems


class SLMTicketEvent(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_ticket_change.slm_ticket_change import SLMTicketChange
		from slm_app.slm.doctype.slm_ticket_pause.slm_ticket_pause import SLMTicketPause

		agreement: DF.Link | None
		agreement_code: DF.Data | None
		changes: DF.Table[SLMTicketChange]
		created_at: DF.Datetime
		customer: DF.Link | None
		first_response_at: DF.Datetime | None
		pauses: DF.Table[SLMTicketPause]
		priority: DF.Literal["", "Critical", "High", "Medium", "Low"]
		raised_by: DF.Data | None
		reopen_count: DF.Int
		resolutions: DF.SmallText | None
		resolved_at: DF.Datetime | None
		service: DF.Link | None
		source: DF.Data | None
		source_status: DF.Data | None
		source_ticket: DF.Data | None
		team: DF.Data | None
		ticket_id: DF.Data
	# end: auto-generated types
	def validate(self):
		"""The same row checks as bulk imports and the offline command, for one ticket."""
		directory = monitoring.directory_for(agreements=[self.agreement] if self.agreement else None)
		row = {
			"ticket_id": self.ticket_id,
			"agreement": self.agreement,
			"service": self.service,
			"customer": self.customer,
			"priority": self.priority,
			"raised_by": self.raised_by,
			"created": self.created_at,
			"first_response": self.first_response_at,
			"resolved": self.resolved_at,
			"pauses": [{"start": p.pause_start, "end": p.pause_end} for p in self.pauses],
		}
		checked = ms.check_tickets([row], directory)
		throw_problems(checked.problems)
		self.agreement_code = checked.frames["tickets"].agreement_code.iloc[0]
