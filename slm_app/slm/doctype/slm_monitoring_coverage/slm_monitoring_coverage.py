# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app import monitoring
from slm_app.core import measurements as ms
from slm_app.utils import throw_problems


class SLMMonitoringCoverage(Document):
	def validate(self):
		row = {"service": self.service, "start": self.covered_from, "end": self.covered_to}
		throw_problems(ms.check_coverage([row], monitoring.directory_for(services=[self.service])).problems)
