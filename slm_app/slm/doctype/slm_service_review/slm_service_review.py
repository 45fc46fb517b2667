# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, nowdate

from slm_app.core import reviews
from slm_app.utils import throw_problems


class SLMServiceReview(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_review_attendee.slm_review_attendee import SLMReviewAttendee
		from slm_app.slm.doctype.slm_review_item.slm_review_item import SLMReviewItem
		from slm_app.slm.doctype.slm_review_result.slm_review_result import SLMReviewResult

		agenda: DF.TextEditor | None
		agreement: DF.Link
		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		attendees: DF.Table[SLMReviewAttendee]
		findings: DF.Table[SLMReviewItem]
		held_on: DF.Date | None
		minutes: DF.TextEditor | None
		party: DF.Link | None
		period_from: DF.Date | None
		period_to: DF.Date | None
		reminded_on: DF.Date | None
		results: DF.Table[SLMReviewResult]
		review_date: DF.Date
		status: DF.Literal["Scheduled", "Held", "Closed"]
	# end: auto-generated types
	def validate(self):
		if self.period_from and self.period_to and getdate(self.period_to) < getdate(self.period_from):
			frappe.throw(_("Period To ({0}) must not be before Period From ({1})").format(self.period_to, self.period_from))
		if self.status in ("Held", "Closed") and not self.held_on:
			self.held_on = nowdate()
		if self.status == "Closed":
			items = [{"idx": r.idx, "description": r.description, "status": r.status} for r in self.findings]
			throw_problems(reviews.check_review_close(items))
		if self.is_new() and not self.results and self.period_from and self.period_to:
			self.prefill()
		if self.is_new() and not self.attendees and self.agreement:
			self.prefill_attendees()

	def prefill_attendees(self):
		"""The counterparty's people (the customer's contacts for an SLA, the support team for an OLA, the
		supplier's contacts for a UC) and the manager who drafted the agreement."""
		party, drafted_by = frappe.db.get_value("SLM Agreement", self.agreement, ["party", "owner"])
		members = frappe.get_all(
			"SLM Party Member",
			filters={"parent": party, "parenttype": "SLM Party"},
			fields=["user", "full_name"],
			order_by="is_primary desc, idx asc",
		)
		for m in members:
			self.append("attendees", {"user": m.user, "attendee_name": m.full_name or (frappe.utils.get_fullname(m.user) if m.user else ""), "organisation": party})
		if drafted_by and drafted_by not in ("Administrator", "Guest") and drafted_by not in {m.user for m in members}:
			company = frappe.db.get_single_value("SLM Settings", "company_name") or ""
			self.append("attendees", {"user": drafted_by, "attendee_name": frappe.utils.get_fullname(drafted_by), "organisation": company})

	@frappe.whitelist()
	def prefill(self) -> int:
		"""The period's monitoring rows and breaches of the agreement (all its versions), for the meeting.
		Called from the form on a review that may not be saved yet: it checks the agreement it reads, and
		reads only the records the user may read."""
		self.check_permission("write")
		if not self.agreement or not frappe.has_permission("SLM Agreement", "read", doc=self.agreement):
			frappe.throw(_("You may not read agreement {0}").format(self.agreement or "-"), frappe.PermissionError)
		if not (self.period_from and self.period_to):
			frappe.throw(_("Set Period From and Period To first"), title=_("Missing information"))
		code = frappe.db.get_value("SLM Agreement", self.agreement, "agreement_code")
		start, end = str(getdate(self.period_from))[:7], str(getdate(self.period_to))[:7]
		records = frappe.get_list(
			"SLM Monitoring Record",
			filters=[["agreement_code", "=", code], ["docstatus", "=", 1], ["period", ">=", start], ["period", "<=", end]],
			fields=["name", "agreement", "period", "target_code", "metric_kind", "result", "measured_value"],
			order_by="period asc, target_code asc",
			limit_page_length=0,
		)
		breaches = {
			(b.agreement, b.target_code, b.period): b.name
			for b in frappe.get_list(
				"SLM Breach",
				filters=[["agreement_code", "=", code], ["period", ">=", start], ["period", "<=", end]],
				fields=["name", "agreement", "target_code", "period"],
				limit_page_length=0,
			)
		}
		self.set("results", [])
		for r in records:
			self.append(
				"results",
				{
					"monitoring_record": r.name,
					"period": r.period,
					"target_code": r.target_code,
					"metric_kind": r.metric_kind,
					"result": r.result,
					"measured_value": None if r.result == "No Data" else r.measured_value,
					"breach": breaches.get((r.agreement, r.target_code, r.period)),
				},
			)
		return len(records)
