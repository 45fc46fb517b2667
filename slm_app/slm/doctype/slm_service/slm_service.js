// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Service", {
	setup(frm) {
		frm.set_query("support_team", () => ({ filters: { party_type: "Support Team", disabled: 0 } }));
		frm.set_query("supplier", () => ({ filters: { party_type: "Supplier", disabled: 0 } }));
		frm.set_query("service", "depends_on", () => ({
			filters: { service_kind: "Technical Service", name: ["!=", frm.doc.name || ""] },
		}));
	},
});
