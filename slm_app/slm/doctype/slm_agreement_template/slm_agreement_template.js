// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Agreement Template", {
	refresh(frm) {
		frappe
			.xcall("slm_app.slm.doctype.slm_agreement_template.slm_agreement_template.get_placeholders")
			.then((rows) => {
				const items = rows
					.map(
						(r) =>
							`<tr><td><code>{{ ${frappe.utils.escape_html(r.name)} }}</code></td><td>${frappe.utils.escape_html(
								r.description
							)}</td></tr>`
					)
					.join("");
				frm.get_field("placeholders_help").$wrapper.html(
					`<table class="table table-bordered small"><thead><tr><th>${__(
						"Placeholder"
					)}</th><th>${__("Filled with")}</th></tr></thead><tbody>${items}</tbody></table>`
				);
			});
	},
});
