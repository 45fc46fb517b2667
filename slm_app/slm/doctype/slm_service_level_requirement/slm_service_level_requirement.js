// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Service Level Requirement", {
	setup(frm) {
		frm.set_query("customer", () => ({ filters: { party_type: "Customer", disabled: 0 } }));
	},
	refresh(frm) {
		if (frm.is_new() || !frm.perm[0]?.write) return;
		frm.add_custom_button(__("Compare with Catalogue"), () =>
			frm
				.call("compare_with_catalogue")
				.then(() => frm.reload_doc())
				.then(() => frm.trigger("show_comparison"))
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
	show_comparison(frm) {
		// the comparison's result at once, with each gap's text (not only inside the row editor)
		const rows = frm.doc.items || [];
		const gaps = rows.filter((r) => !r.met);
		const esc = frappe.utils.escape_html;
		const items = gaps
			.map((r) => `<li>${__("Row {0}", [r.idx])}: ${esc(r.service || r.requested_service || "")} · ${esc(__(r.metric_kind || ""))} — ${esc(r.gap || "")}</li>`)
			.join("");
		frappe.msgprint({
			title: __("Comparison with the Catalogue"),
			indicator: gaps.length ? "orange" : "green",
			message:
				`<p>${__("{0} of {1} requested targets are met by the catalogue. Outcome: {2}", [rows.length - gaps.length, rows.length, __(frm.doc.outcome || "")])}</p>` +
				(items ? `<ul>${items}</ul>` : ""),
		});
	},
});
