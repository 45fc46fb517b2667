// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Service Level Requirement", {
	setup(frm) {
		frm.set_query("customer", () => ({ filters: { party_type: "Customer", disabled: 0 } }));
	},
	refresh(frm) {
		if (frm.is_new() || !frm.perm[0]?.write) return;
		frm.add_custom_button(__("Compare with Catalogue"), () =>
			frm.call("compare_with_catalogue").then(() => frm.reload_doc())
		);
		if (frm.doc.outcome === "Existing Service" && !frm.doc.agreement) {
			frm.add_custom_button(__("Draft Agreements"), () =>
				frm.call("make_agreements").then((r) => {
					frm.reload_doc();
					frappe.show_alert({
						message: __("Drafted SLA {0} and {1}", [r.message.sla, r.message.underpinning.join(", ")]),
						indicator: "green",
					});
				})
			);
		}
	},
});
