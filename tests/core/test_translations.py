"""Every user-facing string of the app has a Simplified Chinese translation in translations/zh.csv."""

import ast
import csv
import json
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "slm_app"
JS_CALL = re.compile(r"""__\(\s*(["'`])((?:\\.|(?!\1).)*)\1""")
JINJA_CALL = re.compile(r"""_\(\s*"((?:\\.|[^"\\])*)"\s*\)""")
DOCTYPE_KEYS = ("label", "description")


def python_messages(path: Path) -> set[str]:
	out = set()
	for node in ast.walk(ast.parse(path.read_text())):
		if (
			isinstance(node, ast.Call)
			and isinstance(node.func, ast.Name)
			and node.func.id == "_"
			and node.args
			and isinstance(node.args[0], ast.Constant)
			and isinstance(node.args[0].value, str)
		):
			out.add(node.args[0].value)
	return out


def doctype_messages(path: Path) -> set[str]:
	meta = json.loads(path.read_text())
	if meta.get("doctype") != "DocType":
		return set()
	out = {meta["name"]}
	for field in meta.get("fields", []):
		for key in DOCTYPE_KEYS:
			if field.get(key):
				out.add(field[key])
		if field.get("fieldtype") == "Select" and field.get("options"):
			out.update(o for o in field["options"].split("\n") if o and not o.endswith("-"))
	return out


def all_messages() -> set[str]:
	messages = set()
	for path in APP.rglob("*.py"):
		messages |= python_messages(path)
	for path in APP.rglob("*.js"):
		messages |= {m.group(2) for m in JS_CALL.finditer(path.read_text())}
	for path in APP.glob("slm/doctype/*/*.json"):
		messages |= doctype_messages(path)
	for path in [*APP.glob("templates/**/*.html"), *APP.glob("www/**/*.html")]:
		messages |= set(JINJA_CALL.findall(path.read_text()))
	for path in APP.glob("slm/print_format/*/*.json"):
		messages |= set(JINJA_CALL.findall(json.loads(path.read_text())["html"]))
	for wf in json.loads((APP / "fixtures/workflow.json").read_text()):
		messages |= {s["state"] for s in wf["states"]} | {t["action"] for t in wf["transitions"]}
	for path in APP.glob("slm/workspace/*/*.json"):
		ws = json.loads(path.read_text())
		messages |= {ws["label"]} | {link["label"] for link in ws["links"]} | {s["label"] for s in ws["shortcuts"]}
		messages |= {c["label"] for c in ws.get("number_cards", [])} | {c["label"] for c in ws.get("charts", [])}
	messages |= {item["title"] for item in _hook_value("portal_menu_items")}
	return {m for m in messages if m.strip() and re.search("[A-Za-z]", m)}


def _hook_value(name: str):
	"""A literal assigned in hooks.py (read without importing it)."""
	for node in ast.parse((APP / "hooks.py").read_text()).body:
		if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
			return ast.literal_eval(node.value)
	return []


def translations() -> dict[str, str]:
	with open(APP / "translations/zh.csv", newline="", encoding="utf-8") as f:
		return {row[0]: row[1] for row in csv.reader(f) if len(row) >= 2}


def test_every_message_has_a_chinese_translation():
	zh = translations()
	missing = sorted(m for m in all_messages() if not zh.get(m))
	assert not missing, f"{len(missing)} untranslated, e.g. {missing[:10]}"


def test_translations_keep_their_placeholders():
	for source, target in translations().items():
		assert sorted(re.findall(r"\{\d*\}", source)) == sorted(re.findall(r"\{\d*\}", target)), source


def select_and_workflow_values() -> dict[str, str]:
	"""Every value the desk shows from a Select option or a workflow (states, actions), with where it
	comes from: Frappe translates them in the desk only when zh.csv has a row for the exact value."""
	out: dict[str, str] = {}
	for path in sorted(APP.glob("slm/doctype/*/*.json")):
		meta = json.loads(path.read_text())
		if meta.get("doctype") != "DocType":
			continue
		for field in meta.get("fields", []):
			if field.get("fieldtype") == "Select" and field.get("options"):
				for option in field["options"].split("\n"):
					# naming series ("SLM-OUT-.YYYY.-") and numbers are not words
					if option.strip() and not option.endswith("-") and re.search("[A-Za-z]", option):
						out.setdefault(option, f"{meta['name']}.{field['fieldname']}")
	for wf in json.loads((APP / "fixtures/workflow.json").read_text()):
		for s in wf["states"]:
			out.setdefault(s["state"], f"workflow {wf['name']} state")
		for t in wf["transitions"]:
			out.setdefault(t["action"], f"workflow {wf['name']} action")
	for s in json.loads((APP / "fixtures/workflow_state.json").read_text()):
		out.setdefault(s["workflow_state_name"], "Workflow State fixture")
	for a in json.loads((APP / "fixtures/workflow_action_master.json").read_text()):
		out.setdefault(a["workflow_action_name"], "Workflow Action Master fixture")
	return out


def test_every_select_option_and_workflow_state_and_action_has_a_chinese_row():
	values = select_and_workflow_values()
	assert len(values) > 50  # the doctypes and fixtures were read
	zh = translations()
	missing = sorted(f"{v} ({where})" for v, where in values.items() if not zh.get(v))
	assert not missing, f"no zh.csv row for: {missing}"


def test_the_breach_log_offers_each_state_of_the_breach_workflow():
	"""The breach log's action is a Select (so the desk translates it): recorded, or a state moved to."""
	meta = json.loads((APP / "slm/doctype/slm_breach_action/slm_breach_action.json").read_text())
	options = next(f["options"] for f in meta["fields"] if f["fieldname"] == "action").split("\n")
	wf = next(w for w in json.loads((APP / "fixtures/workflow.json").read_text()) if w["document_type"] == "SLM Breach")
	assert options == ["Recorded", *[s["state"] for s in wf["states"]]]


# report columns that carry a stored English value of a Select or a workflow state
ENUM_COLUMNS = {"agreement_type", "metric_kind", "priority", "result", "status", "workflow_state", "review_cycle", "service_kind"}


def report_columns() -> list[tuple[str, dict]]:
	out = []
	for path in sorted(APP.glob("slm/report/*/*.py")):
		for node in ast.walk(ast.parse(path.read_text())):
			if isinstance(node, ast.Dict):
				keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
				if "fieldname" in keys and "fieldtype" in keys:
					column = {k.value: v.value for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
					out.append((path.parent.name, column))
	return out


def test_report_columns_of_stored_values_are_selects_so_the_desk_translates_them():
	"""Frappe's desk formats a Select cell with __(value) (formatters.js); a Data cell as it is."""
	columns = report_columns()
	assert len(columns) > 60  # the reports' columns were read
	wrong = sorted(f"{report}.{c['fieldname']} is {c['fieldtype']}" for report, c in columns if c.get("fieldname") in ENUM_COLUMNS and c["fieldtype"] != "Select")
	assert not wrong, wrong


def _doctypes() -> dict[str, dict]:
	out = {}
	for path in APP.glob("slm/doctype/*/*.json"):
		meta = json.loads(path.read_text())
		if meta.get("doctype") == "DocType":
			out[meta["name"]] = meta
	return out


def test_a_copied_state_or_select_value_is_a_select_with_the_same_options():
	"""A field fetched from a Select or a workflow state (the underpinning's state, a service's kind) is a
	Select with the source's options, so the desk shows it translated, not a Data field shown as stored."""
	doctypes = _doctypes()
	states = {w["document_type"]: [s["state"] for s in w["states"]] for w in json.loads((APP / "fixtures/workflow.json").read_text())}
	checked, wrong = 0, []
	for name, meta in doctypes.items():
		fields = {f["fieldname"]: f for f in meta["fields"]}
		for f in meta["fields"]:
			link, _dot, source = (f.get("fetch_from") or "").partition(".")
			target = doctypes.get((fields.get(link) or {}).get("options"))
			if not target:
				continue
			if source == "workflow_state":
				expected = states.get(target["name"])
			else:
				src = next((s for s in target["fields"] if s["fieldname"] == source), {})
				expected = src.get("options", "").split("\n") if src.get("fieldtype") == "Select" else None
			if expected is None:
				continue
			checked += 1
			if f["fieldtype"] != "Select" or f.get("options", "").split("\n") != expected:
				wrong.append(f"{name}.{f['fieldname']}")
	assert checked >= 4
	assert not wrong, wrong


STORED_VALUE_FIELDS = ENUM_COLUMNS | {"party_type", "result_1", "result_2", "result_3", "quarter_result"}


def test_fields_that_hold_a_state_or_select_value_are_selects():
	"""Fields named for a state, a result, a kind, a type or a priority are Selects (or the workflow's
	state), so the desk shows their stored English value in the reader's language."""
	found = [(name, f) for name, meta in _doctypes().items() for f in meta["fields"] if f["fieldname"] in STORED_VALUE_FIELDS]
	assert len(found) > 40
	wrong = sorted(f"{name}.{f['fieldname']} is {f['fieldtype']}" for name, f in found if f["fieldtype"] != "Select" and not (f["fieldname"] == "workflow_state" and f.get("options") == "Workflow State"))
	assert not wrong, wrong
