# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from slm_app.core.roles import ROLE_FOR_PARTY_TYPE


class SLMParty(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_party_member.slm_party_member import SLMPartyMember

		disabled: DF.Check
		email: DF.Data | None
		external_customer: DF.Data | None
		members: DF.Table[SLMPartyMember]
		notes: DF.SmallText | None
		party_name: DF.Data
		party_type: DF.Literal["Customer", "Support Team", "Supplier"]
		phone: DF.Data | None
		report_language: DF.Link | None
	# end: auto-generated types
	def validate(self):
		self.validate_members()
		self.validate_type_change()

	def validate_members(self):
		seen = {}
		for row in self.members:
			if row.user in seen:
				frappe.throw(
					_("Row {0}: {1} is already listed in row {2}").format(row.idx, row.user, seen[row.user]),
					title=_("Duplicate member"),
				)
			seen[row.user] = row.idx
			if row.user in ("Administrator", "Guest"):
				frappe.throw(_("Row {0}: {1} cannot be a counterparty member").format(row.idx, row.user))

	def validate_type_change(self):
		if self.is_new() or not self.has_value_changed("party_type"):
			return
		used = frappe.get_all("SLM Agreement", filters={"party": self.name}, pluck="name", limit=1)
		if used:
			frappe.throw(
				_("Party Type cannot change: {0} is the counterparty of agreement {1}").format(self.name, used[0])
			)

	def on_update(self):
		"""Give each listed person the counterparty role of this party's type, so the desk shows them
		their own agreements (restricted to this party by slm_app.permissions)."""
		role = ROLE_FOR_PARTY_TYPE.get(self.party_type)
		for row in self.members:
			if role and role not in frappe.get_roles(row.user):
				user = frappe.get_doc("User", row.user)
				user.flags.ignore_permissions = True
				user.add_roles(role)
