# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""The permission model, proven over HTTP as real users on every standard path (README, Security).

The matrix is generated from the site's own metadata: every SLM doctype, parent and child, × every
role of the process and of the counterparties × every read path Frappe offers (REST list and get,
frappe.client.get_list / get / get_value / get_count, the list view's report view, counts and group-by
sidebar, link search and link validation, the form loader and its timeline, linked documents, print,
files, comments and versions), every write path (REST insert / update / delete, set_value, save,
workflow), every script report, number card and dashboard chart of the module, and every whitelisted
method and doc method of the app called with the other party's names (and on a forged document).

The oracle is written here, apart from the code under test: which records each user may read. A
response fails the matrix when it contains anything the user may not read — the name of a record of
another party, a child row of it, a value of an internal field (they all carry a marker) — or when a
write goes through. All violations are collected and reported together.
"""

from __future__ import annotations

import inspect
import json
from collections import defaultdict
from urllib.parse import quote

import frappe
from frappe.tests.test_api import make_request
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_test_client

from slm_app.core import access
from slm_app.core.roles import COUNTERPARTY_ROLES, PROCESS_ROLES
from slm_app.tests import utils as u

COUNTERPARTY_KINDS = ("Customer", "Support Team", "Supplier")


WORLD: dict = {}


def setUpModule():
	"""One committed two-sided world for the whole module (HTTP requests run on their own connection),
	removed again at the end."""
	u.remove_matrix_world()
	try:
		world = u.make_matrix_world()
		tokens = {}
		from frappe.utils.password import set_encrypted_password

		users = [u.OWNER, u.MANAGER_USER, u.MONITOR_USER] + [user for side in u.MX_SIDES for user in world["sides"][side]["users"].values()]
		for user in users:
			key, secret = frappe.generate_hash(length=15), frappe.generate_hash(length=15)
			frappe.db.set_value("User", user, "api_key", key)
			set_encrypted_password("User", user, secret, "api_secret")
			tokens[user] = f"token {key}:{secret}"
		frappe.db.commit()
		WORLD.update(world=world, tokens=tokens, oracle=Oracle(world))
	except Exception:
		u.remove_matrix_world()
		raise


def tearDownModule():
	frappe.set_user("Administrator")
	u.remove_matrix_world()


class HTTPCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.world, cls.tokens, cls.oracle = WORLD["world"], WORLD["tokens"], WORLD["oracle"]
		cls.client = get_test_client()
		cls.doctypes = frappe.get_all("DocType", filters={"module": "SLM"}, fields=["name", "istable", "issingle", "is_submittable"])

	def tearDown(self):
		frappe.set_user("Administrator")

	@classmethod
	def counterparties(cls) -> list[tuple[str, str, str]]:
		"""(user, kind, side) of side A's people: side B's records are what they must not reach."""
		return [(cls.world["sides"]["A"]["users"][kind], kind, "A") for kind in COUNTERPARTY_KINDS]

	# -------------------------------------------------------------------------------------- HTTP
	def request(self, user: str, method: str, path: str, params: dict | None = None):
		headers = {"Authorization": self.tokens[user], "Accept": "application/json"}
		if method == "GET":
			query = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in (params or {}).items()}
			kwargs = {"query_string": query, "headers": headers}
		else:
			kwargs = {"json": params or {}, "headers": headers}
		target = getattr(self.client, method.lower())
		response = make_request(target=target, args=(path,), kwargs=kwargs, site=frappe.local.site)
		frappe.db.commit()  # a fresh snapshot: see what the request committed
		return response.status_code, response.get_data().decode("utf-8", "replace")

	def call(self, user: str, method: str, params: dict | None = None, http: str = "POST"):
		return self.request(user, http, f"/api/method/{method}", params)



class TestAccessMatrix(HTTPCase):
	def test_read_paths(self):
		"""Every doctype × counterparty × read path: nothing of another party, nothing internal."""
		violations = Violations()
		count = 0
		for user, kind, _side in self.counterparties():
			forbidden = self.oracle.forbidden_strings(user)
			for dt in self.doctypes:
				echo = self.oracle.echo(dt.name, self.oracle.probe(dt.name, user))
				for label, method, path, params in self.read_paths(dt, user):
					status, body = self.request(user, method, path, params)
					count += 1
					leak = forbidden.find(body, allow=echo if status in (403, 404, 417) else set())
					if leak:
						violations.add(f"{kind} contact · {dt.name} · {label}: shows {leak!r} (HTTP {status})")
					if status >= 500:
						violations.add(f"{kind} contact · {dt.name} · {label}: HTTP {status} {body[:200]}")
					if label == "pdf" and status == 200:
						violations.add(f"{kind} contact · {dt.name} · {label}: a PDF of a record it may not read")
		print(f"access matrix, read paths: {count} requests over {len(self.doctypes)} doctypes × {len(self.counterparties())} counterparty roles")
		violations.check(self)

	def read_paths(self, dt, user: str):
		"""The standard read paths for one doctype, pointed at records the user may not read."""
		doctype = dt.name
		quoted = quote(doctype)
		parent = self.oracle.parent_of(doctype) if dt.istable else None
		probe = self.oracle.probe(doctype, user)  # a record the user may not read (another party's, or internal)
		own = self.oracle.own(doctype, user)
		fields = ["*"]
		base = {"parent": parent} if parent else {}
		yield "REST list", "GET", f"/api/resource/{quoted}", {"fields": fields, "limit_page_length": 0, **base}
		yield "get_list", "POST", "/api/method/frappe.client.get_list", {"doctype": doctype, "fields": fields, "limit_page_length": 0, **base}
		yield "get_count", "POST", "/api/method/frappe.client.get_count", {"doctype": doctype, **base}
		yield "report view", "POST", "/api/method/frappe.desk.reportview.get", {"doctype": doctype, "fields": [f"`tab{doctype}`.`name`"], "page_length": 500, **({"parent_doctype": parent} if parent else {})}
		yield "report view count", "POST", "/api/method/frappe.desk.reportview.get_count", {"doctype": doctype, "filters": []}
		yield "group-by sidebar", "POST", "/api/method/frappe.desk.listview.get_group_by_count", {"doctype": doctype, "current_filters": [], "field": "owner"}
		yield "group-by assigned to", "POST", "/api/method/frappe.desk.listview.get_group_by_count", {"doctype": doctype, "current_filters": [], "field": "assigned_to"}
		link = next((f.fieldname for f in frappe.get_meta(doctype).fields if f.fieldtype == "Link"), None)
		if link:
			yield f"group-by {link}", "POST", "/api/method/frappe.desk.listview.get_group_by_count", {"doctype": doctype, "current_filters": [], "field": link}
		yield "sidebar stats", "POST", "/api/method/frappe.desk.reportview.get_stats", {"stats": json.dumps(["_user_tags", "owner"]), "doctype": doctype}
		yield "tagged records", "POST", "/api/method/frappe.desk.doctype.tag.tag.get_tagged_docs", {"doctype": doctype, "tag": "%"}
		yield "link search", "POST", "/api/method/frappe.desk.search.search_link", {"doctype": doctype, "txt": "", "page_length": 500}
		yield "files", "POST", "/api/method/frappe.client.get_list", {"doctype": "File", "fields": ["name", "file_name", "attached_to_name"], "filters": {"attached_to_doctype": doctype}, "limit_page_length": 0}
		yield "comments", "POST", "/api/method/frappe.client.get_count", {"doctype": "Comment", "filters": {"reference_doctype": doctype}}
		yield "versions", "POST", "/api/method/frappe.client.get_count", {"doctype": "Version", "filters": {"ref_doctype": doctype}}
		for name in filter(None, [probe]):
			yield "REST get", "GET", f"/api/resource/{quoted}/{quote(name)}", base
			yield "get", "POST", "/api/method/frappe.client.get", {"doctype": doctype, "name": name, **base}
			yield "get_value", "POST", "/api/method/frappe.client.get_value", {"doctype": doctype, "fieldname": "name", "filters": {"name": name}, **base}
			yield "count by name", "POST", "/api/method/frappe.client.get_count", {"doctype": doctype, "filters": {"name": name}, **base}
			yield "validate_link", "POST", "/api/method/frappe.client.validate_link", {"doctype": doctype, "docname": name, "fields": json.dumps(["name"])}
			yield "form load", "POST", "/api/method/frappe.desk.form.load.getdoc", {"doctype": doctype, "name": name}
			yield "timeline", "POST", "/api/method/frappe.desk.form.load.get_docinfo", {"doctype": doctype, "name": name}
			yield "linked documents", "POST", "/api/method/frappe.desk.form.linked_with.get", {"doctype": doctype, "docname": name}
			yield "submitted linked documents", "POST", "/api/method/frappe.desk.form.linked_with.get_submitted_linked_docs", {"doctype": doctype, "name": name}
			yield "print", "POST", "/api/method/frappe.www.printview.get_html_and_style", {"doc": json.dumps({"doctype": doctype, "name": name}), "print_format": "Standard"}
			yield "printview", "GET", "/printview", {"doctype": doctype, "name": name}
			yield "search by name", "POST", "/api/method/frappe.desk.search.search_link", {"doctype": doctype, "txt": name[:20]}
			yield "count by name in comments", "POST", "/api/method/frappe.client.get_count", {"doctype": "Comment", "filters": {"reference_name": name}}
			yield "amended?", "POST", "/api/method/frappe.client.is_document_amended", {"doctype": doctype, "docname": name}
			yield "communications", "POST", "/api/method/frappe.desk.form.load.get_communications", {"doctype": doctype, "name": name}
			yield "document permissions", "POST", "/api/method/frappe.client.get_doc_permissions", {"doctype": doctype, "docname": name}
			yield "pdf", "GET", "/api/method/frappe.utils.print_format.download_pdf", {"doctype": doctype, "name": name}
		if own and not dt.istable:
			# the user's own record: its internal fields and internal tables stay hidden
			yield "own: REST get", "GET", f"/api/resource/{quoted}/{quote(own)}", {}
			yield "own: form load", "POST", "/api/method/frappe.desk.form.load.getdoc", {"doctype": doctype, "name": own}
			yield "own: communications", "POST", "/api/method/frappe.desk.form.load.get_communications", {"doctype": doctype, "name": own}
			yield "own: print", "POST", "/api/method/frappe.www.printview.get_html_and_style", {"doc": json.dumps({"doctype": doctype, "name": own}), "print_format": "SLM Agreement" if doctype == "SLM Agreement" else "Standard"}
			for field in self.oracle.internal_fields(doctype):
				yield f"own: filter by {field}", "POST", "/api/method/frappe.client.get_count", {"doctype": doctype, "filters": [[field, "like", f"%{u.INTERNAL}%"]]}
				yield f"own: list by {field}", "POST", "/api/method/frappe.client.get_list", {"doctype": doctype, "fields": ["name", field], "filters": {"name": own}}
			for table_field in frappe.get_meta(doctype).get_table_fields():
				child = table_field.options
				for child_field in [f.fieldname for f in frappe.get_meta(child).fields if f.fieldtype in ("Data", "Small Text", "Link")][:2]:
					yield f"own: join {child}.{child_field}", "POST", "/api/method/frappe.client.get_list", {"doctype": doctype, "fields": ["name", f"`tab{child}`.`{child_field}`"], "filters": [[child, child_field, "like", "%"]]}

	def test_reports_cards_and_charts(self):
		violations = Violations()
		reports = frappe.get_all("Report", filters={"module": "SLM"}, pluck="name")
		cards = frappe.get_all("Number Card", filters={"module": "SLM"}, pluck="name")
		charts = frappe.get_all("Dashboard Chart", filters={"module": "SLM"}, pluck="name")
		b = self.world["sides"]["B"]
		for user, kind, _side in self.counterparties():
			forbidden = self.oracle.forbidden_strings(user)
			checks = []
			for report in reports:
				checks.append((f"report {report}", "frappe.desk.query_report.run", {"report_name": report, "filters": {}}))
				for field, value in (("agreement", b["sla"]), ("party", b["parties"]["Customer"]), ("service", b["technical"])):
					checks.append((f"report {report} filtered by {field}", "frappe.desk.query_report.run", {"report_name": report, "filters": {field: value}}))
			for card in cards:
				doc = frappe.get_doc("Number Card", card)
				checks.append((f"number card {card}", "frappe.desk.doctype.number_card.number_card.get_result", {"doc": doc.as_json(), "filters": doc.filters_json or "[]"}))
			for chart in charts:
				source = frappe.db.get_value("Dashboard Chart", chart, "source")
				if source:  # a custom source: the desk calls the method its script names
					script = frappe.get_app_path("slm_app", "slm", "dashboard_chart_source", frappe.scrub(source), f"{frappe.scrub(source)}.js")
					method = open(script).read().split('method: "', 1)[1].split('"', 1)[0]
					checks.append((f"chart {chart}", method, {"chart_name": chart}))
				else:
					checks.append((f"chart {chart}", "frappe.desk.doctype.dashboard_chart.dashboard_chart.get", {"chart_name": chart, "refresh": 1}))
			for doctype in ("SLM Breach", "SLM Monitoring Record", "SLM Agreement"):
				forged = {"doctype": "Number Card", "name": "forged", "type": "Document Type", "function": "Count", "document_type": doctype, "filters_json": json.dumps([[doctype, "name", "like", "%"]])}
				checks.append((f"forged number card on {doctype}", "frappe.desk.doctype.number_card.number_card.get_result", {"doc": json.dumps(forged), "filters": forged["filters_json"]}))
			for label, method, params in checks:
				status, body = self.call(user, method, params)
				sent = {str(v) for v in (params.get("filters") or {}).values()} if isinstance(params.get("filters"), dict) else set()
				leak = forbidden.find(body, allow=sent if status in (403, 404, 417) else set())
				if leak:
					violations.add(f"{kind} contact · {label}: shows {leak!r}")
				if status >= 500:
					violations.add(f"{kind} contact · {label}: HTTP {status} {body[:200]}")
		violations.check(self)

	def test_users_and_files(self):
		violations = Violations()
		for user, kind, _side in self.counterparties():
			forbidden = self.oracle.forbidden_strings(user)
			mine = self.oracle.visible_users(user)
			for label, params in (
				("user list", {"doctype": "User", "fields": ["name"], "limit_page_length": 0}),
				("file list", {"doctype": "File", "fields": ["name", "file_name", "attached_to_doctype", "attached_to_name"], "limit_page_length": 0}),
			):
				status, body = self.call(user, "frappe.client.get_list", params)
				if status != 200 and label == "user list":
					continue
				rows = json.loads(body).get("message") or []
				if label == "user list":
					extra = {r["name"] for r in rows} - mine
					if extra:
						violations.add(f"{kind} contact · {label}: sees {sorted(extra)[:5]}")
				leak = forbidden.find(body)
				if leak:
					violations.add(f"{kind} contact · {label}: shows {leak!r}")
			for label, method, params in (
				("mentions", "frappe.desk.search.get_names_for_mentions", {"search_term": ""}),
				("viewers", "frappe.desk.form.load.get_user_info_for_viewers", {"users": json.dumps(sorted(self.oracle.all_users() - mine))}),
				("tag search", "frappe.desk.doctype.tag.tag.get_documents_for_tag", {"tag": f"#{u.MX_TAG}"}),
			):
				status, body = self.call(user, method, params)
				leaked = [x for x in sorted(self.oracle.all_users() - mine) if x in body]
				if leaked or forbidden.find(body):
					violations.add(f"{kind} contact · {label}: shows {(leaked or [forbidden.find(body)])[0]!r}")
				if status >= 500:
					violations.add(f"{kind} contact · {label}: HTTP {status} {body[:200]}")
			status, body = self.call(user, "frappe.desk.search.search_link", {"doctype": "User", "txt": "", "page_length": 500})
			found = {r.get("value") for r in json.loads(body).get("message") or []} if status == 200 else set()
			if found - mine:
				violations.add(f"{kind} contact · user search: finds {sorted(found - mine)[:5]}")
			for f in self.oracle.files_forbidden(user):
				status, body = self.request(user, "GET", f"/api/resource/File/{quote(f)}")
				if status == 200:
					violations.add(f"{kind} contact · file {f}: readable")
		violations.check(self)

	def test_write_paths(self):
		"""No counterparty writes an SLM record through any standard path, not even its own."""
		violations = Violations()
		for user, kind, _side in self.counterparties():
			for dt in self.doctypes:
				if dt.issingle:
					continue
				own = self.oracle.own(dt.name, user) or self.oracle.probe(dt.name, user)
				before = self.oracle.snapshot(dt.name)
				quoted = quote(dt.name)
				attempts = [("REST insert", "POST", f"/api/resource/{quoted}", {"party": self.world["sides"]["A"]["parties"][kind]})]
				if own:
					field = self.oracle.writable_field(dt.name)
					attempts += [
						("REST update", "PUT", f"/api/resource/{quoted}/{quote(own)}", {field: "changed by a counterparty"}),
						("set_value", "POST", "/api/method/frappe.client.set_value", {"doctype": dt.name, "name": own, "fieldname": field, "value": "changed"}),
						("REST delete", "DELETE", f"/api/resource/{quoted}/{quote(own)}", None),
					]
					if not dt.istable:
						doc = frappe.get_doc(dt.name, own).as_dict(convert_dates_to_str=True)
						doc[field] = "changed by save"
						attempts.append(("savedocs", "POST", "/api/method/frappe.desk.form.save.savedocs", {"doc": json.dumps(doc, default=str), "action": "Save"}))
						if dt.is_submittable:
							attempts.append(("submit", "POST", "/api/method/frappe.client.submit", {"doc": json.dumps(doc, default=str)}))
							for action in ("Agree", "Approve", "Activate", "Terminate", "Expire"):
								attempts.append((f"workflow {action}", "POST", "/api/method/frappe.model.workflow.apply_workflow", {"doc": json.dumps(doc, default=str), "action": action}))
				if own and not dt.istable:
					attempts += [
						("comment", "POST", "/api/method/frappe.desk.form.utils.add_comment", {"reference_doctype": dt.name, "reference_name": own, "content": "hello", "comment_email": user, "comment_by": user}),
						("tag", "POST", "/api/method/frappe.desk.doctype.tag.tag.add_tag", {"tag": "by-counterparty", "dt": dt.name, "dn": own}),
						("assign", "POST", "/api/method/frappe.desk.form.assign_to.add", {"assign_to": json.dumps([user]), "doctype": dt.name, "name": own, "description": "x"}),
						("attach", "POST", "/api/method/frappe.client.attach_file", {"filename": "x.txt", "filedata": "eA==", "doctype": dt.name, "docname": own, "decode_base64": 1}),
					]
				for label, method, path, params in attempts:
					status, body = self.request(user, method, path, params)
					if status == 200:
						violations.add(f"{kind} contact · {dt.name} · {label}: accepted")
					if status >= 500:
						violations.add(f"{kind} contact · {dt.name} · {label}: HTTP {status} {body[:160]}")
				if self.oracle.snapshot(dt.name) != before:
					violations.add(f"{kind} contact · {dt.name}: records changed by the attempts")
		violations.check(self)

	def test_process_roles_read_everything(self):
		"""The model's other half: the process roles still read every party's records."""
		violations = Violations()
		b = self.world["sides"]["B"]
		for user in (u.OWNER, u.MANAGER_USER, u.MONITOR_USER):
			for doctype, name in (("SLM Agreement", b["sla"]), ("SLM Agreement", b["ola"]), ("SLM Party", b["parties"]["Supplier"]), ("SLM Breach", self.oracle.probe("SLM Breach", self.counterparties()[0][0]))):
				status, body = self.request(user, "GET", f"/api/resource/{quote(doctype)}/{quote(name)}")
				if status != 200:
					violations.add(f"{user} · {doctype} {name}: HTTP {status}")
			status, body = self.call(user, "frappe.client.get_list", {"doctype": "SLM Underpinning", "parent": "SLM Agreement", "fields": ["name", "parent"], "filters": {"parent": b["sla"]}})
			if status != 200 or len(json.loads(body)["message"]) != 3:
				violations.add(f"{user} · the underpinning of {b['sla']}: HTTP {status} {body[:200]}")
		for user, _kind, _side in self.counterparties():
			own = self.oracle.own("SLM Agreement", user)
			status, body = self.request(user, "GET", f"/api/resource/SLM%20Agreement/{quote(own)}")
			if status != 200:
				violations.add(f"{user} cannot read its own agreement {own}: HTTP {status}")
			status, body = self.call(user, "frappe.client.get_list", {"doctype": "SLM Agreement Target", "parent": "SLM Agreement", "fields": ["name", "parent"], "filters": {"parent": own}})
			if status != 200 or not json.loads(body)["message"]:
				violations.add(f"{user} cannot read its own agreement's targets: HTTP {status}")
		violations.check(self)

	def test_app_methods_with_the_other_partys_names(self):
		"""Every whitelisted method and doc method of the app, as each counterparty, with side B's names
		and on a forged document carrying the caller's own party."""
		violations = Violations()
		methods = self.oracle.app_methods()
		self.assertTrue(methods["functions"] and methods["doc_methods"])
		b = self.world["sides"]["B"]
		for user, kind, side in self.counterparties():
			forbidden = self.oracle.forbidden_strings(user)
			own_party = self.world["sides"][side]["parties"][kind]
			for path, params in methods["functions"]:
				args = self.oracle.arguments(params, b)
				status, body = self.call(user, path, args)
				leak = forbidden.find(body, allow=set(map(str, args.values())) if status in (403, 404, 417) else set())
				if leak:
					violations.add(f"{kind} contact · {path}: shows {leak!r} (HTTP {status})")
				if status >= 500:
					violations.add(f"{kind} contact · {path}: HTTP {status} {body[:200]}")
			for doctype, method in methods["doc_methods"]:
				for name in filter(None, [self.oracle.probe(doctype, user)]):
					status, body = self.call(user, "run_doc_method", {"dt": doctype, "dn": name, "method": method})
					leak = forbidden.find(body, allow={name} if status in (403, 404, 417) else set())
					if leak:
						violations.add(f"{kind} contact · {doctype}.{method} on {name}: shows {leak!r} (HTTP {status})")
					forged = frappe.get_doc(doctype, name).as_dict(convert_dates_to_str=True)
					for field in ("party", "customer"):
						if field in forged:
							forged[field] = own_party
					forged["name"] = f"new-{frappe.scrub(doctype)}-1"
					forged["__islocal"] = 1
					forged.pop("docstatus", None)
					status, body = self.call(user, "run_doc_method", {"docs": json.dumps(forged, default=str), "method": method})
					sent = {str(v) for v in forged.values() if isinstance(v, str)}
					leak = forbidden.find(body, allow=sent if status in (403, 404, 417) else set())
					if leak:
						violations.add(f"{kind} contact · {doctype}.{method} on a forged document: shows {leak!r} (HTTP {status})")
					if status >= 500:
						violations.add(f"{kind} contact · {doctype}.{method} forged: HTTP {status} {body[:200]}")
		violations.check(self)


class Violations:
	def __init__(self):
		self.items: list[str] = []

	def add(self, text: str) -> None:
		self.items.append(text)

	def check(self, case) -> None:
		if self.items:
			case.fail(f"{len(self.items)} violation(s):\n" + "\n".join(self.items[:300]))


class Forbidden:
	def __init__(self, strings):
		self.strings = sorted({s for s in strings if s and len(s) >= 4}, key=len, reverse=True)

	def find(self, body: str, allow: set | frozenset = frozenset()) -> str | None:
		allow = {a for a in allow if a}
		for s in self.strings:
			# names are built from names (BR-<agreement>-…, SR-<customer>-…): what the caller sent holds them
			if s in body and not any(s in a for a in allow):
				return s
		return None


class Oracle:
	"""The documented model, written independently of slm_app.permissions: what each user may read."""

	def __init__(self, world):
		self.world = world
		self.side_of_party = {p: side for side in u.MX_SIDES for p in world["sides"][side]["parties"].values()}
		self.kind_of_party = {p: kind for side in u.MX_SIDES for kind, p in world["sides"][side]["parties"].items()}
		self.party_of_user = {user: world["sides"][side]["parties"][kind] for side in u.MX_SIDES for kind, user in world["sides"][side]["users"].items()}
		self.records: dict[str, list[dict]] = {}
		for dt in frappe.get_all("DocType", filters={"module": "SLM", "issingle": 0}, pluck="name"):
			self.records[dt] = [dict(r) for r in frappe.get_all(dt, fields=["*"], limit_page_length=0)]
		self._cache: dict[str, tuple[set, set]] = {}

	# the model
	def visible(self, user: str) -> tuple[set[tuple[str, str]], str]:
		"""(doctype, name) pairs the user may read, and the text of the fields it may read."""
		if user in self._cache:
			return self._cache[user]
		party = self.party_of_user[user]
		kind = self.kind_of_party[party]
		seen: set[tuple[str, str]] = set()
		text: list[str] = []
		agreements_of_party = {r["name"] for r in self.records["SLM Agreement"] if r["party"] == party}
		covered = {r["service"] for r in self.records["SLM Agreement Service"] if r["parent"] in agreements_of_party}
		for dt, rows in self.records.items():
			meta = frappe.get_meta(dt)
			if meta.istable:
				continue
			for r in rows:
				if dt in access.INTERNAL_DOCTYPES:
					ok = False
				elif dt in access.PARTY_SCOPED:
					ok = (
						r.get(access.PARTY_SCOPED[dt]) == party
						and (dt not in access.SUBMITTED_ONLY or r["docstatus"] == 1)
						and (r.get("workflow_state") or "") not in access.HIDDEN_STATES.get(dt, ())
					)
				elif dt == "SLM Service":
					ok = r["name"] in covered or (
						(kind == "Customer" and r["service_kind"] == "Business Service" and r["workflow_state"] == "Published")
						or (kind == "Support Team" and r["support_team"] == party)
						or (kind == "Supplier" and r["supplier"] == party)
					)
				else:
					ok = None  # calendars: below
				if ok:
					seen.add((dt, r["name"]))
		services = {n for d, n in seen if d == "SLM Service"}
		for r in self.records["SLM Service Calendar"]:
			used = any(a["service_calendar"] == r["name"] for a in self.records["SLM Agreement"] if a["party"] == party) or any(
				s["service_calendar"] == r["name"] for s in self.records["SLM Service"] if s["name"] in services
			)
			if used:
				seen.add(("SLM Service Calendar", r["name"]))
		for dt, name in list(seen):
			meta = frappe.get_meta(dt)
			row = next(r for r in self.records[dt] if r["name"] == name)
			internal = set(access.INTERNAL_FIELDS.get(dt, ())) if not self._reads_level_1(user, dt) else set()
			text += [str(row.get(f.fieldname) or "") for f in meta.fields if f.fieldname not in internal]
			for tf in meta.get_table_fields():
				if tf.fieldname in internal:
					continue
				for child in self.records.get(tf.options, []):
					if child["parent"] == name and child["parenttype"] == dt and child["parentfield"] == tf.fieldname:
						seen.add((tf.options, child["name"]))
						text += [str(v or "") for k, v in child.items() if k not in ("name",)]
		result = (seen, "\n".join(text))
		self._cache[user] = result
		return result

	def _reads_level_1(self, user: str, doctype: str) -> bool:
		return any(role in frappe.get_roles(user) for role in access.LEVEL_1_READERS.get(doctype, ()))

	def forbidden_strings(self, user: str) -> Forbidden:
		seen, text = self.visible(user)
		names = [r["name"] for dt, rows in self.records.items() for r in rows if (dt, r["name"]) not in seen]
		# a name the user legitimately reads in one of its own records is no leak
		names = [n for n in names if n not in text]
		return Forbidden([*names, u.INTERNAL])

	def all_users(self) -> set[str]:
		return {user for side in u.MX_SIDES for user in self.world["sides"][side]["users"].values()} | {u.OWNER, u.MANAGER_USER, u.MONITOR_USER}

	def visible_users(self, user: str) -> set[str]:
		party = self.party_of_user[user]
		members = {m["user"] for m in self.records["SLM Party Member"] if m["parent"] == party}
		return {user, *members}

	def files_forbidden(self, user: str) -> list[str]:
		seen, _text = self.visible(user)
		return [f.name for f in frappe.get_all("File", filters={"attached_to_doctype": ["like", "SLM %"]}, fields=["name", "attached_to_doctype", "attached_to_name"]) if (f.attached_to_doctype, f.attached_to_name) not in seen]

	# probes
	def parent_of(self, child: str) -> str | None:
		parents = frappe.get_all("DocField", filters={"options": child, "fieldtype": "Table", "parent": ["like", "SLM %"]}, pluck="parent")
		return parents[0] if parents else None

	def probe(self, doctype: str, user: str) -> str | None:
		"""A record of this doctype the user may not read, preferring side B's."""
		seen, _text = self.visible(user)
		rows = [r for r in self.records.get(doctype, []) if (doctype, r["name"]) not in seen]
		b = {p for p, side in self.side_of_party.items() if side == "B"}
		rows.sort(key=lambda r: 0 if any(str(v) in b for v in r.values()) else 1)
		return rows[0]["name"] if rows else None

	def echo(self, doctype: str, name: str | None) -> set[str]:
		"""What an error may repeat of a refused request: the name the caller sent and, for a child row
		(whose random name the caller must already hold), the name of its parent, as Frappe's "no access to
		SLM Agreement X" says. Existence of a name is not secret (names are sequential); its content is."""
		if not name:
			return set()
		out = {name}
		if frappe.get_meta(doctype).istable:
			out.add(frappe.db.get_value(doctype, name, "parent"))
		return out

	def own(self, doctype: str, user: str) -> str | None:
		seen, _text = self.visible(user)
		names = sorted(n for dt, n in seen if dt == doctype)
		return names[0] if names else None

	def internal_fields(self, doctype: str) -> list[str]:
		meta = frappe.get_meta(doctype)
		return [f for f in access.INTERNAL_FIELDS.get(doctype, ()) if meta.get_field(f) and meta.get_field(f).fieldtype not in ("Table", "Check", "Datetime", "Link")]

	def writable_field(self, doctype: str) -> str:
		meta = frappe.get_meta(doctype)
		for f in meta.fields:
			if f.fieldtype in ("Data", "Small Text", "Text") and not f.read_only:
				return f.fieldname
		return "idx"

	def snapshot(self, doctype: str) -> list:
		return frappe.db.sql(f"select name, modified from `tab{doctype}` order by name")

	# the app's own whitelisted methods
	def app_methods(self) -> dict:
		import importlib
		import pkgutil

		import slm_app

		for mod in pkgutil.walk_packages(slm_app.__path__, "slm_app."):
			if ".tests" in mod.name or mod.name.endswith(".test") or ".test_" in mod.name or ".offline" in mod.name:
				continue
			try:
				importlib.import_module(mod.name)
			except Exception:
				continue
		functions, doc_methods = [], []
		for fn in frappe.whitelisted:
			module = getattr(fn, "__module__", "") or ""
			if not module.startswith("slm_app"):
				continue
			qual = fn.__qualname__
			if "." in qual:
				cls_name, method = qual.split(".", 1)
				doctype = self._doctype_of_class(cls_name)
				if doctype:
					doc_methods.append((doctype, method))
			else:
				functions.append((f"{module}.{fn.__name__}", list(inspect.signature(fn).parameters)))
		return {"functions": functions, "doc_methods": doc_methods}

	def _doctype_of_class(self, cls_name: str) -> str | None:
		for dt in self.records:
			if dt.replace(" ", "") == cls_name:
				return dt
		return None

	ARGUMENTS = {
		"name": "sla",
		"agreement": "sla",
		"month": "2026-03",
		"reason": "probing",
		"kind": "tickets",
		"keep": "none",
		"fieldname": "negotiation_note",
		"value": "probing",
		"change_reference": "CHG-PROBE",
		"effective_from": "2026-06-01",
		"filters": "{}",
		"chart_name": None,
		"chart": None,
		"no_cache": 1,
	}

	def arguments(self, params: list[str], b: dict) -> dict:
		out = {}
		for p in params:
			if p in ("_kwargs", "kwargs", "args"):
				continue
			value = self.ARGUMENTS.get(p, "")
			if value == "sla":
				value = b["sla"]
			if p == "rows":
				value = json.dumps([{"ticket_id": "_PROBE-1", "agreement": b["sla"], "created": "2026-03-02 09:00"}])
			if p == "ticket":  # the other party's ticket: its timeline
				value = f"{u.MX}-B-1"
			if p == "record":  # the other party's monitoring record: the tickets it counted
				value = frappe.get_all("SLM Monitoring Record", filters={"agreement": b["sla"]}, pluck="name", order_by="name", limit=1)[0]
			if p == "months":
				value = 6
			if value is not None:
				out[p] = value
		return out


class TestChangeControl(HTTPCase):
	"""Side doors around change control, tried over HTTP by the manager (who may edit drafts)."""

	def sla(self, side="A"):
		return self.world["sides"][side]["sla"]

	def put(self, user, doctype, name, values):
		return self.request(user, "PUT", f"/api/resource/{quote(doctype)}/{quote(name)}", values)

	def assert_refused(self, status, body, *words):
		self.assertIn(status, (403, 417), body[:300])
		for w in words:
			self.assertIn(w, body)

	def test_signed_fields_cannot_be_put(self):
		name = self.sla()
		before = frappe.db.get_value("SLM Agreement", name, ["override_reason", "ended_on", "activated_by", "change_reference", "workflow_state"], as_dict=True)
		for values in (
			{"consistency_override": 1, "override_reason": "forged", "override_by": u.OWNER},
			{"ended_on": "2026-06-30"},
			{"activated_by": u.OWNER, "activated_on": "2026-01-01 00:00:00"},
			{"change_reference": "CHG-FORGED"},
			{"signed_by": u.MANAGER_USER},
			{"rounds": [{"round_no": 9, "outcome": "Agreed", "decided_by": u.OWNER, "note": "forged"}]},
		):
			status, body = self.put(u.MANAGER_USER, "SLM Agreement", name, values)
			self.assertIn(status, (403, 417), f"{values}: {body[:300]}")
		# set_value and a child row edit take the same road
		status, body = self.call(u.MANAGER_USER, "frappe.client.set_value", {"doctype": "SLM Agreement", "name": name, "fieldname": "ended_on", "value": "2026-06-30"})
		self.assertIn(status, (403, 417), body[:300])
		row = frappe.get_all("SLM Agreement Target", filters={"parent": name}, pluck="name")[0]
		status, body = self.call(u.MANAGER_USER, "frappe.client.set_value", {"doctype": "SLM Agreement Target", "name": row, "fieldname": "target_value", "value": 48})
		self.assert_refused(status, body, "Amend")
		after = frappe.db.get_value("SLM Agreement", name, ["override_reason", "ended_on", "activated_by", "change_reference", "workflow_state"], as_dict=True)
		self.assertEqual(before, after)

	def test_the_override_is_the_owners_alone(self):
		status, body = self.call(u.MANAGER_USER, "slm_app.slm.doctype.slm_agreement.slm_agreement.override_consistency", {"name": self.sla(), "reason": "me"})
		self.assertEqual(status, 403, body[:300])

	def test_a_draft_cannot_forge_its_history(self):
		draft = u._mx_agreement("SLA", self.world["sides"]["A"]["parties"]["Customer"], self.world["sides"]["A"]["calendar"], [self.world["sides"]["A"]["business"]], [u.target(self.world["sides"]["A"]["business"], "Availability", 99.5)])
		frappe.db.commit()
		for values in (
			{"rounds": [{"round_no": 1, "outcome": "Agreed", "decided_by": u.OWNER, "decided_on": "2026-01-02 10:00:00", "note": "forged"}]},
			{"consistency_override": 1, "override_reason": "forged"},
			{"signed_by": u.OWNER, "signed_on": "2026-01-02 10:00:00"},
			{"previous_version": self.sla()},
		):
			status, body = self.put(u.MANAGER_USER, "SLM Agreement", draft, values)
			self.assert_refused(status, body)
		self.assertEqual(frappe.db.count("SLM Negotiation Round", {"parent": draft}), 0)
		# a version is made only by Amend: POSTing one with previous_version is refused
		doc = frappe.get_doc("SLM Agreement", self.sla()).as_dict(convert_dates_to_str=True)
		for key in ("name", "amended_from", "docstatus", "workflow_state", "signed_by", "signed_on", "activated_by", "activated_on", "rounds", "consistency_override", "override_reason", "override_by", "override_on", "override_conflicts"):
			doc.pop(key, None)
		doc.update({"previous_version": self.sla(), "valid_from": "2025-01-01"})
		status, body = self.request(u.MANAGER_USER, "POST", "/api/resource/SLM%20Agreement", json.loads(json.dumps(doc, default=str)))
		self.assert_refused(status, body)

	def test_an_amendment_starts_clean_and_within_the_validity(self):
		name = self.sla("B")
		status, body = self.call(
			u.MANAGER_USER,
			"slm_app.slm.doctype.slm_agreement.slm_agreement.make_amendment",
			{"name": name, "change_reference": "CHG-MX-B2", "effective_from": "2026-07-01", "reason": "<script>alert(1)</script>tighter"},
		)
		self.assertEqual(status, 200, body[:300])
		v2 = frappe.get_doc("SLM Agreement", json.loads(body)["message"])
		self.assertEqual((v2.previous_version, v2.version, v2.workflow_state), (name, 2, "Draft"))
		self.assertEqual((v2.consistency_override, v2.override_reason, v2.signed_by, v2.activated_by, v2.ended_on, len(v2.rounds)), (0, None, None, None, None, 0))
		self.assertNotIn("<script", v2.amendment_reason)
		# the dates stay inside V1's validity
		status, body = self.put(u.MANAGER_USER, "SLM Agreement", v2.name, {"valid_from": "2025-01-01"})
		self.assert_refused(status, body, "2026-01-01")
		# V2 inherits the UC conflict but not the owner's override: activation is refused until the owner decides again
		for action, user in (("Submit for Negotiation", u.MANAGER_USER), ("Agree", u.OWNER), ("Sign", u.OWNER)):
			u.act("SLM Agreement", v2.name, action, user)
		u.set_note(v2.name, "change_reference", "CHG-MX-B2", u.MANAGER_USER)
		frappe.db.commit()
		doc = frappe.get_doc("SLM Agreement", v2.name).as_dict(convert_dates_to_str=True)
		status, body = self.call(u.MANAGER_USER, "frappe.model.workflow.apply_workflow", {"doc": json.dumps(doc, default=str), "action": "Activate"})
		self.assert_refused(status, body, "conflict")
		self.assertEqual(u.state(v2.name), "Signed")
		self.assertEqual(u.state(name), "Active")

	def test_terminating_needs_a_reason_and_the_state_follows(self):
		name = self.world["sides"]["B"]["uc"]
		doc = frappe.get_doc("SLM Agreement", name).as_dict(convert_dates_to_str=True)
		status, body = self.call(u.MANAGER_USER, "frappe.model.workflow.apply_workflow", {"doc": json.dumps(doc, default=str), "action": "Terminate"})
		self.assert_refused(status, body)
		self.assertEqual(frappe.db.get_value("SLM Agreement", name, ["workflow_state", "ended_on"]), ("Active", None))
		status, body = self.put(u.MANAGER_USER, "SLM Agreement", name, {"end_reason": "supplier gone"})
		self.assert_refused(status, body)


class TestSafeInput(HTTPCase):
	"""Text that enters through import, REST or the desk is stored sanitised and printed escaped; bad input
	is a clear answer, never a 500; concurrent runs never fail."""

	def import_rows(self, rows, keep="none", kind="tickets"):
		status, body = self.call(u.MONITOR_USER, "slm_app.api.import_measurements", {"kind": kind, "rows": rows, "keep": keep})
		self.assertEqual(status, 200, body[:400])
		return json.loads(body)["message"]

	def test_import_rows_that_cannot_be_held_are_named(self):
		sla = frappe.db.get_value("SLM Agreement", self.world["sides"]["A"]["sla"], "agreement_code")
		base = {"agreement": sla, "priority": "High"}
		rows = [
			{**base, "ticket_id": "_MX-OK-1", "created": "2026-04-01 09:00"},
			{**base, "ticket_id": "_MX-BAD-1", "created": "0001-01-01 09:00"},
			{**base, "ticket_id": "_MX-BAD-2", "created": "9999-12-31 09:00"},
			{**base, "ticket_id": "_MX-BAD-3", "created": "2026-04-01 09:00", "pauses": "not/a/pause"},
			{**base, "ticket_id": "_MX-BAD-4", "created": "2026-04-01 09:00", "pauses": [1, 2]},
			{**base, "ticket_id": "x" * 200, "created": "2026-04-01 09:00"},
			{**base, "ticket_id": "<img src=x onerror=alert(1)>", "created": "2026-04-01 09:00"},
			{**base, "ticket_id": "_MX-OK-2", "created": "2026-04-01 09:00", "raised_by": "<script>alert(1)</script>bob"},
			{**base, "ticket_id": {"a": 1}, "created": "2026-04-01 09:00"},
		]
		result = self.import_rows(rows, keep="none")
		self.assertEqual(result["written"], 0)
		# every problem of a row: row 4's pause "not/a/pause" has a bad start and a bad end
		self.assertEqual(sorted(p["row"] for p in result["problems"]), [2, 3, 4, 4, 5, 6, 7, 9])
		self.assertEqual(
			[p["message"] for p in result["problems"] if p["row"] == 4],
			["Row 4: pause start is not a date and time: not", "Row 4: pause end is not a date and time: a"],
		)
		result = self.import_rows(rows, keep="valid")
		self.assertEqual(result["written"], 2)
		self.assertNotIn("<script", frappe.db.get_value("SLM Ticket Event", "_MX-OK-2", "raised_by"))
		self.assertFalse(frappe.db.exists("SLM Ticket Event", {"ticket_id": ["like", "%<img%"]}))
		frappe.db.delete("SLM Ticket Event", {"name": ["in", ["_MX-OK-1", "_MX-OK-2"]]})
		frappe.db.commit()

	def test_months_outside_a_sane_range_are_refused_clearly(self):
		sla = self.world["sides"]["A"]["sla"]
		for month in ("0-1", "99999-01", "0001-01", "9999-12", "2026-13", "2026-03-01", "march"):
			for method in ("compute_month", "recompute_month"):
				status, body = self.call(u.MONITOR_USER, f"slm_app.api.{method}", {"agreement": sla, "month": month, "reason": "test"})
				self.assertEqual(status, 417, f"{method} {month}: {body[:300]}")
				self.assertIn("Month", body)

	def test_two_runs_of_the_same_month_at_once(self):
		sla = self.world["sides"]["A"]["ola"]
		frappe.db.delete("SLM Monitoring Record", {"agreement": sla, "period": "2026-04"})
		for breach in frappe.get_all("SLM Breach", filters={"agreement": sla, "period": "2026-04"}, pluck="name"):
			for child in ("SLM Breach Ticket", "SLM Breach Action", "SLM Breach Notification", "SLM Breach Underpinning"):
				frappe.db.delete(child, {"parent": breach})
			frappe.db.delete("SLM Breach", {"name": breach})
		frappe.db.commit()
		from frappe.tests.test_api import ThreadWithReturnValue

		kwargs = {"json": {"agreement": sla, "month": "2026-04"}, "headers": {"Authorization": self.tokens[u.MONITOR_USER]}}
		threads = [
			ThreadWithReturnValue(target=self.client.post, args=("/api/method/slm_app.api.compute_month",), kwargs=kwargs, site=frappe.local.site)
			for _ in range(2)
		]
		for t in threads:
			t.start()
		results = [t.join() for t in threads]
		self.assertEqual([r.status_code for r in results], [200, 200], [r.get_data(as_text=True)[:300] for r in results])
		self.assertEqual(frappe.db.count("SLM Monitoring Record", {"agreement": sla, "period": "2026-04"}), 2)

	def test_action_notes_are_sanitised_and_printed_escaped(self):
		name = self.world["sides"]["B"]["sla"]
		frappe.db.set_value("SLM Agreement", name, "change_reference", "<b onmouseover=alert(1)>CHG</b>", update_modified=False)
		frappe.db.commit()
		status, body = self.call(u.OWNER, "frappe.www.printview.get_html_and_style", {"doc": json.dumps({"doctype": "SLM Agreement", "name": name}), "print_format": "SLM Agreement"})
		self.assertEqual(status, 200, body[:300])
		self.assertNotIn("<b onmouseover", json.loads(body)["message"]["html"])
		frappe.db.set_value("SLM Agreement", name, "change_reference", "CHG-MX-B", update_modified=False)
		frappe.db.commit()

	def test_digests_append_to_the_log(self):
		breach = frappe.get_all("SLM Breach", filters={"party": self.world["sides"]["A"]["parties"]["Customer"]}, pluck="name")[0]
		log = frappe.get_all("SLM Breach Action", filters={"parent": breach}, fields=["action", "note"], order_by="idx")
		self.assertIn(("Notified", "Notified"), [(a.action, (a.note or "")[:8]) for a in log])
		self.assertNotIn("Notified", frappe.db.get_value("SLM Breach", breach, "handling_note") or "")
