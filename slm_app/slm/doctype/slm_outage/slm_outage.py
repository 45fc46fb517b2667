# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app import monitoring
from slm_app.core import measurements as ms
from slm_app.utils import throw_problems


class SLMOutage(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		naming_series: DF.Literal["SLM-OUT-.YYYY.-"]
		outage_end: DF.Datetime
		outage_start: DF.Datetime
		planned: DF.Check
		service: DF.Link
	# end: auto-generated types
	def validate(self):
		row = {"service": self.service, "start": self.outage_start, "end": self.outage_end, "planned": self.planned}
		throw_problems(ms.check_outages([row], monitoring.directory_for(services=[self.service])).problems)
