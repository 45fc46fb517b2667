"""Agreement lifecycle (SL3.1–SL3.8) as data: the Frappe Workflow fixture is built from this table.

SLA: Draft → Negotiating (manager hands the draft to the process owner, SL3.3/3.4) → Agreed or
"Not Agreed" back to Draft (SL3.5, which reopens the underpinning OLAs, SL3.1) → Signed by the
process owner only (SL3.6) → Active (manager, under change control, SL3.8) → Expired / Terminated.
OLA and UC: Draft → Negotiating → Agreed (intent only, SL3.1/3.2) → Signed by the manager (SL3.7)
→ Active → Expired / Terminated. Superseded is reached only when an amendment becomes active.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from slm_app.core.errors import Problem, RuleError, _
from slm_app.core.roles import MANAGER, PROCESS_OWNER

AGREEMENT_TYPES = ("SLA", "OLA", "UC")

DRAFT, NEGOTIATING, AGREED, SIGNED, ACTIVE = "Draft", "Negotiating", "Agreed", "Signed", "Active"
EXPIRED, TERMINATED, SUPERSEDED = "Expired", "Terminated", "Superseded"

# state -> (docstatus, style, role that may edit the document in that state)
STATES: dict[str, tuple[int, str, str]] = {
	DRAFT: (0, "", MANAGER),
	NEGOTIATING: (0, "Warning", MANAGER),
	AGREED: (0, "Info", MANAGER),
	SIGNED: (1, "Primary", MANAGER),
	ACTIVE: (1, "Success", MANAGER),
	EXPIRED: (1, "Inverse", MANAGER),
	TERMINATED: (1, "Danger", MANAGER),
	SUPERSEDED: (1, "Inverse", MANAGER),
}

SIGNED_STATES = frozenset({SIGNED, ACTIVE})
ENDED_STATES = frozenset({EXPIRED, TERMINATED, SUPERSEDED})

# actions
SUBMIT_FOR_NEGOTIATION = "Submit for Negotiation"
START_NEGOTIATION = "Start Negotiation"
AGREE = "Agree"
NOT_AGREED = "Not Agreed"
REOPEN = "Reopen Negotiation"
SIGN = "Sign"
ACTIVATE = "Activate"
EXPIRE = "Expire"
TERMINATE = "Terminate"

ACTIONS = (SUBMIT_FOR_NEGOTIATION, START_NEGOTIATION, AGREE, NOT_AGREED, REOPEN, SIGN, ACTIVATE, EXPIRE, TERMINATE)


@dataclass(frozen=True)
class Transition:
	agreement_types: tuple[str, ...]
	state: str
	action: str
	next_state: str
	role: str

	@property
	def condition(self) -> str | None:
		"""The Frappe Workflow condition that limits the transition to its agreement types."""
		if set(self.agreement_types) == set(AGREEMENT_TYPES):
			return None
		if len(self.agreement_types) == 1:
			return f'doc.agreement_type == "{self.agreement_types[0]}"'
		return f"doc.agreement_type in {list(self.agreement_types)!r}"


_SLA = ("SLA",)
_OU = ("OLA", "UC")
_ALL = AGREEMENT_TYPES

TRANSITIONS: tuple[Transition, ...] = (
	# SLA (SL3.3 – SL3.6)
	Transition(_SLA, DRAFT, SUBMIT_FOR_NEGOTIATION, NEGOTIATING, MANAGER),
	Transition(_SLA, NEGOTIATING, AGREE, AGREED, PROCESS_OWNER),
	Transition(_SLA, NEGOTIATING, NOT_AGREED, DRAFT, PROCESS_OWNER),
	Transition(_SLA, AGREED, SIGN, SIGNED, PROCESS_OWNER),
	# OLA / UC (SL3.1, SL3.2, SL3.7)
	Transition(_OU, DRAFT, START_NEGOTIATION, NEGOTIATING, MANAGER),
	Transition(_OU, NEGOTIATING, AGREE, AGREED, MANAGER),
	Transition(_OU, AGREED, REOPEN, NEGOTIATING, MANAGER),
	Transition(_OU, AGREED, SIGN, SIGNED, MANAGER),
	# all (SL3.8 and the end of life)
	Transition(_ALL, SIGNED, ACTIVATE, ACTIVE, MANAGER),
	Transition(_ALL, ACTIVE, EXPIRE, EXPIRED, MANAGER),
	Transition(_SLA, ACTIVE, TERMINATE, TERMINATED, PROCESS_OWNER),
	Transition(_OU, ACTIVE, TERMINATE, TERMINATED, MANAGER),
)


def transitions_for(agreement_type: str, state: str) -> list[Transition]:
	return [t for t in TRANSITIONS if agreement_type in t.agreement_types and t.state == state]


def allowed_actions(agreement_type: str, state: str, roles) -> list[str]:
	roles = set(roles)
	return [t.action for t in transitions_for(agreement_type, state) if t.role in roles]


def find_transition(agreement_type: str, state: str, next_state: str) -> Transition | None:
	for t in transitions_for(agreement_type, state):
		if t.next_state == next_state:
			return t
	return None


def check_state_change(agreement_type: str, old_state: str | None, new_state: str, roles) -> list[Problem]:
	"""A state change must follow the table, by a user holding the transition's role.

	Superseded is set by the system when an amendment becomes active, never by a user action.
	"""
	if agreement_type not in AGREEMENT_TYPES:
		return [Problem(_("Agreement Type must be one of {0}"), (", ".join(AGREEMENT_TYPES),), "agreement_type")]
	old_state = old_state or DRAFT
	if old_state == new_state:
		return []
	if new_state not in STATES:
		return [Problem(_("Unknown agreement state {0}"), (new_state,), "workflow_state")]
	t = find_transition(agreement_type, old_state, new_state)
	if not t:
		return [
			Problem(
				_("A {0} cannot go from {1} to {2}; allowed next states: {3}"),
				(
					agreement_type,
					old_state,
					new_state,
					", ".join(x.next_state for x in transitions_for(agreement_type, old_state)) or "-",
				),
				"workflow_state",
			)
		]
	if t.role not in set(roles):
		return [Problem(_("Only a user with the role {0} may {1} a {2}"), (t.role, t.action, agreement_type), "workflow_state")]
	return []


def check_signing_order(agreement_type: str, underpinned_sla_states: dict[str, str]) -> list[Problem]:
	"""SL3.6 before SL3.7: an OLA or UC is signed only once every SLA it underpins is agreed with the customer."""
	if agreement_type == "SLA":
		return []
	waiting = sorted(name for name, state in underpinned_sla_states.items() if state in (DRAFT, NEGOTIATING))
	if waiting:
		return [
			Problem(
				_("Sign this {0} only after the customer has agreed the SLA it underpins: {1} is still in negotiation"),
				(agreement_type, ", ".join(waiting)),
				"workflow_state",
			)
		]
	return []


def check_activation(
	agreement_type: str,
	change_reference: str | None,
	underpinning_states: dict[str, str],
	conflict_count: int,
	override: bool,
) -> list[Problem]:
	"""SL3.8: active only under change control, with every underpinning agreement signed."""
	problems = []
	if not (change_reference or "").strip():
		problems.append(
			Problem(_("Enter the Change Reference of the approved change before activating"), (), "change_reference")
		)
	unsigned = sorted(f"{n} ({s})" for n, s in underpinning_states.items() if s not in SIGNED_STATES)
	if unsigned:
		problems.append(
			Problem(
				_("Every underpinning OLA and UC must be signed before activation; not signed: {0}"),
				(", ".join(unsigned),),
				"underpinning",
			)
		)
	if agreement_type == "SLA" and conflict_count and not override:
		problems.append(
			Problem(
				_(
					"The underpinning consistency check found {0} conflict(s); resolve them or ask the process owner to record an override"
				),
				(conflict_count,),
				"underpinning",
			)
		)
	return problems


def check_validity(valid_from: date | None, valid_to: date | None) -> list[Problem]:
	if not valid_from:
		return [Problem(_("Valid From is required"), (), "valid_from")]
	if valid_to and valid_to < valid_from:
		return [Problem(_("Valid To ({0}) must not be before Valid From ({1})"), (valid_to, valid_from), "valid_to")]
	return []


REVIEW_CYCLES = {"Monthly": 1, "Quarterly": 3, "Half-yearly": 6, "Yearly": 12}


def check_review_cycle(cycle: str | None) -> list[Problem]:
	if cycle not in REVIEW_CYCLES:
		return [
			Problem(
				_("Review Cycle must be one of {0} (reviews are held at least yearly)"),
				(", ".join(REVIEW_CYCLES),),
				"review_cycle",
			)
		]
	return []


# ------------------------------------------------------------------------------------------ the counterparty's answer
# SL3.5 answered online: the customer's contact (for an SLA) or the supplier's contact (for a UC) reads the
# draft put to them for negotiation and answers. "Agree" takes the agreement to Agreed (the signature stays
# with the process owner for an SLA, with the manager for a UC); "Not agreed" sends the draft back to the
# manager (Draft), with the counterparty's comments, as the process owner's "Not Agreed" does.
ANSWER_AGREE, ANSWER_NOT_AGREED = "Agree", "Not agreed"
ANSWERS = (ANSWER_AGREE, ANSWER_NOT_AGREED)
ANSWERED_BY_COUNTERPARTY = ("SLA", "UC")


@dataclass(frozen=True)
class CounterpartyAnswer:
	next_state: str
	outcome: str  # the negotiation round's outcome
	reopens_underpinning: bool  # an SLA not agreed reopens its agreed OLAs (SL3.1)


def awaits_counterparty(agreement_type: str, state: str | None) -> bool:
	"""Whether the agreement waits for its counterparty's answer (put to them, not yet answered)."""
	return agreement_type in ANSWERED_BY_COUNTERPARTY and state == NEGOTIATING


def check_counterparty_answer(agreement_type: str, state: str | None, answer: str, note: str | None) -> list[Problem]:
	problems = []
	if answer not in ANSWERS:
		problems.append(Problem(_("The answer must be one of {0}"), (", ".join(ANSWERS),), "answer"))
	if agreement_type not in ANSWERED_BY_COUNTERPARTY:
		problems.append(Problem(_("A {0} is not answered by its counterparty online"), (agreement_type,), "agreement_type"))
	elif state != NEGOTIATING:
		problems.append(
			Problem(_("This agreement is {0}: only an agreement in negotiation awaits your answer"), (state or DRAFT,), "workflow_state")
		)
	if answer == ANSWER_NOT_AGREED and not (note or "").strip():
		problems.append(Problem(_("Say what you do not agree with in the comments"), (), "comment"))
	return problems


def counterparty_answer(agreement_type: str, state: str | None, answer: str, note: str | None) -> CounterpartyAnswer:
	"""What the counterparty's answer does to the agreement; RuleError listing every problem otherwise."""
	problems = check_counterparty_answer(agreement_type, state, answer, note)
	if problems:
		raise RuleError(problems)
	if answer == ANSWER_AGREE:
		return CounterpartyAnswer(AGREED, "Agreed", False)
	return CounterpartyAnswer(DRAFT, "Not Agreed", agreement_type == "SLA")
