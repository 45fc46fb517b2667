# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app import monitoring
from slm_app.core import measurements as ms
from slm_app.utils import throw_problems


class SLMMonitoringCoverage(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		covered_from: DF.Datetime
		covered_to: DF.Datetime
		naming_series: DF.Literal["SLM-COV-.YYYY.-"]
		service: DF.Link
		source: DF.Data | None
	# end: auto-generated types
	def validate(self):
		row = {"service": self.service, "start": self.covered_from, "end": self.covered_to}
		throw_problems(ms.check_coverage([row], monitoring.directory_for(services=[self.service])).problems)
