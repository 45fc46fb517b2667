// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Improvement Plan", {
	refresh(frm) {
		if (frm.is_new() || !(frm.doc.targets || []).length) return;
		frm.call("get_recovery").then((r) => {
			const rows = (r.message || [])
				.map((x) => {
					const state =
						x.recovered === true ? __("Recovered") : x.recovered === false ? __("Not recovered") : __("Not known yet");
					return `<tr><td>${frappe.utils.escape_html(x.agreement_code)}</td><td>${frappe.utils.escape_html(
						x.target_code
					)}</td><td>${x.months_met} / ${x.months_observed}</td><td>${state}</td></tr>`;
				})
				.join("");
			frm.get_field("recovery_html").$wrapper.html(
				`<table class="table table-bordered"><thead><tr><th>${__("Agreement Code")}</th><th>${__(
					"Target"
				)}</th><th>${__("Months Met")}</th><th>${__("Recovery")}</th></tr></thead><tbody>${rows}</tbody></table>`
			);
		});
	},
});
