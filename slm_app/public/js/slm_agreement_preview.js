// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

// What-if before signing (issue 12): on a draft or an amendment not yet in force, "Preview against past
// months" applies its targets to the last closed months of the counterparty's measurements and shows, per
// target and month, what would have been Met or Breached next to what was. Nothing is written. Loaded
// beside the form's own script (hooks.doctype_js).

frappe.ui.form.on("SLM Agreement", {
	refresh(frm) {
		if (frm.is_new()) return;
		const facts = (frm.doc.__onload && frm.doc.__onload.slm) || {};
		const in_force = facts.in_force_states || [];
		const roles = Object.values(facts.roles || {});
		if (in_force.includes(frm.doc.workflow_state) || !roles.some((r) => frappe.user_roles.includes(r))) return;
		frm.add_custom_button(__("Preview against Past Months"), () => slm_preview_dialog(frm), __("Change"));
	},
});

function slm_preview_dialog(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Preview against Past Months"),
		size: "extra-large",
		fields: [
			{ fieldname: "months", fieldtype: "Int", label: __("Closed Months"), default: 6, reqd: 1 },
			{ fieldname: "result", fieldtype: "HTML" },
		],
		primary_action_label: __("Preview"),
		primary_action(values) {
			frappe
				.xcall("slm_app.preview.preview_agreement", { name: frm.doc.name, months: values.months })
				.then((data) => dialog.fields_dict.result.$wrapper.html(slm_preview_html(data)));
		},
	});
	dialog.show();
	dialog.get_primary_btn().trigger("click");
}

function slm_preview_html(data) {
	const e = (v) => frappe.utils.escape_html(v === null || v === undefined ? "" : String(v));
	const num = (v) => (v === null || v === undefined ? "" : format_number(v, null, 2));
	const badge = (r) =>
		r ? `<span class="indicator-pill ${r === "Met" ? "green" : r === "Breached" ? "red" : "gray"}">${e(__(r))}</span>` : "";
	const rows = (data.rows || [])
		.map(
			(r) => `<tr${r.changed ? ' style="background: var(--bg-yellow)"' : ""}>
			<td>${e(r.period)}</td><td>${e(r.target_code)}</td><td>${e(r.target)}</td>
			<td class="text-right">${num(r.would_value)}</td><td class="text-right">${e(r.would_sample)}</td><td>${badge(r.would_result)}</td>
			<td>${e(r.was_agreement)} ${e(r.was_target_code)}<br><small class="text-muted">${e(r.was_target)}</small></td>
			<td class="text-right">${num(r.was_value)}</td><td>${badge(r.was_result)}</td>
			<td>${r.changed ? e(__("Different")) : ""}</td></tr>`
		)
		.join("");
	const sources = (data.sources || []).length
		? __("Measurements of {0}", [e((data.sources || []).join(", "))])
		: __("No measurements of this counterparty to preview against");
	return `<p>${sources}. ${__("{0} target-months would be breached (were: {1}); {2} would end differently.", [
		data.would_breach,
		data.was_breached,
		data.changed,
	])} ${__("Nothing is written.")}</p>
	<table class="table table-bordered table-condensed">
		<thead><tr><th>${__("Month")}</th><th>${__("Target")}</th><th>${__("This Draft")}</th>
		<th>${__("Would Be")}</th><th>${__("Counted")}</th><th>${__("Would Be Result")}</th>
		<th>${__("In Force Then")}</th><th>${__("Was")}</th><th>${__("Was Result")}</th><th></th></tr></thead>
		<tbody>${rows}</tbody></table>`;
}
