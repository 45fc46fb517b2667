// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

const SLM_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

frappe.ui.form.on("SLM Service Calendar", {
	setup(frm) {
		frappe.xcall("slm_app.api.timezones").then((zones) => {
			frm.slm_timezones = zones;
			frm.trigger("offer_timezones");
		});
	},
	onload(frm) {
		if (frm.is_new() && !frm.doc.timezone) {
			frm.set_value("timezone", frappe.boot.time_zone?.system || "");
		}
	},
	refresh(frm) {
		frm.trigger("offer_timezones");
		if (frm.doc.docstatus === 0) {
			frm.add_custom_button(__("Copy Monday to Weekdays"), () => frm.trigger("copy_monday"));
		}
	},
	offer_timezones(frm) {
		// the time-zone field suggests the zones as one types (the control's data, not only its options)
		if (!frm.slm_timezones) return;
		frm.set_df_property("timezone", "options", frm.slm_timezones);
		const field = frm.get_field("timezone");
		if (field && field.set_data) field.set_data(frm.slm_timezones);
	},
	copy_monday(frm) {
		// a week with a lunch break: enter Monday's windows once, copy them to Tuesday to Friday
		const monday = (frm.doc.windows || []).filter((r) => r.weekday === "Monday");
		if (!monday.length) {
			frappe.msgprint(__("Enter Monday's windows first"));
			return;
		}
		frm.doc.windows = (frm.doc.windows || []).filter(
			(r) => r.weekday === "Monday" || !SLM_WEEKDAYS.includes(r.weekday)
		);
		for (const day of SLM_WEEKDAYS.slice(1)) {
			for (const w of monday) {
				const row = frm.add_child("windows");
				row.weekday = day;
				row.start_time = w.start_time;
				row.end_time = w.end_time;
			}
		}
		frm.refresh_field("windows");
		frm.dirty();
		frappe.show_alert({ message: __("Monday's windows copied to Tuesday to Friday"), indicator: "green" });
	},
});
