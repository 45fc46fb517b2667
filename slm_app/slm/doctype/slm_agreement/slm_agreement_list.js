frappe.listview_settings["SLM Agreement"] = {
	add_fields: ["agreement_type", "workflow_state", "valid_to"],
	has_indicator_for_draft: true,
};
