"""The access model (core/access.py) is what the doctypes declare: internal fields at level 1 and read
only by the process roles, no counterparty role on an internal doctype, every internal table wholly at
level 1, and a permission hook for every SLM doctype."""

import json
from pathlib import Path

from slm_app.core import access
from slm_app.core.roles import COUNTERPARTY_ROLES, PROCESS_ROLES

APP = Path(__file__).resolve().parents[2] / "slm_app"


def doctypes() -> dict[str, dict]:
	out = {}
	for path in APP.glob("slm/doctype/*/*.json"):
		meta = json.loads(path.read_text())
		if meta.get("doctype") == "DocType":
			out[meta["name"]] = meta
	return out


def test_internal_fields_are_level_1_and_read_by_process_roles_only():
	metas = doctypes()
	for doctype, fields in access.INTERNAL_FIELDS.items():
		meta = metas[doctype]
		levels = {f["fieldname"]: f.get("permlevel", 0) for f in meta["fields"]}
		assert {f: levels[f] for f in fields} == {f: 1 for f in fields}, doctype
		readers = {p["role"] for p in meta["permissions"] if p.get("permlevel") == 1 and p.get("read")}
		allowed = set(PROCESS_ROLES) | set(access.LEVEL_1_READERS.get(doctype, ()))
		assert readers <= allowed, (doctype, readers - allowed)
		assert set(PROCESS_ROLES) - {"SLM Service Level Monitor"} <= readers, doctype
	# no field is at level 1 unless the model names it
	for doctype, meta in metas.items():
		if meta.get("istable"):
			continue
		level_1 = {f["fieldname"] for f in meta["fields"] if f.get("permlevel")}
		assert level_1 <= set(access.INTERNAL_FIELDS.get(doctype, ())), (doctype, level_1)


def test_internal_tables_are_wholly_level_1():
	metas = doctypes()
	for child in access.INTERNAL_TABLES:
		data = [f for f in metas[child]["fields"] if f["fieldtype"] not in ("Section Break", "Column Break")]
		assert data and all(f.get("permlevel") == 1 for f in data), child
		# and every table field holding them is internal
		holders = [(dt, f["fieldname"]) for dt, m in metas.items() for f in m["fields"] if f.get("options") == child and f["fieldtype"] == "Table"]
		assert holders and all(f in access.INTERNAL_FIELDS.get(dt, ()) for dt, f in holders), child


def test_counterparties_have_no_role_on_internal_doctypes_and_never_write():
	metas = doctypes()
	for doctype, meta in metas.items():
		for perm in meta.get("permissions", []):
			if perm["role"] not in COUNTERPARTY_ROLES:
				continue
			assert doctype not in access.INTERNAL_DOCTYPES, (doctype, perm["role"])
			assert not any(perm.get(k) for k in ("write", "create", "delete", "submit", "cancel", "amend", "import", "share")), (doctype, perm)
			assert doctype in access.PARTY_SCOPED or doctype in (access.SERVICE, access.CALENDAR), doctype


def test_every_doctype_has_the_permission_hooks():
	import ast

	tree = ast.parse((APP / "hooks.py").read_text())
	source = (APP / "hooks.py").read_text()
	assert "slm_app.permissions.query_conditions" in source and "slm_app.permissions.has_permission" in source
	# the hooks are built from the doctype folder itself, so a new doctype cannot be forgotten
	names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
	assert "_DOCTYPES" in names
