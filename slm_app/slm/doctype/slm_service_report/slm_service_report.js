// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Service Report", {
	setup(frm) {
		frm.set_query("party", () => ({ filters: { party_type: "Customer" } }));
		frm.set_query("agreement", () => ({
			filters: Object.assign({ agreement_type: "SLA" }, frm.doc.party ? { party: frm.doc.party } : {}),
		}));
	},
	refresh(frm) {
		if (frm.is_new()) return;
		if (frm.doc.docstatus === 0 && frm.has_perm("write")) {
			frm.add_custom_button(__("Refresh Data"), () =>
				frm.call("refresh_data").then(() => frm.reload_doc())
			);
		}
		frm.add_custom_button(__("PDF in Report Language"), () => {
			const params = new URLSearchParams({
				doctype: frm.doctype,
				name: frm.doc.name,
				format: "SLM Service Report",
				no_letterhead: 1,
				language: frm.doc.language || "en",
			});
			window.open(`/api/method/frappe.utils.print_format.download_pdf?${params}`);
		});
		if (frm.doc.docstatus === 0) {
			frm.dashboard.set_headline(
				__("Approve this report to send it to the customer's contacts."), "blue"
			);
		} else if (frm.doc.sent_on) {
			frm.dashboard.set_headline(
				__("Sent on {0} to {1} recipient(s).", [
					frappe.datetime.str_to_user(frm.doc.sent_on),
					(frm.doc.recipients || []).length,
				]),
				"green"
			);
		}
	},
});
