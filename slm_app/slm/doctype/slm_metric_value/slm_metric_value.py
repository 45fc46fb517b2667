# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app import monitoring
from slm_app.core import measurements as ms
from slm_app.utils import throw_problems


class SLMMetricValue(Document):
	def validate(self):
		row = {"agreement": self.agreement, "target": self.target_code, "at": self.measured_at, "value": self.value}
		throw_problems(ms.check_metrics([row], monitoring.directory_for(agreements=[self.agreement])).problems)
