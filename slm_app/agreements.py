"""Adapter for agreements: bulk reads for the underpinning consistency check and the system-made
state changes (reopening OLAs, activating underpinning, superseding a previous version)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from slm_app.core import consistency, lifecycle
from slm_app.core import targets as tgt
from slm_app.core.agreements import IN_FORCE_STATES
from slm_app.core.roles import MANAGER, MONITOR, PARTY_TYPE_FOR_AGREEMENT, PROCESS_OWNER

TARGET_FIELDS = ["parent", "idx", "target_code", "service", *tgt.VALUE_FIELDS, "measurement_period", "data_source"]


def targets_by_agreement(names: list[str]) -> dict[str, list[dict]]:
	out: dict[str, list[dict]] = {n: [] for n in names}
	if not names:
		return out
	for row in frappe.get_all(
		"SLM Agreement Target",
		filters={"parent": ["in", names], "parenttype": "SLM Agreement", "parentfield": "targets"},
		fields=TARGET_FIELDS,
		order_by="parent, idx",
	):
		out[row.parent].append(row)
	return out


def services_by_agreement(names: list[str]) -> dict[str, list[str]]:
	out: dict[str, list[str]] = {n: [] for n in names}
	if not names:
		return out
	for row in frappe.get_all(
		"SLM Agreement Service",
		filters={"parent": ["in", names], "parenttype": "SLM Agreement"},
		fields=["parent", "service"],
		order_by="parent, idx",
	):
		out[row.parent].append(row.service)
	return out


def underpinning_agreements(names: list[str]) -> dict[str, dict]:
	names = sorted(set(n for n in names if n))
	if not names:
		return {}
	heads = frappe.get_all(
		"SLM Agreement",
		filters={"name": ["in", names]},
		fields=["name", "agreement_type", "workflow_state", "valid_from", "valid_to", "party"],
	)
	targets = targets_by_agreement([h.name for h in heads])
	services = services_by_agreement([h.name for h in heads])
	out = {}
	for h in heads:
		h = dict(h)
		h["targets"] = targets[h["name"]]
		h["services"] = services[h["name"]]
		out[h["name"]] = h
	return out


def service_dependencies(services: list[str]) -> dict[str, set[str]]:
	deps: dict[str, set[str]] = {s: {s} for s in services}
	if services:
		for row in frappe.get_all(
			"SLM Service Dependency",
			filters={"parent": ["in", services], "parenttype": "SLM Service"},
			fields=["parent", "service"],
		):
			deps[row.parent].add(row.service)
	return deps


def check_consistency(doc) -> list[consistency.Conflict]:
	"""Every conflict between the SLA's targets and the OLA / UC targets under it."""
	if doc.agreement_type != "SLA":
		return []
	links = [row.as_dict() for row in doc.underpinning]
	sla = {
		"name": doc.name,
		"valid_from": getdate(doc.valid_from) if doc.valid_from else None,
		"valid_to": getdate(doc.valid_to) if doc.valid_to else None,
		"targets": [row.as_dict() for row in doc.targets],
		"services": [row.service for row in doc.services],
	}
	under = underpinning_agreements([link["underpinning_agreement"] for link in links])
	for u in under.values():
		u["valid_from"] = getdate(u["valid_from"]) if u["valid_from"] else None
		u["valid_to"] = getdate(u["valid_to"]) if u["valid_to"] else None
	return consistency.check_underpinning(sla, links, under, service_dependencies(sla["services"]))


def conflicts_as_dicts(conflicts) -> list[dict]:
	return [
		{
			"kind": c.kind,
			"sla_target": c.sla_target,
			"underpinning_agreement": c.underpinning_agreement,
			"underpinning_target": c.underpinning_target,
			"message": c.format(_),
		}
		for c in conflicts
	]


def underpinning_states(doc) -> dict[str, str]:
	names = sorted({row.underpinning_agreement for row in doc.underpinning if row.underpinning_agreement})
	if not names:
		return {}
	return dict(
		frappe.get_all(
			"SLM Agreement", filters={"name": ["in", names]}, fields=["name", "workflow_state"], as_list=True
		)
	)


def slas_underpinned_by(name: str) -> dict[str, str]:
	"""SLAs (newest versions that are not ended) whose targets this OLA or UC underpins, with their states."""
	parents = frappe.get_all(
		"SLM Underpinning",
		filters={"underpinning_agreement": name, "parenttype": "SLM Agreement"},
		pluck="parent",
		distinct=True,
	)
	if not parents:
		return {}
	return {
		r.name: r.workflow_state
		for r in frappe.get_all(
			"SLM Agreement",
			filters={"name": ["in", parents], "workflow_state": ["not in", list(lifecycle.ENDED_STATES)]},
			fields=["name", "workflow_state"],
		)
	}


def system_transition(name: str, new_state: str, comment: str, values: dict | None = None) -> None:
	"""A state change the process makes on its own (not a user's workflow action), recorded as a comment."""
	values = dict(values or {})
	values["workflow_state"] = new_state
	frappe.db.set_value("SLM Agreement", name, values, update_modified=True)
	sync_underpinning_state(name, new_state)
	frappe.get_doc("SLM Agreement", name).add_comment("Workflow", comment)


def sync_underpinning_state(name: str, state: str | None) -> None:
	"""The state an SLA's underpinning table shows for an OLA or UC is its current state: kept in step
	whenever the OLA or UC changes state (the table's column is a copy, not read live by the grid)."""
	frappe.db.sql(
		"""update `tabSLM Underpinning` set `underpinning_state` = %(state)s
		where `underpinning_agreement` = %(name)s and `parenttype` = 'SLM Agreement'
		and ifnull(`underpinning_state`, '') != %(state)s""",
		{"name": name, "state": state or ""},
	)


def sync_all_underpinning_states() -> None:
	frappe.db.sql(
		"""update `tabSLM Underpinning` u join `tabSLM Agreement` a on a.`name` = u.`underpinning_agreement`
		set u.`underpinning_state` = a.`workflow_state`
		where u.`parenttype` = 'SLM Agreement' and ifnull(u.`underpinning_state`, '') != ifnull(a.`workflow_state`, '')"""
	)


def add_round(parent: str, outcome: str, note: str | None) -> None:
	count = frappe.db.count("SLM Negotiation Round", {"parent": parent, "parenttype": "SLM Agreement"})
	row = frappe.get_doc(
		{
			"doctype": "SLM Negotiation Round",
			"parent": parent,
			"parenttype": "SLM Agreement",
			"parentfield": "rounds",
			"idx": count + 1,
			"round_no": count + 1,
			"outcome": outcome,
			"decided_by": frappe.session.user,
			"decided_on": now_datetime(),
			"note": note,
		}
	)
	row.db_insert()


def form_facts() -> dict:
	"""What the agreement form script needs to know of the process — roles, states, the party type of each
	agreement type, the note each workflow action asks for — from the core, so the script restates none."""
	return {
		"roles": {"process_owner": PROCESS_OWNER, "manager": MANAGER, "monitor": MONITOR},
		"party_type": dict(PARTY_TYPE_FOR_AGREEMENT),
		"amendable_states": sorted(lifecycle.SIGNED_STATES),
		"in_force_states": list(IN_FORCE_STATES),
		"ended_states": sorted(lifecycle.ENDED_STATES),
		"action_notes": {
			lifecycle.NOT_AGREED: {"fieldname": "negotiation_note", "label": _("Why did the customer not agree?")},
			lifecycle.ACTIVATE: {"fieldname": "change_reference", "label": _("Change Reference")},
			lifecycle.TERMINATE: {"fieldname": "end_reason", "label": _("End Reason")},
		},
	}
