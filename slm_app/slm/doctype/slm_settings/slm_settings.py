# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app.core import kpis
from slm_app.utils import throw_problems


DEFAULT_DUE_DAY = 5


class SLMSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		company_name: DF.Data | None
		default_service_calendar: DF.Link | None
		monitoring_due_day: DF.Int
		service_report_scope: DF.Literal["Customer and SLA", "Customer", "SLA", "No Reports"]
		ticket_pause_statuses: DF.SmallText | None
		ticket_priority_after_change: DF.Literal["latest", "first", "highest"]
		ticket_reopened: DF.Literal["resolved_paused", "resolved_counts", "first_resolution"]
		ticket_resolved_statuses: DF.SmallText | None
	# end: auto-generated types
	def validate(self):
		if self.monitoring_due_day in (None, "", 0):
			self.monitoring_due_day = DEFAULT_DUE_DAY  # sites upgraded from before the field existed
		throw_problems(kpis.validate_due_day(self.monitoring_due_day))
