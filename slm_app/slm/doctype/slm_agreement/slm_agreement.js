// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

const SLM_METHODS = "slm_app.slm.doctype.slm_agreement.slm_agreement";

// Roles, states, the party type of each agreement type and the note each workflow action needs come from
// the server (SLMAgreement.onload, slm_app.agreements.form_facts): a saved agreement brings them in
// __onload, a new one asks for them once.
function slm_facts(frm) {
	return (frm.doc.__onload && frm.doc.__onload.slm) || frm.slm_facts || {};
}

function slm_has_role(frm, ...keys) {
	const roles = slm_facts(frm).roles || {};
	return keys.some((key) => roles[key] && frappe.user_roles.includes(roles[key]));
}

frappe.ui.form.on("SLM Agreement", {
	setup(frm) {
		frm.set_query("party", () => ({
			filters: { party_type: (slm_facts(frm).party_type || {})[frm.doc.agreement_type] || "", disabled: 0 },
		}));
		frm.set_query("service", "services", () => ({ filters: { workflow_state: ["!=", "Retired"] } }));
		frm.set_query("service", "targets", () => ({
			filters: { name: ["in", (frm.doc.services || []).map((r) => r.service)] },
		}));
		frm.set_query("underpinning_agreement", "underpinning", () => ({
			filters: {
				agreement_type: ["in", ["OLA", "UC"]],
				workflow_state: ["not in", slm_facts(frm).ended_states || []],
			},
		}));
		frm.set_query("template", () => ({ filters: { agreement_type: frm.doc.agreement_type } }));
	},

	onload(frm) {
		if (!frm.doc.__onload || !frm.doc.__onload.slm) {
			frappe.xcall(`${SLM_METHODS}.get_form_facts`).then((facts) => {
				frm.slm_facts = facts;
			});
		}
	},

	refresh(frm) {
		frm.trigger("render_consistency");
		if (frm.is_new()) return;
		const facts = slm_facts(frm);
		const state = frm.doc.workflow_state;
		if ((facts.amendable_states || []).includes(state) && slm_has_role(frm, "manager")) {
			frm.add_custom_button(__("Amend"), () => frm.trigger("amend"), __("Change"));
		}
		frm.add_custom_button(__("Versions"), () => frm.trigger("show_versions"), __("Change"));
		if ((facts.in_force_states || []).includes(state)) {
			frm.add_custom_button(
				__("Monitoring Table"),
				() => frappe.set_route("List", "SLM Monitoring Record", { agreement: frm.doc.name }),
				__("Monitoring")
			);
			frm.add_custom_button(
				__("Breaches"),
				() => frappe.set_route("List", "SLM Breach", { agreement: frm.doc.name }),
				__("Monitoring")
			);
			if (slm_has_role(frm, "monitor", "manager")) {
				frm.add_custom_button(__("Compute Month"), () => frm.trigger("compute_month"), __("Monitoring"));
				frm.add_custom_button(__("Recompute Month"), () => frm.trigger("recompute_month"), __("Monitoring"));
			}
		}
	},

	compute_month(frm) {
		// the last closed month, kept inside the months the agreement is in force
		let last = frappe.datetime.add_months(frappe.datetime.get_today(), -1).slice(0, 7);
		const first = (frm.doc.valid_from || "").slice(0, 7);
		const end = (frm.doc.ended_on || frm.doc.valid_to || "").slice(0, 7);
		if (end && last > end) last = end;
		if (first && last < first) last = first;
		frappe.prompt(
			[{ fieldname: "month", fieldtype: "Data", label: __("Month (YYYY-MM)"), reqd: 1, default: last }],
			(values) =>
				frappe
					.xcall("slm_app.api.compute_month", { agreement: frm.doc.name, month: values.month })
					.then((r) =>
						frappe.msgprint(
							__("{0} monitoring rows written, {1} already closed, {2} breaches recorded", [
								r.created,
								r.unchanged,
								r.breaches.length,
							])
						)
					),
			__("Compute Month"),
			__("Compute")
		);
	},

	recompute_month(frm) {
		frappe.prompt(
			[
				{ fieldname: "month", fieldtype: "Data", label: __("Month (YYYY-MM)"), reqd: 1 },
				{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason for Recomputing"), reqd: 1 },
			],
			(values) =>
				frappe
					.xcall("slm_app.api.recompute_month", { agreement: frm.doc.name, ...values })
					.then((r) => frappe.msgprint(__("{0} monitoring rows amended", [r.recomputed]))),
			__("Recompute a Closed Month"),
			__("Recompute")
		);
	},

	before_workflow_action(frm) {
		const need = (slm_facts(frm).action_notes || {})[frm.selected_workflow_action];
		if (!need || (need.fieldname !== "negotiation_note" && frm.doc[need.fieldname])) return;
		frappe.dom.unfreeze();
		return new Promise((resolve, reject) => {
			frappe.prompt(
				[{ fieldname: "value", fieldtype: "Small Text", label: need.label, reqd: 1 }],
				(values) => {
					frappe.dom.freeze();
					frappe
						.xcall(`${SLM_METHODS}.set_action_note`, {
							name: frm.doc.name,
							fieldname: need.fieldname,
							value: values.value,
						})
						.then(resolve, reject);
				},
				__(frm.selected_workflow_action),
				__("Continue")
			);
		});
	},

	render_consistency(frm) {
		const field = frm.get_field("consistency_html");
		// the underpinning is internal (level 1): only those who may read it see the check
		if (
			!field ||
			frm.doc.agreement_type !== "SLA" ||
			frm.is_new() ||
			!frappe.perm.has_perm(frm.doctype, 1, "read")
		) {
			field && field.$wrapper.empty();
			return;
		}
		// the saved agreement, read by name: works on signed agreements for every role that may read them
		frappe.xcall(`${SLM_METHODS}.get_consistency`, { name: frm.doc.name }).then((conflicts) => {
			conflicts = conflicts || [];
			let html;
			if (!conflicts.length) {
				html = `<div class="alert alert-success">${__(
					"Underpinning consistency check: no conflicts."
				)}</div>`;
			} else {
				const items = conflicts
					.map((c) => `<li>${frappe.utils.escape_html(c.message)}</li>`)
					.join("");
				html = `<div class="alert alert-warning"><b>${__(
					"Underpinning consistency check: {0} conflict(s)",
					[conflicts.length]
				)}</b><ul>${items}</ul></div>`;
				const open = !(slm_facts(frm).in_force_states || []).includes(frm.doc.workflow_state);
				if (open && slm_has_role(frm, "process_owner") && !frm.doc.consistency_override) {
					frm.add_custom_button(__("Override Conflicts"), () => frm.trigger("override"), __("Change"));
				}
			}
			field.$wrapper.html(html);
		});
	},

	override(frm) {
		frappe.prompt(
			[{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason for the override"), reqd: 1 }],
			(values) =>
				frappe
					.xcall(`${SLM_METHODS}.override_consistency`, { name: frm.doc.name, reason: values.reason })
					.then(() => frm.reload_doc()),
			__("Activate despite conflicts"),
			__("Record Override")
		);
	},

	amend(frm) {
		frappe.prompt(
			[
				{ fieldname: "change_reference", fieldtype: "Data", label: __("Change Reference"), reqd: 1 },
				{ fieldname: "effective_from", fieldtype: "Date", label: __("Effective From"), reqd: 1 },
				{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason for Amendment") },
			],
			(values) =>
				frappe
					.xcall(`${SLM_METHODS}.make_amendment`, { name: frm.doc.name, ...values })
					.then((name) => frappe.set_route("Form", "SLM Agreement", name)),
			__("Amend {0}", [frm.doc.name]),
			__("Create New Version")
		);
	},

	show_versions(frm) {
		frappe.xcall(`${SLM_METHODS}.get_versions`, { name: frm.doc.name }).then((rows) => {
			const body = rows
				.map(
					(r) => `<tr><td><a href="/app/slm-agreement/${encodeURIComponent(r.name)}">${
						r.name
					}</a></td><td>${r.version}</td><td>${__(r.workflow_state || "")}</td><td>${
						frappe.datetime.str_to_user(r.valid_from) || ""
					}</td><td>${frappe.datetime.str_to_user(r.valid_to) || ""}</td><td>${frappe.utils.escape_html(
						r.change_reference || ""
					)}</td></tr>`
				)
				.join("");
			frappe.msgprint({
				title: __("Versions of {0}", [frm.doc.agreement_code]),
				message: `<table class="table table-bordered"><thead><tr><th>${__("Agreement")}</th><th>${__(
					"Version"
				)}</th><th>${__("Status")}</th><th>${__("Valid From")}</th><th>${__("Valid To")}</th><th>${__(
					"Change Reference"
				)}</th></tr></thead><tbody>${body}</tbody></table>`,
				wide: true,
			});
		});
	},
});
