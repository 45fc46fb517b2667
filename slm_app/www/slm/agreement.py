"""/slm/agreement?name=…: one agreement of the contact's party (slm_app.portal)."""

import frappe

from slm_app import portal

no_cache = 1


def get_context(context):
	name = frappe.form_dict.get("name")
	portal.require_login_page(context, "/slm/agreement?" + portal.urlencode({"name": name or ""}))
	context.update(portal.agreement_page(name))
	context.title = f"{context.doc.agreement_type} {context.doc.name}"
	context.state_label = portal.state_label
	context.parents = [{"route": "/slm", "title": frappe._("Service Levels")}]
	return context
