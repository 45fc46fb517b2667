"""/slm: the portal home of a customer's or supplier's contact (slm_app.portal)."""

import frappe
from frappe import _

from slm_app import portal

no_cache = 1


def get_context(context):
	portal.require_login_page(context, "/slm")
	context.update(portal.home_page())
	context.title = _("Service Levels")
	context.state_label = portal.state_label
	return context
