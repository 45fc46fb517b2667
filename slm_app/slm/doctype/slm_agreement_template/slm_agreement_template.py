# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from slm_app.core import templates
from slm_app.utils import throw_problems


class SLMAgreementTemplate(Document):
	def validate(self):
		throw_problems(templates.validate_template(self.body or ""))
		self.validate_single_default()

	def validate_single_default(self):
		if not self.is_default:
			return
		other = frappe.db.get_value(
			"SLM Agreement Template",
			{
				"agreement_type": self.agreement_type,
				"language": self.language or "",
				"is_default": 1,
				"name": ["!=", self.name or ""],
			},
		)
		if other:
			frappe.throw(
				_("{0} is already the default {1} template for this language; clear its Default first").format(
					other, self.agreement_type
				)
			)


@frappe.whitelist()
def get_placeholders() -> list[dict]:
	return [{"name": k, "description": _(v)} for k, v in templates.PLACEHOLDERS.items()]
