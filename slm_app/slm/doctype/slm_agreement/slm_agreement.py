# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.naming import make_autoname
from frappe.utils import get_datetime, getdate, now_datetime, nowdate

from slm_app import agreements as adapter
from slm_app.core import lifecycle as lc
from slm_app.core import targets as tgt
from slm_app.core import versions
from slm_app.core.roles import MANAGER, PARTY_TYPE_FOR_AGREEMENT, PROCESS_OWNER
from slm_app.permissions import readable_names
from slm_app.utils import clean_text, rows, throw_problems, user_roles

# Set only by the process's own actions — a workflow transition, Amend, the process owner's override —
# and never by an edit, whether through the form, PUT, set_value or a child row.
SYSTEM_FIELDS = (
	"previous_version",
	"amended_from",
	"rounds",
	"signed_by",
	"signed_on",
	"activated_by",
	"activated_on",
	"ended_on",
	"consistency_override",
	"override_reason",
	"override_by",
	"override_on",
	"override_conflicts",
)
IDENTITY_FIELDS = ("agreement_code", "version")

# What a save may change on a signed agreement: its state, through a workflow transition (whose own
# consequences the controller writes). The notes the actions need are set by set_action_note.
CHANGEABLE_AFTER_SIGNING = {"workflow_state", "modified", "modified_by"}

# What an amendment does not inherit from the version it amends: it is negotiated, signed, activated
# and (where its conflicts call for it) overridden again.
NOT_INHERITED = {
	"workflow_state": lc.DRAFT,
	"rounds": [],
	"negotiation_note": None,
	"signed_by": None,
	"signed_on": None,
	"activated_by": None,
	"activated_on": None,
	"ended_on": None,
	"end_reason": None,
	"consistency_override": 0,
	"override_reason": None,
	"override_by": None,
	"override_on": None,
	"override_conflicts": None,
	"amended_from": None,
	"counterparty_signatory": None,
	"docstatus": 0,
}


class SLMAgreement(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_agreement_service.slm_agreement_service import SLMAgreementService
		from slm_app.slm.doctype.slm_agreement_target.slm_agreement_target import SLMAgreementTarget
		from slm_app.slm.doctype.slm_negotiation_round.slm_negotiation_round import SLMNegotiationRound
		from slm_app.slm.doctype.slm_underpinning.slm_underpinning import SLMUnderpinning

		activated_by: DF.Link | None
		activated_on: DF.Datetime | None
		agreement_code: DF.Data | None
		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		amended_from: DF.Link | None
		amendment_reason: DF.SmallText | None
		change_reference: DF.Data | None
		consistency_override: DF.Check
		counterparty_signatory: DF.Data | None
		end_reason: DF.SmallText | None
		ended_on: DF.Date | None
		negotiation_note: DF.SmallText | None
		override_by: DF.Link | None
		override_conflicts: DF.LongText | None
		override_on: DF.Datetime | None
		override_reason: DF.SmallText | None
		party: DF.Link
		party_type: DF.Literal["Customer", "Support Team", "Supplier"]
		previous_version: DF.Link | None
		requirement: DF.Link | None
		review_cycle: DF.Literal["Monthly", "Quarterly", "Half-yearly", "Yearly"]
		rounds: DF.Table[SLMNegotiationRound]
		service_calendar: DF.Link
		services: DF.Table[SLMAgreementService]
		signed_by: DF.Link | None
		signed_on: DF.Datetime | None
		targets: DF.Table[SLMAgreementTarget]
		template: DF.Link | None
		title: DF.Data
		underpinning: DF.Table[SLMUnderpinning]
		valid_from: DF.Date
		valid_to: DF.Date | None
		version: DF.Int
		workflow_state: DF.Link | None
	# end: auto-generated types
	def onload(self):
		"""Roles, states and maps the form script uses, from the server (the script restates none)."""
		self.set_onload("slm", adapter.form_facts())

	# ---------------------------------------------------------------- naming
	def autoname(self):
		if self.previous_version:
			prev = frappe.db.get_value(
				"SLM Agreement", self.previous_version, ["agreement_code", "version"], as_dict=True
			)
			self.agreement_code = prev.agreement_code
			self.version = (prev.version or 1) + 1
		else:
			self.agreement_code = make_autoname(f"{self.agreement_type}-.YYYY.-.####", doc=self)
			self.version = 1
		self.name = f"{self.agreement_code}-V{self.version}"

	# ---------------------------------------------------------------- validation (drafts)
	def validate(self):
		self.check_system_fields()
		self.validate_party()
		throw_problems(lc.check_validity(self._date("valid_from"), self._date("valid_to")))
		throw_problems(lc.check_review_cycle(self.review_cycle))
		self.validate_services()
		self.assign_target_codes()
		throw_problems(tgt.validate_targets(rows(self, "targets"), [r.service for r in self.services]))
		self.validate_underpinning_links()
		self.validate_template()
		self.validate_amendment_dates()
		self.validate_state_change()

	def check_system_fields(self):
		"""Signatures, activation, the end, the override, the negotiation rounds and the version chain are
		written by the process's own actions only; an edit that changes any of them is refused."""
		if self.flags.slm_system:
			return
		before = self.get_doc_before_save()
		fields = SYSTEM_FIELDS + (IDENTITY_FIELDS if before else ())
		changed = [
			_(self.meta.get_label(f))
			for f in fields
			if not (f == "previous_version" and self.is_new() and self.flags.slm_amendment)
			and _comparable(self, f, self) != _comparable(self, f, before)
		]
		if changed:
			frappe.throw(
				_("{0} cannot be edited: it is set by the agreement's own actions (workflow, Amend, Override)").format(
					", ".join(changed)
				),
				frappe.PermissionError,
				title=_("Not allowed"),
			)

	def validate_amendment_dates(self):
		"""An amendment takes effect inside the validity of the signed version it amends."""
		if not self.previous_version or self.docstatus != 0:
			return
		prev = frappe.db.get_value(
			"SLM Agreement", self.previous_version, ["workflow_state", "valid_from", "valid_to"], as_dict=True
		)
		if not prev:
			frappe.throw(_("The version this amends, {0}, does not exist").format(self.previous_version))
		problems = versions.check_amendment(
			prev.workflow_state,
			getdate(prev.valid_from),
			getdate(prev.valid_to) if prev.valid_to else None,
			self.change_reference,
			self._date("valid_from"),
		)
		if not self.is_new():  # the amended version's state was checked when the amendment was made
			problems = [p for p in problems if p.field != "workflow_state"]
		throw_problems(problems)

	def _date(self, field):
		value = self.get(field)
		return getdate(value) if value else None

	def validate_party(self):
		expected = PARTY_TYPE_FOR_AGREEMENT.get(self.agreement_type)
		party_type, disabled = frappe.db.get_value("SLM Party", self.party, ["party_type", "disabled"]) or (None, 0)
		if party_type != expected:
			frappe.throw(
				_("Counterparty {0} is a {1}; an {2} is made with a {3}").format(
					self.party, _(party_type or "-"), self.agreement_type, _(expected)
				),
				title=_("Wrong counterparty"),
			)
		if disabled and self.is_new():
			frappe.throw(_("Counterparty {0} is disabled").format(self.party))

	def validate_services(self):
		seen = set()
		for row in self.services:
			if row.service in seen:
				frappe.throw(_("Services, row {0}: {1} is listed twice").format(row.idx, row.service))
			seen.add(row.service)
			state = frappe.db.get_value("SLM Service", row.service, "workflow_state")
			if state == "Retired":
				frappe.throw(
					_("Services, row {0}: {1} is retired and cannot be covered by a new agreement").format(
						row.idx, row.service
					)
				)

	def assign_target_codes(self):
		missing = [r for r in self.targets if not r.target_code]
		codes = tgt.next_target_codes([r.target_code for r in self.targets if r.target_code], len(missing))
		for row, code in zip(missing, codes, strict=True):
			row.target_code = code

	def validate_underpinning_links(self):
		if self.agreement_type != "SLA":
			if self.underpinning:
				frappe.throw(_("Only an SLA lists underpinning agreements; clear the Underpinning table"))
			return
		codes = {r.target_code for r in self.targets}
		seen = set()
		for row in self.underpinning:
			if row.sla_target not in codes:
				frappe.throw(
					_("Underpinning, row {0}: this SLA has no target {1}; its targets are {2}").format(
						row.idx, row.sla_target, ", ".join(sorted(codes)) or "-"
					)
				)
			kind = frappe.db.get_value("SLM Agreement", row.underpinning_agreement, "agreement_type")
			if kind not in ("OLA", "UC"):
				frappe.throw(
					_("Underpinning, row {0}: {1} is not an OLA or UC").format(row.idx, row.underpinning_agreement)
				)
			key = (row.sla_target, row.underpinning_agreement, row.underpinning_target)
			if key in seen:
				frappe.throw(_("Underpinning, row {0}: this link is listed twice").format(row.idx))
			seen.add(key)

	def validate_template(self):
		if self.template:
			kind = frappe.db.get_value("SLM Agreement Template", self.template, "agreement_type")
			if kind != self.agreement_type:
				frappe.throw(
					_("Template {0} is for {1}, not for {2}").format(self.template, kind, self.agreement_type)
				)

	# ---------------------------------------------------------------- lifecycle
	def _old_state(self):
		before = self.get_doc_before_save()
		return before.workflow_state if before else None

	def validate_state_change(self):
		old, new = self._old_state(), self.workflow_state or lc.DRAFT
		if self.is_new():
			if new != lc.DRAFT and not self.flags.slm_system:
				frappe.throw(_("A new agreement starts as Draft, not {0}").format(_(new)))
			self.workflow_state = lc.DRAFT
			return
		expected_docstatus = lc.STATES.get(new, (0,))[0]
		if self.docstatus != expected_docstatus:
			frappe.throw(
				_("Use the workflow action to sign: an agreement in state {0} cannot be submitted directly").format(
					_(new)
				),
				title=_("Not allowed"),
			)
		if old == new or self.flags.slm_system:
			return
		throw_problems(lc.check_state_change(self.agreement_type, old, new, user_roles()))
		if (old, new) == (lc.DRAFT, lc.NEGOTIATING):
			# put to the counterparty: its contacts answer in the portal (an SLA's customer, a UC's supplier)
			self.flags.notify_counterparty = True
		if (old, new) == (lc.NEGOTIATING, lc.DRAFT):
			self.on_not_agreed()
		elif (old, new) == (lc.NEGOTIATING, lc.AGREED):
			self.append_round("Agreed", self.negotiation_note)
		elif (old, new) == (lc.AGREED, lc.NEGOTIATING):
			self.append_round("Reopened", self.negotiation_note)

	def append_round(self, outcome, note):
		self.append(
			"rounds",
			{
				"round_no": len(self.rounds) + 1,
				"outcome": outcome,
				"decided_by": frappe.session.user,
				"decided_on": now_datetime(),
				"note": note,
			},
		)
		self.negotiation_note = None

	def on_not_agreed(self):
		"""SL3.5 'no': the SLA goes back to draft and its OLAs are renegotiated (SL3.1)."""
		note = (self.negotiation_note or "").strip()
		if not note:
			frappe.throw(
				_("Record why the customer did not agree in Note for the Next Decision before choosing Not Agreed"),
				title=_("Reason required"),
			)
		self.append_round("Not Agreed", note)
		self.flags.reopen_underpinning = note

	def on_update(self):
		adapter.sync_underpinning_state(self.name, self.workflow_state)
		if self.flags.pop("notify_counterparty", None):
			from slm_app.portal import notify_awaiting

			notify_awaiting(self)
		note = self.flags.pop("reopen_underpinning", None)
		if note:
			self.reopen_olas(note)

	def reopen_olas(self, note, tell_user: bool = True) -> list[str]:
		"""The agreed OLAs beneath this SLA go back to negotiation (the SLA was not agreed). A step of the
		lifecycle, not a read for the caller: ``tell_user`` names them in a message only for the provider's
		people (a customer's contact answering in the portal never learns the internal OLAs)."""
		states = adapter.underpinning_states(self)
		olas = frappe.get_all(
			"SLM Agreement",
			filters={"name": ["in", list(states) or [""]], "agreement_type": "OLA", "workflow_state": lc.AGREED},
			pluck="name",
		)
		for name in olas:
			adapter.add_round(name, "Reopened", _("SLA {0} not agreed: {1}").format(self.name, note))
			adapter.system_transition(
				name,
				lc.NEGOTIATING,
				_("Reopened for renegotiation because the customer did not agree SLA {0}").format(self.name),
			)
		if olas and tell_user:
			frappe.msgprint(
				_("Reopened for renegotiation: {0}").format(", ".join(olas)), alert=True, indicator="orange"
			)
		return olas

	# ---------------------------------------------------------------- signing (SL3.6, SL3.7)
	def before_submit(self):
		if self.workflow_state != lc.SIGNED:
			return
		if self.agreement_type != "SLA":
			throw_problems(lc.check_signing_order(self.agreement_type, adapter.slas_underpinned_by(self.name)))
		unpublished = [
			r.service
			for r in self.services
			if frappe.db.get_value("SLM Service", r.service, "workflow_state") != "Published"
		]
		if unpublished:
			frappe.throw(
				_("Only published catalogue services can be signed for; not published: {0}").format(
					", ".join(unpublished)
				),
				title=_("Cannot sign"),
			)
		self.signed_by = frappe.session.user
		self.signed_on = now_datetime()

	def before_cancel(self):
		frappe.throw(_("A signed agreement is not cancelled; terminate it or amend it"), title=_("Not allowed"))

	# ---------------------------------------------------------------- after signing
	def before_update_after_submit(self):
		self.validate_unchanged_after_signing()
		old, new = self._old_state(), self.workflow_state
		if old == new or self.flags.slm_system:
			return
		throw_problems(lc.check_state_change(self.agreement_type, old, new, user_roles()))
		if new == lc.ACTIVE:
			self.validate_activation()
			self.activated_by = frappe.session.user
			self.activated_on = now_datetime()
		elif new in (lc.EXPIRED, lc.TERMINATED):
			if new == lc.TERMINATED and not (self.end_reason or "").strip():
				frappe.throw(_("Enter the End Reason before terminating"), title=_("Reason required"))
			self.ended_on = nowdate()

	def validate_unchanged_after_signing(self):
		before = self.get_doc_before_save()
		if not before:
			return
		self.check_system_fields()
		changed = []
		for df in self.meta.fields:
			if df.fieldname in CHANGEABLE_AFTER_SIGNING or df.fieldname in SYSTEM_FIELDS or df.fieldtype in ("Section Break", "Column Break", "HTML"):
				continue
			if df.fieldtype == "Table":
				strip = lambda rs: [  # noqa: E731
					{k: v for k, v in r.as_dict().items() if k not in ("modified", "creation", "modified_by", "owner")}
					for r in rs
				]
				if strip(self.get(df.fieldname)) != strip(before.get(df.fieldname)):
					changed.append(_(df.label))
			elif str(self.get(df.fieldname) or "") != str(before.get(df.fieldname) or ""):
				changed.append(_(df.label))
		if changed:
			frappe.throw(
				_(
					"A signed agreement is never edited in place (changed: {0}). Use Amend to create a new version under change control"
				).format(", ".join(changed)),
				title=_("Signed agreement"),
			)

	def validate_activation(self):
		conflicts = adapter.check_consistency(self)
		throw_problems(
			lc.check_activation(
				self.agreement_type,
				self.change_reference,
				adapter.underpinning_states(self),
				len(conflicts),
				bool(self.consistency_override),
			)
		)
		if self.previous_version:
			prev_state = frappe.db.get_value("SLM Agreement", self.previous_version, "workflow_state")
			if prev_state not in lc.SIGNED_STATES:
				frappe.throw(
					_("The version this amends, {0}, is {1}; only a signed or active version can be superseded").format(
						self.previous_version, _(prev_state)
					)
				)

	def on_update_after_submit(self):
		adapter.sync_underpinning_state(self.name, self.workflow_state)
		before = self.get_doc_before_save()
		if before and before.workflow_state != lc.ACTIVE and self.workflow_state == lc.ACTIVE:
			self.activate_underpinning()
			self.supersede_previous()

	def activate_underpinning(self):
		for name, state in adapter.underpinning_states(self).items():
			if state == lc.SIGNED:
				adapter.system_transition(
					name,
					lc.ACTIVE,
					_("Activated with SLA {0} under change {1}").format(self.name, self.change_reference),
					{
						"change_reference": self.change_reference,
						"activated_by": frappe.session.user,
						"activated_on": now_datetime(),
					},
				)

	def supersede_previous(self):
		if not self.previous_version:
			return
		end = versions.end_of_previous(getdate(self.valid_from))
		adapter.system_transition(
			self.previous_version,
			lc.SUPERSEDED,
			_("Superseded by {0} from {1} (change {2})").format(self.name, self.valid_from, self.change_reference),
			{"valid_to": end, "ended_on": end},
		)

	# ---------------------------------------------------------------- actions for the form
	@frappe.whitelist()
	def get_consistency(self) -> list[dict]:
		"""The underpinning consistency check of the form's agreement (which may be unsaved)."""
		check_internal_access(self)
		return adapter.conflicts_as_dicts(adapter.check_consistency(self))


def _get_agreement(name: str, ptype: str = "read") -> "SLMAgreement":
	doc = frappe.get_doc("SLM Agreement", name)
	doc.check_permission(ptype)
	return doc


ACTION_NOTE_FIELDS = {
	"negotiation_note": (lc.NEGOTIATING, lc.AGREED),
	"change_reference": (lc.SIGNED,),
	"end_reason": (lc.ACTIVE,),
}


@frappe.whitelist(methods=["POST"])
def set_action_note(name: str, fieldname: str, value: str) -> None:
	"""Record the note a workflow action needs (the customer's reason for 'Not Agreed', the change
	reference for 'Activate', the reason for 'Terminate') just before the action is taken."""
	if fieldname not in ACTION_NOTE_FIELDS:
		frappe.throw(_("{0} cannot be set this way").format(fieldname))
	doc = _get_agreement(name, "read")
	if not ({MANAGER, PROCESS_OWNER} & user_roles()):
		frappe.throw(_("Only the process owner or the service level manager may do this"), frappe.PermissionError)
	if doc.workflow_state not in ACTION_NOTE_FIELDS[fieldname]:
		frappe.throw(
			_("{0} is set only in state {1}").format(
				_(doc.meta.get_label(fieldname)), ", ".join(_(s) for s in ACTION_NOTE_FIELDS[fieldname])
			)
		)
	value = clean_text(value)
	if not value:
		frappe.throw(_("{0} is required").format(_(doc.meta.get_label(fieldname))))
	doc.db_set(fieldname, value)


@frappe.whitelist(methods=["POST"])
def override_consistency(name: str, reason: str) -> None:
	"""The process owner's explicit, recorded decision to activate despite underpinning conflicts."""
	doc = _get_agreement(name, "read")
	if PROCESS_OWNER not in user_roles():
		frappe.throw(_("Only the SLM Process Owner may override underpinning conflicts"), frappe.PermissionError)
	if doc.agreement_type != "SLA":
		frappe.throw(_("Only an SLA has an underpinning consistency check"))
	if doc.workflow_state in (lc.ACTIVE,) or doc.workflow_state in lc.ENDED_STATES:
		frappe.throw(_("The override is recorded before activation; this agreement is {0}").format(_(doc.workflow_state)))
	reason = clean_text(reason)
	if not reason:
		frappe.throw(_("Give the reason for the override"), title=_("Reason required"))
	conflicts = adapter.conflicts_as_dicts(adapter.check_consistency(doc))
	if not conflicts:
		frappe.throw(_("There are no conflicts to override"))
	doc.db_set(
		{
			"consistency_override": 1,
			"override_reason": reason,
			"override_by": frappe.session.user,
			"override_on": now_datetime(),
			"override_conflicts": "\n".join(c["message"] for c in conflicts),
		}
	)
	doc.add_comment(
		"Info", _("Underpinning conflicts overridden by {0}: {1}").format(frappe.session.user, reason)
	)


@frappe.whitelist(methods=["POST"])
def make_amendment(name: str, change_reference: str, effective_from: str, reason: str | None = None) -> str:
	"""A change to a signed agreement: a new draft version linked to the one in force."""
	prev = _get_agreement(name, "read")
	if not frappe.has_permission("SLM Agreement", "create"):
		frappe.throw(_("You are not allowed to create agreements"), frappe.PermissionError)
	if MANAGER not in user_roles():
		frappe.throw(_("Only the SLM Service Level Manager drafts amendments"), frappe.PermissionError)
	open_amendment = frappe.db.get_value("SLM Agreement", {"previous_version": name, "docstatus": 0}, "name")
	throw_problems(
		versions.check_amendment(
			prev.workflow_state,
			getdate(prev.valid_from),
			getdate(prev.valid_to) if prev.valid_to else None,
			change_reference,
			getdate(effective_from) if effective_from else None,
			open_amendment,
		)
	)
	new = frappe.copy_doc(prev)
	new.update(
		{
			**NOT_INHERITED,
			"previous_version": prev.name,
			"valid_from": effective_from,
			"change_reference": clean_text(change_reference),
			"amendment_reason": clean_text(reason),
		}
	)
	new.flags.slm_amendment = True
	new.insert()
	return new.name


@frappe.whitelist()
def get_form_facts() -> dict:
	"""The form's facts for a new agreement, which has no onload yet."""
	if not frappe.has_permission("SLM Agreement", "read"):
		frappe.throw(_("You are not allowed to read agreements"), frappe.PermissionError)
	return adapter.form_facts()


@frappe.whitelist()
def get_versions(name: str) -> list[dict]:
	doc = _get_agreement(name, "read")
	return frappe.get_list(
		"SLM Agreement",
		filters={"agreement_code": doc.agreement_code},
		fields=["name", "version", "workflow_state", "valid_from", "valid_to", "change_reference"],
		order_by="version asc",
	)


@frappe.whitelist()
def get_consistency(name: str) -> list[dict]:
	doc = _get_agreement(name, "read")
	check_internal_access(doc)
	return adapter.conflicts_as_dicts(adapter.check_consistency(doc))


def check_internal_access(doc) -> None:
	"""The underpinning (the OLAs and UCs beneath an SLA) is internal: only users who may read it (the
	process roles) see the consistency check, and only over agreements they may read."""
	doc.check_permission("read")
	if not doc.has_permlevel_access_to("underpinning"):
		frappe.throw(_("The underpinning of an agreement is internal to the provider"), frappe.PermissionError)
	names = [row.underpinning_agreement for row in doc.underpinning if row.underpinning_agreement]
	hidden = set(names) - readable_names("SLM Agreement", names)
	if hidden:
		frappe.throw(_("You may not read {0}").format(", ".join(sorted(hidden))), frappe.PermissionError)


def _comparable(doc, fieldname: str, source) -> object:
	"""A field's value in a form that compares equal however it arrived (text from a PUT, a date object
	from the database, 0 or None for an unticked box, rows with their bookkeeping columns)."""
	if source is None:
		value = None
	else:
		value = source.get(fieldname)
	df = doc.meta.get_field(fieldname)
	fieldtype = df.fieldtype if df else "Data"
	if fieldtype in ("Table", "Table MultiSelect"):
		keep = [f.fieldname for f in frappe.get_meta(df.options).fields if f.fieldtype not in ("Section Break", "Column Break")]
		return [tuple(str(row.get(f) or "") for f in keep) for row in value or []]
	if fieldtype == "Check":
		return int(value or 0)
	if fieldtype == "Datetime":
		return str(get_datetime(value)) if value else ""
	if fieldtype == "Date":
		return str(getdate(value)) if value else ""
	return str(value or "").strip()
