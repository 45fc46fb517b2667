// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

const SLM_BREACH_NOTES = { Resolve: "handling_note", Close: "cause" };

frappe.ui.form.on("SLM Breach", {
	refresh(frm) {
		if (frm.doc.monitoring_record) {
			frm.add_custom_button(__("Monitoring Record"), () =>
				frappe.set_route("Form", "SLM Monitoring Record", frm.doc.monitoring_record)
			);
		}
	},
	before_workflow_action(frm) {
		const field = SLM_BREACH_NOTES[frm.selected_workflow_action];
		if (!field || frm.doc[field]) return;
		frappe.dom.unfreeze();
		frappe.throw(
			__("Fill in {0} and save before choosing {1}", [
				__(frappe.meta.get_label(frm.doctype, field)),
				__(frm.selected_workflow_action),
			])
		);
	},
});
