# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import add_years, getdate, now_datetime, nowdate

from slm_app.core import catalogue
from slm_app.core import targets as tgt
from slm_app.utils import rows, throw_problems

TARGET_KEYS = tgt.VALUE_FIELDS


class SLMServiceLevelRequirement(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_requirement_item.slm_requirement_item import SLMRequirementItem

		agreement: DF.Link | None
		compared_by: DF.Link | None
		compared_on: DF.Datetime | None
		customer: DF.Link
		description: DF.SmallText | None
		design_note: DF.SmallText | None
		items: DF.Table[SLMRequirementItem]
		naming_series: DF.Literal["SLR-.YYYY.-"]
		outcome: DF.Literal["", "Existing Service", "New Service Design Needed"]
		requested_on: DF.Date | None
		service_contract: DF.Data | None
		status: DF.Literal["Draft", "Compared", "Agreements Drafted", "New Service Design"]
		title: DF.Data
	# end: auto-generated types
	def validate(self):
		if frappe.db.get_value("SLM Party", self.customer, "party_type") != "Customer":
			frappe.throw(_("Customer {0} is not a party of type Customer").format(self.customer))
		throw_problems(catalogue.validate_requirement_items(rows(self, "items")))

	@frappe.whitelist()
	def compare_with_catalogue(self) -> str:
		"""SL2.2: can existing services meet the need? The result is stored on each item."""
		self.check_permission("write")
		services = sorted({r.service for r in self.items if r.service})
		result = catalogue.compare_requirement(rows(self, "items"), load_catalogue(services))
		by_idx = {r["idx"]: r for r in result["items"]}
		for row in self.items:
			r = by_idx.get(row.idx, {})
			row.met = 1 if r.get("met") else 0
			row.matched_level = r.get("matched_level")
			problem = r.get("gap_problem")
			row.gap = problem.format(_) if problem else r.get("gap")
		self.outcome = result["outcome"]
		self.status = "Compared" if self.outcome == "Existing Service" else "New Service Design"
		self.compared_by = frappe.session.user
		self.compared_on = now_datetime()
		self.save()
		return self.outcome

	@frappe.whitelist()
	def make_agreements(self) -> dict:
		"""Existing service: draft the SLA from the requirement, and an OLA per support team and a UC per
		supplier of the services, with every SLA target linked to the OLA / UC targets under it (SL2.1, SL3.1–3.3)."""
		self.check_permission("write")
		if self.outcome != "Existing Service":
			frappe.throw(
				_("Compare with the catalogue first; draft agreements are made only when existing services meet the need"),
				title=_("Not compared"),
			)
		if self.agreement:
			frappe.throw(_("Agreements were already drafted from this requirement: {0}").format(self.agreement))
		services = sorted({r.service for r in self.items if r.service})
		# each requested service is carried by itself and the technical services it is built on
		deps = {svc: [svc] for svc in services}
		for row in frappe.get_all(
			"SLM Service Dependency",
			filters={"parent": ["in", services], "parenttype": "SLM Service"},
			fields=["parent", "service"],
			order_by="idx",
		):
			deps[row.parent].append(row.service)
		carriers = sorted({c for cs in deps.values() for c in cs})
		info = {
			s.name: s
			for s in frappe.get_all(
				"SLM Service",
				filters={"name": ["in", carriers]},
				fields=["name", "support_team", "supplier", "service_calendar"],
			)
		}
		calendar = next((info[s].service_calendar for s in services if info[s].service_calendar), None) or (
			frappe.db.get_single_value("SLM Settings", "default_service_calendar")
		)
		if not calendar:
			frappe.throw(_("Set Service Hours on the services or a Default Service Calendar in SLM Settings"))
		valid_from = getdate(self.requested_on or nowdate())
		base = {
			"valid_from": valid_from,
			"valid_to": add_years(valid_from, 1),
			"review_cycle": "Quarterly",
			"service_calendar": calendar,
			"requirement": self.name,
		}

		def draft(kind, party, title, targets):
			doc = frappe.get_doc(
				{
					"doctype": "SLM Agreement",
					"agreement_type": kind,
					"party": party,
					"title": title,
					**base,
					"services": [{"service": s} for s in sorted({t["service"] for t in targets})],
					"targets": targets,
				}
			)
			doc.insert()
			return doc

		def carrying(service):
			return sum(1 for c in deps[service] for f in ("support_team", "supplier") if info[c].get(f))

		def requested(row, service, share_of=None):
			"""The requested target, and for an underpinning target of a serial chain of n carriers the
			availability each must reach so that together they still meet the request."""
			t = {k: row.get(k) for k in TARGET_KEYS}
			t["service"] = service
			if share_of and row.metric_kind == "Availability" and carrying(share_of) > 1:
				parts = carrying(share_of)
				t["target_value"] = availability_share(row.target_value, parts)
				# the drafted figure says where it comes from (a serial chain: the shares multiply to the request)
				t["measurement_method"] = _(
					"Drafted from the customer's {0} %: {1} OLA / UC availabilities in series multiply to it, so each must reach {2} % ({0} % to the power 1/{1}, rounded up)"
				).format(frappe.utils.flt(row.target_value), parts, t["target_value"])
			return t

		underpinning, made = [], []
		for field, kind in (("support_team", "OLA"), ("supplier", "UC")):
			for party in sorted({info[c].get(field) for c in carriers if info[c].get(field)}):
				targets = [
					requested(row, c, row.service)
					for row in self.items
					if row.service
					for c in deps[row.service]
					if info[c].get(field) == party
				]
				doc = draft(kind, party, _("{0} for {1}").format(kind, self.title), targets)
				made.append(doc.name)
				underpinning.append(doc)
		sla = draft("SLA", self.customer, self.title, [requested(row, row.service) for row in self.items if row.service])
		for st in sla.targets:
			for u in underpinning:
				for ut in u.targets:
					if ut.service in deps[st.service] and (st.metric_kind, st.priority, st.metric_name) == (
						ut.metric_kind,
						ut.priority,
						ut.metric_name,
					):
						sla.append(
							"underpinning",
							{
								"sla_target": st.target_code,
								"underpinning_agreement": u.name,
								"underpinning_target": ut.target_code,
							},
						)
		sla.save()
		self.agreement = sla.name
		self.status = "Agreements Drafted"
		self.save()
		return {"sla": sla.name, "underpinning": made}


def availability_share(total: float, parts: int) -> float:
	"""Availability each of `parts` serial components needs for the chain to reach `total` %, rounded up."""
	import math

	return min(100.0, math.ceil((float(total) / 100) ** (1 / parts) * 100 * 1000) / 1000)


def load_catalogue(services: list[str]) -> dict[str, dict]:
	if not services:
		return {}
	out = {
		s.name: {"status": s.workflow_state or "Draft", "service_levels": []}
		for s in frappe.get_all("SLM Service", filters={"name": ["in", services]}, fields=["name", "workflow_state"])
	}
	for row in frappe.get_all(
		"SLM Service Level",
		filters={"parent": ["in", services], "parenttype": "SLM Service"},
		fields=["parent", "idx", "level_name", *TARGET_KEYS],
		order_by="parent, idx",
	):
		out[row.parent]["service_levels"].append(row)
	return out
