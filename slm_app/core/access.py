"""Who may read what: the access model of slm_app as data (README, Security, states the same).

The process roles (process owner, service level manager, service level monitor) see every SLM
record. A counterparty's people — a customer's contacts, a support team's members, a supplier's
contacts — see only what concerns their own party, and never the provider's internal workings:

- party-scoped records (agreements, monitoring records, breaches, reviews, improvement plans,
  service reports, requirements, month-to-date budgets and their warnings, the party itself) only where the record's party field names one of
  their parties; agreements once put to them for negotiation (not while Draft); a customer sees
  approved service reports only;
- the catalogue: the services their own agreements cover; a customer also the published business
  services (what is offered); a support team also the services it supports; a supplier also the
  services it supplies;
- service calendars used by their agreements or by the services they may see;
- nothing of the measurement inputs, templates, imports and settings (internal doctypes);
- child rows only through a parent row they may read, and never an internal table;
- never an internal field (level 1): the process owner's override, the negotiation notes and rounds,
  the OLAs and UCs beneath an SLA, the customers affected by an OLA or UC breach, who was notified,
  the technical services a service is built on, its support team and supplier, a party's notes.

A counterparty never writes an SLM record through the standard paths; what it may do (e.g. answer a
draft agreement) is a whitelisted action that checks its party.
"""

from __future__ import annotations

from slm_app.core.roles import CUSTOMER_CONTACT, SUPPLIER_CONTACT, TEAM_MEMBER

# parent doctype -> the field that names the record's counterparty
PARTY_SCOPED: dict[str, str] = {
	"SLM Agreement": "party",
	"SLM Monitoring Record": "party",
	"SLM Breach": "party",
	"SLM Service Review": "party",
	"SLM Improvement Plan": "party",
	"SLM Service Report": "party",
	"SLM Budget Status": "party",
	"SLM Budget Warning": "party",
	"SLM Service Level Requirement": "customer",
	"SLM Party": "name",
}

# parent doctypes whose rows a counterparty sees only when submitted (a customer sees approved reports only)
SUBMITTED_ONLY = frozenset({"SLM Service Report"})

# states in which a record is still the provider's own work: a draft agreement reaches its counterparty
# when it is put to them for negotiation
HIDDEN_STATES: dict[str, tuple[str, ...]] = {"SLM Agreement": ("Draft",)}

SERVICE = "SLM Service"
CALENDAR = "SLM Service Calendar"

# no counterparty role may read these at all
INTERNAL_DOCTYPES = frozenset(
	{
		"SLM Agreement Template",
		"SLM Ticket Event",
		"SLM Outage",
		"SLM Monitoring Coverage",
		"SLM Metric Value",
		"SLM Measurement Import",
		"SLM Settings",
		"SLM Watch Settings",
		"SLM Ticket Rule",
		"SLM Unmatched Ticket",
	}
)

# fields at permission level 1: read by the process roles only (and by support team members on the catalogue)
INTERNAL_FIELDS: dict[str, tuple[str, ...]] = {
	"SLM Agreement": (
		"underpinning",
		"consistency_override",
		"override_reason",
		"override_by",
		"override_on",
		"override_conflicts",
		"negotiation_note",
		"rounds",
	),
	"SLM Breach": ("affected_customer", "underpinning", "notifications"),
	"SLM Budget Warning": ("recipients",),
	"SLM Service": ("service_owner", "support_team", "supplier", "depends_on", "published_by"),
	"SLM Party": ("external_customer", "notes"),
}

# child doctypes that only ever hold internal rows: every field of theirs is at level 1 too, so that no
# query through their parent can select them
INTERNAL_TABLES = frozenset(
	{
		"SLM Underpinning",
		"SLM Negotiation Round",
		"SLM Breach Underpinning",
		"SLM Breach Notification",
		"SLM Service Dependency",
		"SLM Budget Warning Recipient",
	}
)

# counterparty roles that also read the level-1 fields of a doctype (internal staff on their own services)
LEVEL_1_READERS: dict[str, tuple[str, ...]] = {"SLM Service": (TEAM_MEMBER,)}

# which services a counterparty of each party type sees besides those its own agreements cover
SERVICE_RULE_BY_PARTY_TYPE = {
	"Customer": "published business services",
	"Support Team": "services it supports",
	"Supplier": "services it supplies",
}

COUNTERPARTY_ROLE_FOR_PARTY_TYPE = {"Customer": CUSTOMER_CONTACT, "Support Team": TEAM_MEMBER, "Supplier": SUPPLIER_CONTACT}
