// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Measurement Import", {
	refresh(frm) {
		frm.trigger("kind");
		if (!frm.is_new() && frm.doc.import_file && frm.doc.status === "Not Started") {
			frm.add_custom_button(__("Import"), () =>
				frm.call("start_import").then((r) => {
					frm.reload_doc();
					const res = r.message;
					frappe.msgprint({
						title: __("Import finished"),
						indicator: res.problems.length ? "orange" : "green",
						message: __("{0} of {1} rows imported; {2} rows not imported", [
							res.written,
							res.rows,
							res.problems.length,
						]),
					});
				})
			).addClass("btn-primary");
		}
	},
	kind(frm) {
		if (!frm.doc.kind) return;
		frappe
			.xcall("slm_app.slm.doctype.slm_measurement_import.slm_measurement_import.expected_columns", {
				kind: frm.doc.kind,
			})
			.then((cols) =>
				frm
					.get_field("columns_help")
					.$wrapper.html(
						`<p class="text-muted">${__("First row: the column names")}: <code>${frappe.utils.escape_html(
							cols
						)}</code>. ${__(
							"Times without an offset are read in the time zone of the agreement's service calendar."
						)}</p>`
					)
			);
	},
});
