# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app import monitoring
from slm_app.core import measurements as ms
from slm_app.utils import throw_problems


class SLMMetricValue(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement: DF.Link
		measured_at: DF.Datetime
		naming_series: DF.Literal["SLM-MV-.YYYY.-"]
		note: DF.SmallText | None
		target_code: DF.Data
		value: DF.Float
	# end: auto-generated types
	def validate(self):
		row = {"agreement": self.agreement, "target": self.target_code, "at": self.measured_at, "value": self.value}
		throw_problems(ms.check_metrics([row], monitoring.directory_for(agreements=[self.agreement])).problems)
