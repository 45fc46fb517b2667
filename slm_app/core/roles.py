"""Role names of the process (PROCESS.md, Roles). Prefixed so they never clash with ERPNext or Helpdesk."""

PROCESS_OWNER = "SLM Process Owner"
MANAGER = "SLM Service Level Manager"
MONITOR = "SLM Service Level Monitor"
CUSTOMER_CONTACT = "SLM Customer Contact"
TEAM_MEMBER = "SLM Support Team Member"
SUPPLIER_CONTACT = "SLM Supplier Contact"

PROCESS_ROLES = (PROCESS_OWNER, MANAGER, MONITOR)
COUNTERPARTY_ROLES = (CUSTOMER_CONTACT, TEAM_MEMBER, SUPPLIER_CONTACT)
ALL_ROLES = PROCESS_ROLES + COUNTERPARTY_ROLES

# Which kind of counterparty each agreement type is made with, and the role its people hold.
PARTY_TYPE_FOR_AGREEMENT = {"SLA": "Customer", "OLA": "Support Team", "UC": "Supplier"}
ROLE_FOR_PARTY_TYPE = {"Customer": CUSTOMER_CONTACT, "Support Team": TEAM_MEMBER, "Supplier": SUPPLIER_CONTACT}
