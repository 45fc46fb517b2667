"""Agreement templates (SL1.3): text with {{ placeholders }} filled from the agreement.

No Jinja and no eval: a template is plain text with named holes, so users may write templates
without being able to run code on the server.
"""

from __future__ import annotations

import html
import re

from slm_app.core.errors import Problem, _

PLACEHOLDERS: dict[str, str] = {
	"agreement_name": _("The agreement's name, e.g. SLA-YYYY-NNNN-V1"),
	"agreement_type": _("SLA, OLA or UC"),
	"version": _("The version number"),
	"counterparty": _("The customer, support team or supplier"),
	"counterparty_type": _("Customer, Support Team or Supplier"),
	"valid_from": _("First day of validity"),
	"valid_to": _("Last day of validity"),
	"review_cycle": _("How often the agreement is reviewed"),
	"service_calendar": _("The service hours the targets are measured in"),
	"services": _("The services covered, comma-separated"),
	"targets_table": _("A table of the service level targets"),
	"change_reference": _("The change that put this version in force"),
	"signed_by": _("Who signed for the provider"),
	"signed_on": _("When it was signed"),
	"company_name": _("The provider's name from SLM Settings"),
	"today": _("The date of printing"),
}

_TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def find_placeholders(body: str | None) -> list[str]:
	seen: list[str] = []
	for m in _TOKEN.finditer(body or ""):
		if m.group(1) not in seen:
			seen.append(m.group(1))
	return seen


def validate_template(body: str | None) -> list[Problem]:
	text = body or ""
	if not re.sub(r"<[^>]*>", "", text).strip():
		return [Problem(_("The template body is empty"), (), "body")]
	problems = []
	unknown = [n for n in find_placeholders(text) if n not in PLACEHOLDERS]
	if unknown:
		problems.append(
			Problem(
				_("Unknown placeholder(s) {0}; use one of {1}"),
				(", ".join("{{ " + n + " }}" for n in unknown), ", ".join(PLACEHOLDERS)),
				"body",
			)
		)
	rest = _TOKEN.sub("", text)
	if "{{" in rest or "}}" in rest:
		problems.append(Problem(_("A placeholder is not closed: every {{ needs a matching }}"), (), "body"))
	return problems


def fill_template(body: str | None, values: dict[str, str], raw: set[str] | frozenset = frozenset({"targets_table"})) -> str:
	def repl(m: re.Match) -> str:
		name = m.group(1)
		value = values.get(name)
		if value is None:
			return ""
		return str(value) if name in raw else html.escape(str(value))

	return _TOKEN.sub(repl, body or "")


def _fmt_number(value) -> str:
	try:
		f = float(value)
	except (TypeError, ValueError):
		return ""
	return f"{f:g}"


def render_targets_table(targets: list[dict], labels: dict[str, str] | None = None) -> str:
	labels = {
		"service": "Service",
		"metric": "Metric",
		"priority": "Priority",
		"target": "Target",
		"share": "Share",
		"period": "Period",
		**(labels or {}),
	}
	head = "".join(f"<th>{html.escape(labels[k])}</th>" for k in ("service", "metric", "priority", "target", "share", "period"))
	body = []
	for t in targets:
		kind = t.get("metric_kind") or ""
		metric = t.get("metric_name") or kind
		unit = t.get("display_unit") or t.get("time_unit") or t.get("unit") or ("%" if kind == "Availability" else "")
		value = _fmt_number(t.get("target_value"))
		target = f"{value} {unit}".strip()
		share = _fmt_number(t.get("compliance_share"))
		cells = [
			t.get("service") or "",
			metric,
			t.get("priority") or "",
			target,
			f"{share} %" if share else "",
			t.get("measurement_period") or "",
		]
		body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
	return f'<table class="table table-bordered slm-targets"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
