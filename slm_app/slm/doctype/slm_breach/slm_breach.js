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
		// Resolve asks how the breach was handled, Close asks for its cause, as the agreement's actions ask
		// for their notes: in a prompt, filled with what the form already holds
		const field = SLM_BREACH_NOTES[frm.selected_workflow_action];
		if (!field) return;
		frappe.dom.unfreeze();
		return new Promise((resolve) => {
			frappe.prompt(
				[
					{
						fieldname: "note",
						fieldtype: "Small Text",
						label: __(frappe.meta.get_label(frm.doctype, field)),
						reqd: 1,
						default: frm.doc[field] || "",
					},
				],
				(values) => {
					frm.doc[field] = values.note;
					frappe.dom.freeze();
					resolve();
				},
				__(frm.selected_workflow_action),
				__(frm.selected_workflow_action)
			);
		});
	},
});
