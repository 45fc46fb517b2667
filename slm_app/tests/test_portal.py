# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""The counterparties' portal over HTTP as real contacts of two customers (and their suppliers): each
sees its own party only on every portal route and method, never reaches the desk, and answers a draft
agreement put to it — the answer recorded as a negotiation round and moving the workflow."""

from __future__ import annotations

import json

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.test_api import make_request
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_test_client

from slm_app.tests import utils as u

WORLD: dict = {}
ANSWER = "/api/method/slm_app.portal.answer_agreement"


def setUpModule():
	u.remove_matrix_world()
	try:
		world = u.make_matrix_world()
		from frappe.utils.password import set_encrypted_password

		tokens = {}
		for side in u.MX_SIDES:
			for user in world["sides"][side]["users"].values():
				key, secret = frappe.generate_hash(length=15), frappe.generate_hash(length=15)
				frappe.db.set_value("User", user, "api_key", key)
				set_encrypted_password("User", user, secret, "api_secret")
				tokens[user] = f"token {key}:{secret}"
		# drafts put to each side for negotiation: two SLAs to the customer (one to agree, one not), a UC to the supplier
		for side in u.MX_SIDES:
			s = world["sides"][side]
			biz, tech, calendar = s["business"], s["technical"], s["calendar"]
			s["draft_slas"] = [
				_put_to_counterparty(u._mx_agreement("SLA", s["parties"]["Customer"], calendar, [biz], [u.target(biz, "Availability", 99.95)]))
				for _i in range(2)
			]
			s["draft_uc"] = _put_to_counterparty(
				u._mx_agreement("UC", s["parties"]["Supplier"], calendar, [tech], [u.target(tech, "Availability", 99.9)])
			)
		frappe.db.commit()
		WORLD.update(world=world, tokens=tokens)
	except Exception:
		u.remove_matrix_world()
		raise


def _put_to_counterparty(name: str) -> str:
	kind = frappe.db.get_value("SLM Agreement", name, "agreement_type")
	u.act("SLM Agreement", name, "Submit for Negotiation" if kind == "SLA" else "Start Negotiation", u.MANAGER_USER)
	return name


def tearDownModule():
	frappe.set_user("Administrator")
	u.remove_matrix_world()


class TestPortal(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.world, cls.tokens = WORLD["world"], WORLD["tokens"]
		cls.client = get_test_client()

	def tearDown(self):
		frappe.set_user("Administrator")

	# -------------------------------------------------------------------------------------- helpers
	def request(self, user: str, method: str, path: str, params: dict | None = None):
		headers = {"Authorization": self.tokens[user], "Accept": "application/json"}
		kwargs = {"headers": headers}
		if method == "GET":
			kwargs["query_string"] = params or {}
		else:
			kwargs["json"] = params or {}
		response = make_request(target=getattr(self.client, method.lower()), args=(path,), kwargs=kwargs, site=frappe.local.site)
		frappe.db.commit()
		return response.status_code, response.get_data().decode("utf-8", "replace"), response.headers

	def side(self, side: str) -> dict:
		return self.world["sides"][side]

	def customer(self, side: str) -> str:
		return self.side(side)["users"]["Customer"]

	def supplier(self, side: str) -> str:
		return self.side(side)["users"]["Supplier"]

	def names_of(self, side: str) -> set[str]:
		"""Everything of one side that the other side's contacts must never see."""
		parties = list(self.side(side)["parties"].values())
		out = set(parties)
		for doctype in ("SLM Agreement", "SLM Breach", "SLM Monitoring Record", "SLM Service Report", "SLM Budget Status"):
			out |= set(frappe.get_all(doctype, filters={"party": ["in", parties]}, pluck="name"))
		out |= set(frappe.get_all("SLM Agreement", filters={"party": ["in", parties]}, pluck="title"))
		out |= {self.side(side)["business"], self.side(side)["technical"], self.side(side)["calendar"]}
		return out

	def assert_shows_none(self, body: str, names: set[str], where: str):
		leaks = sorted(n for n in names if n and n in body)
		self.assertFalse(leaks, f"{where} shows {leaks[:5]}")
		self.assertNotIn(u.INTERNAL, body, f"{where} shows an internal value")

	def routes_for(self, side: str) -> list[tuple[str, str, dict]]:
		"""Every portal route, with every agreement of ``side`` a page could be asked for."""
		s = self.side(side)
		routes = [("GET", "/slm", {})]
		for name in [s["sla"], s["ola"], s["uc"], *s["draft_slas"], s["draft_uc"]]:
			routes.append(("GET", "/slm/agreement", {"name": name}))
		return routes

	# -------------------------------------------------------------------------------------- who they are
	def test_contacts_are_website_users_and_never_reach_the_desk(self):
		for side in u.MX_SIDES:
			for user in (self.customer(side), self.supplier(side)):
				self.assertEqual(frappe.db.get_value("User", user, "user_type"), "Website User", user)
				status, body, _h = self.request(user, "GET", "/app")
				self.assertEqual(status, 403, f"{user} reached /app")
				self.assertIn("Not Permitted", body)
				self.assertNotIn("desk_settings", body)  # no desk boot
				status, body, _h = self.request(user, "GET", "/app/slm-agreement")
				self.assertEqual(status, 403, f"{user} reached /app/slm-agreement")
			# support team members keep the desk
			self.assertEqual(frappe.db.get_value("User", self.side(side)["users"]["Support Team"], "user_type"), "System User")
		frappe.set_user(self.customer("A"))
		try:
			from frappe.website.utils import get_home_page

			frappe.cache.hdel("home_page", self.customer("A"))
			self.assertEqual(get_home_page(), "slm")
		finally:
			frappe.set_user("Administrator")

	# -------------------------------------------------------------------------------------- isolation
	def test_every_route_shows_only_the_contacts_own_party(self):
		for me, other in (("A", "B"), ("B", "A")):
			forbidden = self.names_of(other)
			for user in (self.customer(me), self.supplier(me)):
				for method, path, params in self.routes_for(me) + self.routes_for(other):
					status, body, _h = self.request(user, method, path, params)
					self.assertLess(status, 500, f"{user} {path} {params}: HTTP {status}")
					self.assert_shows_none(body, forbidden, f"{user} {path} {params}")
			# the other side's agreement pages are refused as unknown
			for name in (self.side(other)["sla"], self.side(other)["draft_slas"][0], self.side(other)["draft_uc"]):
				status, _b, _h = self.request(self.customer(me), "GET", "/slm/agreement", {"name": name})
				self.assertIn(status, (403, 404), name)

	def test_the_contact_sees_its_own_agreement(self):
		s = self.side("A")
		status, body, _h = self.request(self.customer("A"), "GET", "/slm")
		self.assertEqual(status, 200, body[:300])
		for name in (s["sla"], *s["draft_slas"]):
			self.assertIn(name, body)
		self.assertNotIn(s["draft_uc"], body)  # the supplier's UC is not the customer's
		self.assertNotIn(s["ola"], body)  # the OLA beneath it is internal
		status, body, _h = self.request(self.customer("A"), "GET", "/slm/agreement", {"name": s["sla"]})
		self.assertEqual(status, 200, body[:300])
		self.assertIn(s["business"], body)
		self.assertIn("download_pdf", body)  # the signed agreement's PDF
		self.assertIn("2026-03", body)  # its monthly results
		# its own OLA or UC (internal to the provider, another party's) is not a page for the customer
		for name in (s["ola"], s["uc"]):
			status, _b, _h = self.request(self.customer("A"), "GET", "/slm/agreement", {"name": name})
			self.assertIn(status, (403, 404), name)
		status, body, _h = self.request(self.supplier("A"), "GET", "/slm/agreement", {"name": s["draft_uc"]})
		self.assertEqual(status, 200, body[:300])
		self.assertIn("slm-answer", body)

	def test_guest_is_sent_to_login(self):
		response = make_request(target=self.client.get, args=("/slm",), kwargs={}, site=frappe.local.site)
		self.assertIn(response.status_code, (301, 302, 303, 307, 308, 403), response.status_code)
		if response.status_code < 400:
			self.assertIn("/login", response.headers.get("Location", ""))

	def test_answers_to_another_partys_agreement_are_refused(self):
		for me, other in (("A", "B"), ("B", "A")):
			targets = [self.side(other)["draft_slas"][0], self.side(other)["draft_uc"], self.side(other)["sla"]]
			# the supplier's contact may not answer its customer's SLA, nor the customer the supplier's UC
			cross = [(self.supplier(me), self.side(me)["draft_slas"][0]), (self.customer(me), self.side(me)["draft_uc"])]
			for user, name in [(self.customer(me), n) for n in targets] + [(self.supplier(me), n) for n in targets] + cross:
				before = frappe.db.get_value("SLM Agreement", name, "workflow_state")
				rounds = frappe.db.count("SLM Negotiation Round", {"parent": name})
				status, body, _h = self.request(user, "POST", ANSWER, {"name": name, "answer": "Agree", "comment": "x"})
				self.assertIn(status, (403, 404), f"{user} answered {name}: {status} {body[:200]}")
				self.assert_shows_none(body, self.names_of(other) - {name}, f"answer {name}")
				self.assertEqual(frappe.db.get_value("SLM Agreement", name, "workflow_state"), before)
				self.assertEqual(frappe.db.count("SLM Negotiation Round", {"parent": name}), rounds)

	def test_an_answer_needs_the_contacts_read_of_the_saved_agreement(self):
		"""The method checks the record it reads, as it is stored: a draft of the contact's own party not
		put to it (not readable to a counterparty) and a party member without the contact role are refused,
		and nothing is written."""
		s = self.side("A")
		user = self.customer("A")
		draft = u._mx_agreement("SLA", s["parties"]["Customer"], s["calendar"], [s["business"]], [u.target(s["business"], "Availability", 99.9)])
		frappe.db.commit()
		status, body, _h = self.request(user, "POST", ANSWER, {"name": draft, "answer": "Agree", "comment": "x"})
		self.assertEqual(status, 404, body[:300])
		self.assertEqual(u.state(draft), "Draft")
		self.assertEqual(frappe.db.count("SLM Negotiation Round", {"parent": draft}), 0)
		name = s["draft_slas"][1]
		before = u.state(name)
		# the role row itself (saving the User would drop its API secret)
		role_row = frappe.db.get_value("Has Role", {"parent": user, "parenttype": "User", "role": "SLM Customer Contact"}, "*", as_dict=True)
		frappe.db.delete("Has Role", {"name": role_row.name})
		frappe.clear_cache(user=user)
		frappe.db.commit()
		try:
			status, body, _h = self.request(user, "POST", ANSWER, {"name": name, "answer": "Agree", "comment": "x"})
			self.assertEqual(status, 403, body[:300])
			self.assertEqual(u.state(name), before)
			self.assertEqual(frappe.db.count("SLM Negotiation Round", {"parent": name}), 0)
		finally:
			frappe.get_doc(dict(role_row, doctype="Has Role")).db_insert()
			frappe.clear_cache(user=user)
			frappe.db.commit()

	def test_not_agreed_reopens_the_olas_without_naming_them_to_the_customer(self):
		"""An SLA not agreed reopens its agreed OLAs; the contact's answer says nothing of them."""
		s = self.side("A")
		tech, biz = s["technical"], s["business"]
		ola = u._mx_agreement("OLA", s["parties"]["Support Team"], s["calendar"], [tech], [u.target(tech, "Resolution Time", 4)])
		u.act("SLM Agreement", ola, "Start Negotiation", u.MANAGER_USER)
		u.act("SLM Agreement", ola, "Agree", u.MANAGER_USER)
		sla = u._mx_agreement(
			"SLA", s["parties"]["Customer"], s["calendar"], [biz], [u.target(biz, "Resolution Time", 8)],
			underpinning=[{"sla_target": "T1", "underpinning_agreement": ola, "underpinning_target": "T1"}],
		)
		_put_to_counterparty(sla)
		frappe.db.commit()
		status, body, _h = self.request(self.customer("A"), "POST", ANSWER, {"name": sla, "answer": "Not agreed", "comment": "Too slow"})
		self.assertEqual(status, 200, body[:300])
		self.assertNotIn(ola, body)
		self.assertEqual(u.state(sla), "Draft")
		self.assertEqual(u.state(ola), "Negotiating")

	# -------------------------------------------------------------------------------------- agreeing online
	def test_a_draft_put_to_the_contact_is_notified(self):
		s = self.side("A")
		for user, name in ((self.customer("A"), s["draft_slas"][0]), (self.supplier("A"), s["draft_uc"])):
			log = frappe.get_all("Notification Log", filters={"for_user": user, "document_name": name}, fields=["subject", "link"])
			self.assertTrue(log, f"{user} not told of {name}")
			self.assertIn("/slm/agreement?", log[0].link)
		# nobody of side B is told of side A's drafts
		self.assertFalse(
			frappe.get_all("Notification Log", filters={"for_user": ["in", [self.customer("B"), self.supplier("B")]], "document_name": ["in", [*s["draft_slas"], s["draft_uc"]]]})
		)

	def test_the_customer_agrees_and_the_owner_signs(self):
		name = self.side("A")["draft_slas"][0]
		user = self.customer("A")
		status, body, _h = self.request(user, "POST", ANSWER, {"name": name, "answer": "Agree", "comment": "Fine for us"})
		self.assertEqual(status, 200, body[:300])
		self.assertEqual(json.loads(body)["message"]["state"], "Agreed")
		self.assertEqual(u.state(name), "Agreed")
		doc = frappe.get_doc("SLM Agreement", name)
		last = doc.rounds[-1]
		self.assertEqual((last.outcome, last.decided_by, last.note), ("Agreed", user, "Fine for us"))
		self.assertTrue(last.decided_on)
		# the process owner is told, and still signs
		self.assertTrue(frappe.get_all("Notification Log", filters={"for_user": u.OWNER, "document_name": name}))
		u.act("SLM Agreement", name, "Sign", u.OWNER)
		frappe.db.commit()
		self.assertEqual(u.state(name), "Signed")
		# answered once: a second answer is refused
		status, body, _h = self.request(user, "POST", ANSWER, {"name": name, "answer": "Not agreed", "comment": "changed our mind"})
		self.assertEqual(status, 417, body[:300])
		self.assertEqual(u.state(name), "Signed")

	def test_the_supplier_does_not_agree_with_comments(self):
		name = self.side("A")["draft_uc"]
		user = self.supplier("A")
		status, body, _h = self.request(user, "POST", ANSWER, {"name": name, "answer": "Not agreed", "comment": "  "})
		self.assertEqual(status, 417, body[:300])
		self.assertEqual(u.state(name), "Negotiating")
		status, body, _h = self.request(user, "POST", ANSWER, {"name": name, "answer": "Maybe"})
		self.assertEqual(status, 417, body[:300])
		status, body, _h = self.request(user, "POST", ANSWER, {"name": name, "answer": "Not agreed", "comment": "We can offer 99.8 %"})
		self.assertEqual(status, 200, body[:300])
		self.assertEqual(u.state(name), "Draft")
		last = frappe.get_doc("SLM Agreement", name).rounds[-1]
		self.assertEqual((last.outcome, last.decided_by, last.note), ("Not Agreed", user, "We can offer 99.8 %"))
		self.assertTrue(frappe.get_all("Notification Log", filters={"for_user": u.MANAGER_USER, "document_name": name}))
		# back with the manager: a draft is no longer shown to the supplier
		status, _b, _h = self.request(user, "GET", "/slm/agreement", {"name": name})
		self.assertIn(status, (403, 404))
		# the manager revises it and puts it to the supplier again
		u.act("SLM Agreement", name, "Start Negotiation", u.MANAGER_USER)
		frappe.db.commit()
		self.assertEqual(u.state(name), "Negotiating")

	def test_the_customer_does_not_agree_and_the_draft_goes_back(self):
		name = self.side("B")["draft_slas"][1]
		user = self.customer("B")
		status, body, _h = self.request(user, "POST", ANSWER, {"name": name, "answer": "Not agreed", "comment": "We need 99.99 %"})
		self.assertEqual(status, 200, body[:300])
		self.assertEqual(u.state(name), "Draft")
		last = frappe.get_doc("SLM Agreement", name).rounds[-1]
		self.assertEqual((last.outcome, last.decided_by), ("Not Agreed", user))
		# the manager sees the round in the desk (internal field, read by the process roles)
		frappe.set_user(u.MANAGER_USER)
		try:
			doc = frappe.get_doc("SLM Agreement", name)
			doc.check_permission("read")
			self.assertTrue(doc.has_permlevel_access_to("rounds"))
			self.assertEqual(doc.rounds[-1].note, "We need 99.99 %")
		finally:
			frappe.set_user("Administrator")

	def test_the_owner_still_decides_in_the_desk(self):
		"""The process owner's own SL3.5 decision keeps working beside the portal."""
		name = self.side("B")["draft_slas"][0]
		frappe.set_user(u.OWNER)
		try:
			apply_workflow(frappe.get_doc("SLM Agreement", name).as_dict(), "Agree")
		finally:
			frappe.set_user("Administrator")
		frappe.db.commit()
		self.assertEqual(u.state(name), "Agreed")
		status, _b, _h = self.request(self.customer("B"), "POST", ANSWER, {"name": name, "answer": "Agree"})
		self.assertEqual(status, 417)
