// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

// The tickets a monitoring record counted, each opening its SLA timeline (issue 12; loaded beside the
// form's own script).
frappe.ui.form.on("SLM Monitoring Record", {
	refresh(frm) {
		if (frm.is_new() || !["Response Time", "Resolution Time"].includes(frm.doc.metric_kind)) return;
		frm.add_custom_button(__("Ticket Timelines"), () =>
			frappe.xcall("slm_app.watch.record_tickets", { record: frm.doc.name }).then((tickets) => {
				const e = frappe.utils.escape_html;
				const rows = (tickets || [])
					.map(
						(t) => `<tr><td><a href="/app/query-report/SLA Ticket Timeline?ticket=${encodeURIComponent(t.ticket)}">${e(t.ticket)}</a></td>
						<td>${e(__(t.priority || ""))}</td><td>${e(frappe.datetime.str_to_user(t.created_at))}</td>
						<td>${t.missed ? e(__("Missed")) : ""}</td></tr>`
					)
					.join("");
				frappe.msgprint({
					title: __("Tickets of {0}", [frm.doc.name]),
					message: rows
						? `<table class="table table-bordered table-condensed"><thead><tr><th>${__("Ticket")}</th><th>${__("Priority")}</th><th>${__("Created")}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
						: __("No tickets were counted"),
					wide: true,
				});
			})
		);
	},
});
