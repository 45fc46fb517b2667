# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from slm_app import service_reports
from slm_app.core import service_reports as sr
from slm_app.utils import throw_problems


# what the report's content depends on: a change to any of them collects the quarter again
COLLECTED_FROM = ("report_scope", "party", "agreement", "year", "quarter", "language")


class SLMServiceReport(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_service_report_breach.slm_service_report_breach import SLMServiceReportBreach
		from slm_app.slm.doctype.slm_service_report_line.slm_service_report_line import SLMServiceReportLine
		from slm_app.slm.doctype.slm_service_report_plan.slm_service_report_plan import SLMServiceReportPlan
		from slm_app.slm.doctype.slm_service_report_recipient.slm_service_report_recipient import SLMServiceReportRecipient
		from slm_app.slm.doctype.slm_service_report_review.slm_service_report_review import SLMServiceReportReview

		agreement: DF.Link | None
		agreement_code: DF.Data | None
		agreement_count: DF.Int
		amended_from: DF.Link | None
		approved_by: DF.Link | None
		approved_on: DF.Datetime | None
		breach_count: DF.Int
		breaches: DF.Table[SLMServiceReportBreach]
		breaches_handled: DF.Int
		commentary: DF.TextEditor | None
		compliance: DF.Table[SLMServiceReportLine]
		compliance_pct: DF.Percent
		generated_on: DF.Datetime | None
		language: DF.Link | None
		months_breached: DF.Int
		months_met: DF.Int
		months_no_data: DF.Int
		open_plan_count: DF.Int
		party: DF.Link
		period_from: DF.Date | None
		period_to: DF.Date | None
		plan_count: DF.Int
		plans: DF.Table[SLMServiceReportPlan]
		quarter: DF.Literal["1", "2", "3", "4"]
		recipients: DF.Table[SLMServiceReportRecipient]
		report_scope: DF.Literal["Customer", "SLA"]
		review_count: DF.Int
		reviews: DF.Table[SLMServiceReportReview]
		sent_on: DF.Datetime | None
		target_count: DF.Int
		targets_met: DF.Int
		workflow_state: DF.Link | None
		year: DF.Int
	# end: auto-generated types
	def autoname(self):
		self.set_scope()
		self.check_scope()
		key = self.agreement_code if self.report_scope == sr.SLA_SCOPE else self.party
		self.name = f"SR-{key}-{int(self.year)}-Q{self.quarter}"

	def before_validate(self):
		self.set_scope()
		if not self.language and self.party:
			self.language = frappe.db.get_value("SLM Party", self.party, "report_language") or frappe.db.get_single_value("System Settings", "language") or "en"

	def set_scope(self):
		"""An SLA report takes its code and customer from the SLA; a customer report has no SLA."""
		if self.report_scope == sr.SLA_SCOPE and self.agreement:
			sla = frappe.db.get_value("SLM Agreement", self.agreement, ["agreement_type", "agreement_code", "party"], as_dict=True)
			if sla and sla.agreement_type == "SLA":
				self.agreement_code, self.party = sla.agreement_code, sla.party
		elif self.report_scope == sr.CUSTOMER:
			self.agreement = self.agreement_code = None

	def check_scope(self):
		throw_problems(sr.check_quarter(self.year, self.quarter))
		if self.report_scope not in sr.SCOPES:
			frappe.throw(_("Report For must be Customer or SLA, not {0}").format(self.report_scope or _("empty")), title=_("Invalid entry"))
		if self.report_scope == sr.SLA_SCOPE:
			kind = frappe.db.get_value("SLM Agreement", self.agreement, "agreement_type") if self.agreement else None
			if kind != "SLA":
				frappe.throw(_("{0} is not an SLA: pick the SLA to report on").format(self.agreement or _("empty")), title=_("Invalid entry"))
		if not self.party:
			frappe.throw(_("Pick the customer the report is for"), title=_("Missing information"))
		if frappe.db.get_value("SLM Party", self.party, "party_type") != "Customer":
			frappe.throw(_("{0} is not a customer: service reports go to customers").format(self.party), title=_("Invalid entry"))

	def validate(self):
		self.check_scope()
		self.check_duplicate()
		if self.docstatus == 0 and (self.is_new() or any(self.has_value_changed(f) for f in COLLECTED_FROM)):
			service_reports.collect(self)
			if not self.flags.slas_in_force:
				frappe.throw(
					_("No SLA of {0} was in force in Q{1} {2}: there is nothing to report").format(self.agreement_code or self.party, self.quarter, self.year),
					title=_("Nothing to report"),
				)

	def check_duplicate(self):
		other = frappe.db.get_value(
			"SLM Service Report",
			{
				"report_scope": self.report_scope,
				"party": self.party,
				"agreement_code": self.agreement_code or ["is", "not set"],
				"year": self.year,
				"quarter": self.quarter,
				"docstatus": ["<", 2],
				"name": ["!=", "" if self.is_new() else self.name],
			},
			"name",
		)
		if other and other != self.amended_from:
			frappe.throw(_("The report for this quarter already exists: {0}").format(other), title=_("Duplicate report"))

	def before_submit(self):
		service_reports.check_can_send(self)
		self.approved_by = frappe.session.user
		self.approved_on = now_datetime()

	def on_submit(self):
		rows = service_reports.send(self)
		for row in rows:
			self.append("recipients", row)
		self.sent_on = now_datetime()
		for row in self.recipients:
			row.db_insert()
		self.db_set("sent_on", self.sent_on, update_modified=False)

	@frappe.whitelist()
	def refresh_data(self) -> str:
		"""Collect the quarter's data again (drafts only), e.g. after a recomputed month or a closed breach."""
		self.check_permission("write")
		if self.docstatus != 0:
			frappe.throw(_("Only a draft report can be refreshed; amend an approved report instead"), title=_("Not allowed"))
		service_reports.collect(self)
		self.save()
		return self.name
