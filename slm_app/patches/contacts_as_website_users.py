"""Customer and supplier contacts use the portal (/slm), not the desk: their roles have no desk access
(fixture), and each contact who holds no other desk role becomes a Website User."""

import frappe

from slm_app.core.roles import CUSTOMER_CONTACT, SUPPLIER_CONTACT


def execute():
	frappe.reload_doc("core", "doctype", "role")
	for role in (CUSTOMER_CONTACT, SUPPLIER_CONTACT):
		if frappe.db.exists("Role", role):
			frappe.db.set_value("Role", role, {"desk_access": 0, "home_page": "/slm"}, update_modified=False)
	holders = frappe.get_all(
		"Has Role", filters={"role": ["in", [CUSTOMER_CONTACT, SUPPLIER_CONTACT]], "parenttype": "User"}, pluck="parent", distinct=True
	)
	for name in frappe.get_all("User", filters={"name": ["in", holders or [""]], "user_type": "System User"}, pluck="name"):
		if name in ("Administrator", "Guest"):
			continue
		user = frappe.get_doc("User", name)
		user.flags.ignore_permissions = True
		user.set_system_user()  # System User only if another of the user's roles has desk access
		if user.user_type != "System User":
			frappe.db.set_value("User", name, "user_type", user.user_type, update_modified=False)
	frappe.cache.delete_key("home_page")
