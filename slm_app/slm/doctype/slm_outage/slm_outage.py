# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app import monitoring
from slm_app.core import measurements as ms
from slm_app.utils import throw_problems


class SLMOutage(Document):
	def validate(self):
		row = {"service": self.service, "start": self.outage_start, "end": self.outage_end, "planned": self.planned}
		throw_problems(ms.check_outages([row], monitoring.directory_for(services=[self.service])).problems)
