// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Measurement Import", {
	refresh(frm) {
		frm.trigger("kind");
		// a file that imported nothing can be fixed, attached again and imported in the same record
		const can_import = ["Not Started", "Nothing Imported"].includes(frm.doc.status);
		if (!frm.is_new() && frm.doc.import_file && can_import) {
			const label = frm.doc.status === "Nothing Imported" ? __("Import Again") : __("Import");
			frm.add_custom_button(label, () =>
				frm.call("start_import").then((r) => {
					frm.reload_doc();
					const res = r.message;
					const bad_rows = new Set(res.problems.map((p) => p.row)).size;
					let message;
					if (!res.problems.length && res.written === res.rows) {
						message = __("All {0} rows imported", [res.rows]);
					} else if (!res.problems.length) {
						message = __("{0} of {1} rows imported", [res.written, res.rows]);
					} else if (!res.written) {
						message = __(
							"Nothing imported: {0} problem(s) in {1} of {2} rows. Fix the file, attach it again and choose Import Again (or choose to import the valid rows).",
							[res.problems.length, bad_rows, res.rows]
						);
					} else {
						message = __("{0} of {1} rows imported; {2} rows with problems were left out", [
							res.written,
							res.rows,
							bad_rows,
						]);
					}
					// tickets recorded before: updated by their id, or left as they were when nothing changed
					if (res.written && (res.updated || []).length) {
						message +=
							"<br>" +
							__("{0} ticket(s) recorded before were updated: {1}", [
								res.updated.length,
								res.updated.map((t) => frappe.utils.escape_html(t)).join(", "),
							]);
					}
					if ((res.unchanged || []).length) {
						message += "<br>" + __("{0} tickets were recorded already with the same values; nothing changed for them", [res.unchanged.length]);
					}
					frappe.msgprint({
						title: __("Import finished"),
						indicator: res.problems.length ? "orange" : "green",
						message: message,
					});
				})
			).addClass("btn-primary");
		}
		if (frm.doc.kind) {
			frm.add_custom_button(__("Download Template"), () =>
				frappe
					.xcall("slm_app.slm.doctype.slm_measurement_import.slm_measurement_import.template_columns", {
						kind: frm.doc.kind,
					})
					.then((cols) => frappe.tools.downloadify([cols], null, "slm-" + frappe.scrub(frm.doc.kind)))
			);
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
