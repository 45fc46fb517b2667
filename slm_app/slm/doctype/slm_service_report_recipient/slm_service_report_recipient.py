# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document


class SLMServiceReportRecipient(Document):
	pass
