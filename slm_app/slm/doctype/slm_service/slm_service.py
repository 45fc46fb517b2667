# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from slm_app.core import targets as tgt
from slm_app.utils import throw_problems

DRAFT, PUBLISHED, RETIRED = "Draft", "Published", "Retired"


class SLMService(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_service_dependency.slm_service_dependency import SLMServiceDependency
		from slm_app.slm.doctype.slm_service_level.slm_service_level import SLMServiceLevel

		depends_on: DF.Table[SLMServiceDependency]
		description: DF.TextEditor | None
		published_by: DF.Link | None
		published_on: DF.Datetime | None
		retired_on: DF.Datetime | None
		scope: DF.SmallText | None
		service_calendar: DF.Link | None
		service_kind: DF.Literal["Business Service", "Technical Service"]
		service_levels: DF.Table[SLMServiceLevel]
		service_name: DF.Data
		service_owner: DF.Link | None
		supplier: DF.Link | None
		support_team: DF.Link | None
		workflow_state: DF.Link | None
	# end: auto-generated types
	def validate(self):
		self.validate_dependencies()
		self.validate_counterparties()
		self.validate_service_levels()
		self.on_state_change()

	def validate_dependencies(self):
		if self.service_kind != "Business Service" and self.depends_on:
			frappe.throw(
				_("Only a Business Service is built on technical services; clear Technical Services or change Kind"),
				title=_("Invalid dependency"),
			)
		seen = set()
		for row in self.depends_on:
			if row.service == self.name:
				frappe.throw(_("Row {0}: a service cannot be built on itself").format(row.idx))
			if row.service in seen:
				frappe.throw(_("Row {0}: {1} is listed twice").format(row.idx, row.service))
			seen.add(row.service)
			kind = frappe.db.get_value("SLM Service", row.service, "service_kind")
			if kind != "Technical Service":
				frappe.throw(
					_("Row {0}: {1} is a {2}; a business service is built on technical services only").format(
						row.idx, row.service, _(kind or "")
					)
				)

	def validate_counterparties(self):
		for field, expected in (("support_team", "Support Team"), ("supplier", "Supplier")):
			party = self.get(field)
			if party and frappe.db.get_value("SLM Party", party, "party_type") != expected:
				frappe.throw(
					_("{0}: {1} is not a party of type {2}").format(_(self.meta.get_label(field)), party, _(expected))
				)

	def validate_service_levels(self):
		levels = []
		for row in self.service_levels:
			d = row.as_dict()
			d["service"] = self.name or self.service_name
			d["target_code"] = None
			levels.append(d)
		throw_problems(tgt.validate_targets(levels))

	def on_state_change(self):
		before = self.get_doc_before_save()
		old = before.workflow_state if before else None
		new = self.workflow_state or DRAFT
		if old == new:
			return
		if new == PUBLISHED:
			self.validate_publishable()
			self.published_by = frappe.session.user
			self.published_on = now_datetime()
		elif new == RETIRED:
			self.validate_retirable()
			self.retired_on = now_datetime()

	def validate_publishable(self):
		missing = [
			_(self.meta.get_label(f)) for f in ("service_owner", "service_calendar") if not self.get(f)
		]
		if not self.service_levels:
			missing.append(_("Service Levels"))
		if missing:
			frappe.throw(
				_("Before publishing, fill in: {0}").format(", ".join(missing)), title=_("Cannot publish")
			)
		for row in self.depends_on:
			state = frappe.db.get_value("SLM Service", row.service, "workflow_state")
			if state != PUBLISHED:
				frappe.throw(
					_("Publish the technical service {0} first; it is {1}").format(row.service, _(state or DRAFT)),
					title=_("Cannot publish"),
				)

	def validate_retirable(self):
		covering = frappe.get_all(
			"SLM Agreement",
			filters={"workflow_state": ["in", ["Signed", "Active"]], "name": ["in", self._agreements()]},
			pluck="name",
		)
		if covering:
			frappe.throw(
				_("{0} cannot be retired while these agreements cover it: {1}").format(self.name, ", ".join(covering)),
				title=_("Cannot retire"),
			)
		users = frappe.get_all(
			"SLM Service Dependency",
			filters={"service": self.name, "parenttype": "SLM Service"},
			pluck="parent",
		)
		live = [s for s in users if frappe.db.get_value("SLM Service", s, "workflow_state") == PUBLISHED]
		if live:
			frappe.throw(
				_("{0} cannot be retired: published business services are built on it: {1}").format(
					self.name, ", ".join(live)
				),
				title=_("Cannot retire"),
			)

	def _agreements(self) -> list[str]:
		return frappe.get_all(
			"SLM Agreement Service", filters={"service": self.name, "parenttype": "SLM Agreement"}, pluck="parent"
		) or [""]
