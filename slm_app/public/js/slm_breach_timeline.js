// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

// A breach's tickets open their SLA timelines (issue 12; loaded beside the form's own script).
frappe.ui.form.on("SLM Breach", {
	refresh(frm) {
		const tickets = (frm.doc.tickets || []).map((t) => t.ticket).filter(Boolean);
		if (frm.is_new() || !tickets.length) return;
		frm.add_custom_button(__("Ticket Timeline"), () => {
			if (tickets.length === 1) return frappe.set_route("query-report", "SLA Ticket Timeline", { ticket: tickets[0] });
			frappe.prompt(
				[{ fieldname: "ticket", fieldtype: "Select", label: __("Ticket"), options: tickets, default: tickets[0], reqd: 1 }],
				(v) => frappe.set_route("query-report", "SLA Ticket Timeline", { ticket: v.ticket }),
				__("Ticket Timeline"),
				__("Open")
			);
		});
	},
});
