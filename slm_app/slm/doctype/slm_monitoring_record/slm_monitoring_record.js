// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Monitoring Record", {
	refresh(frm) {
		// a record of a month still open is the engine's: it is computed again until the month closes and
		// then submitted by the monitoring run, so Submit (always refused by hand) is not offered
		if (!frm.is_new() && frm.doc.docstatus === 0) {
			frm.disable_save();
			frm.set_intro(
				__(
					"This month is still open: the record is computed again until the month closes, and then submitted by the monitoring run (or Compute Month)."
				),
				"blue"
			);
		}
	},
});
