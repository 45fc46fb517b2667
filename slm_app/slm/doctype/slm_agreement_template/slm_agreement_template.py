# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from slm_app.core import templates
from slm_app.utils import throw_problems


class SLMAgreementTemplate(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		body: DF.TextEditor
		is_default: DF.Check
		language: DF.Link | None
		template_name: DF.Data
	# end: auto-generated types
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
