# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app.core import kpis
from slm_app.utils import throw_problems


class SLMSettings(Document):
	def validate(self):
		throw_problems(kpis.validate_due_day(self.monitoring_due_day))
