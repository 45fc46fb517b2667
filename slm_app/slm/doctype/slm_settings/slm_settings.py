# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app.core import kpis
from slm_app.utils import throw_problems


DEFAULT_DUE_DAY = 5


class SLMSettings(Document):
	def validate(self):
		if self.monitoring_due_day in (None, "", 0):
			self.monitoring_due_day = DEFAULT_DUE_DAY  # sites upgraded from before the field existed
		throw_problems(kpis.validate_due_day(self.monitoring_due_day))
