"""Every whitelisted method of the app says the types of its arguments and of its result: Frappe 15
checks arguments against them on every call (frappe.utils.typing_validations), and Frappe 16's
require_type_annotated_api_methods (set in hooks.py) refuses a method without them."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "slm_app"


def whitelisted():
	for path in sorted(APP.rglob("*.py")):
		if "tests" in path.parts or path.name.startswith("test_"):
			continue
		for fn in ast.walk(ast.parse(path.read_text())):
			if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and any("whitelist" in ast.unparse(d) for d in fn.decorator_list):
				yield path.relative_to(APP.parent), fn


def test_every_whitelisted_method_is_type_annotated():
	missing = []
	for path, fn in whitelisted():
		args = [a for a in fn.args.args + fn.args.kwonlyargs if a.arg not in ("self", "cls")]
		missing += [f"{path}:{fn.name}({a.arg})" for a in args if a.annotation is None]
		if fn.returns is None:
			missing.append(f"{path}:{fn.name} -> ?")
	assert not missing, missing


def test_the_hook_is_set():
	assert "require_type_annotated_api_methods = True" in (APP / "hooks.py").read_text()


def test_every_controller_has_its_generated_types():
	"""hooks.export_python_type_annotations: Frappe writes a typed block of the doctype's fields into its
	controller; each is committed, so editors and type checkers know the fields."""
	missing = []
	for meta in APP.glob("slm/doctype/*/*.json"):
		controller = meta.with_suffix(".py")
		if controller.exists() and "# begin: auto-generated types" not in controller.read_text():
			missing.append(controller.name)
	assert not missing, missing
