# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""The SLA / OLA / UC lifecycle (SL3.1–SL3.8) acted out by real users holding each role."""

import frappe
from frappe.model.workflow import WorkflowTransitionError
from frappe.tests.utils import FrappeTestCase

from slm_app.slm.doctype.slm_agreement import slm_agreement as api
from slm_app.tests import utils as u


class TestSLMAgreementLifecycle(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()

	def tearDown(self):
		frappe.set_user("Administrator")

	def make_set(self, ola_resolution=4, uc_availability=99.95):
		ola = u.make_agreement(
			"OLA",
			u.TEAM,
			[u.target(u.NETWORK, "Resolution Time", ola_resolution), u.target(u.NETWORK, "Availability", 99.95)],
		)
		uc = u.make_agreement("UC", u.SUPPLIER, [u.target(u.HOSTING, "Availability", uc_availability)])
		sla = u.make_agreement(
			"SLA",
			u.CUSTOMER_A,
			[u.target(u.BANKING, "Resolution Time", 8), u.target(u.BANKING, "Availability", 99.9)],
			services=[u.BANKING],
			underpinning=[
				{"sla_target": "T1", "underpinning_agreement": ola.name, "underpinning_target": "T1"},
				{"sla_target": "T2", "underpinning_agreement": ola.name, "underpinning_target": "T2"},
				{"sla_target": "T2", "underpinning_agreement": uc.name, "underpinning_target": "T1"},
			],
		)
		return sla, ola, uc

	def negotiate_underpinning(self, *names):
		for name in names:
			if u.state(name) == "Draft":
				u.act("SLM Agreement", name, "Start Negotiation", u.MANAGER_USER)
			if u.state(name) == "Negotiating":
				u.act("SLM Agreement", name, "Agree", u.MANAGER_USER)

	def test_full_lifecycle_with_a_not_agreed_round(self):
		sla, ola, uc = self.make_set()
		self.assertEqual(sla.name, f"{sla.agreement_code}-V1")
		self.assertTrue(sla.agreement_code.startswith("SLA-"))
		self.assertEqual([t.target_code for t in sla.targets], ["T1", "T2"])
		self.negotiate_underpinning(ola.name, uc.name)
		self.assertEqual(u.state(ola.name), "Agreed")

		u.act("SLM Agreement", sla.name, "Submit for Negotiation", u.MANAGER_USER)
		self.assertEqual(u.state(sla.name), "Negotiating")
		# the manager cannot decide for the customer
		with self.assertRaises(WorkflowTransitionError):
			u.act("SLM Agreement", sla.name, "Agree", u.MANAGER_USER)
		# "Not Agreed" needs the reason
		with self.assertRaises(frappe.ValidationError):
			u.act("SLM Agreement", sla.name, "Not Agreed", u.OWNER)
		u.set_note(sla.name, "negotiation_note", "Customer wants 6 h resolution", u.OWNER)
		u.act("SLM Agreement", sla.name, "Not Agreed", u.OWNER)
		sla.reload()
		self.assertEqual(sla.workflow_state, "Draft")
		self.assertEqual([(r.round_no, r.outcome, r.decided_by) for r in sla.rounds], [(1, "Not Agreed", u.OWNER)])
		self.assertIn("6 h", sla.rounds[0].note)
		# SL3.5 → SL3.1: the OLA is open for renegotiation again, with the round on record
		ola.reload()
		self.assertEqual(ola.workflow_state, "Negotiating")
		self.assertEqual(ola.rounds[-1].outcome, "Reopened")
		self.assertEqual(u.state(uc.name), "Agreed")

		# second round
		self.negotiate_underpinning(ola.name)
		u.act("SLM Agreement", sla.name, "Submit for Negotiation", u.MANAGER_USER)
		u.act("SLM Agreement", sla.name, "Agree", u.OWNER)
		with self.assertRaises(WorkflowTransitionError):
			u.act("SLM Agreement", sla.name, "Sign", u.MANAGER_USER)
		u.act("SLM Agreement", sla.name, "Sign", u.OWNER)
		sla.reload()
		self.assertEqual((sla.workflow_state, sla.docstatus, sla.signed_by), ("Signed", 1, u.OWNER))
		self.assertTrue(sla.signed_on)
		self.assertEqual([r.outcome for r in sla.rounds], ["Not Agreed", "Agreed"])

		# SL3.8 needs the OLA and UC signed, and a change reference
		with self.assertRaises(WorkflowTransitionError):
			u.act("SLM Agreement", sla.name, "Activate", u.OWNER)
		with self.assertRaises(frappe.ValidationError) as err:
			u.act("SLM Agreement", sla.name, "Activate", u.MANAGER_USER)
		self.assertIn("Change Reference", str(err.exception))
		u.set_note(sla.name, "change_reference", "CHG-1001", u.MANAGER_USER)
		with self.assertRaises(frappe.ValidationError) as err:
			u.act("SLM Agreement", sla.name, "Activate", u.MANAGER_USER)
		self.assertIn(ola.name, str(err.exception))
		# SL3.7: the process owner does not sign OLAs and UCs; the manager does
		with self.assertRaises(WorkflowTransitionError):
			u.act("SLM Agreement", ola.name, "Sign", u.OWNER)
		u.act("SLM Agreement", ola.name, "Sign", u.MANAGER_USER)
		u.act("SLM Agreement", uc.name, "Sign", u.MANAGER_USER)
		self.assertEqual(frappe.db.get_value("SLM Agreement", ola.name, "signed_by"), u.MANAGER_USER)
		u.act("SLM Agreement", sla.name, "Activate", u.MANAGER_USER)
		sla.reload()
		self.assertEqual((sla.workflow_state, sla.activated_by), ("Active", u.MANAGER_USER))
		# the signed agreement prints with who signed it and when
		html = frappe.get_print("SLM Agreement", sla.name, "SLM Agreement")
		self.assertIn(frappe.utils.get_fullname(u.OWNER), html)
		self.assertIn("CHG-1001", html)
		# the underpinning goes live with the SLA, under the same change
		for name in (ola.name, uc.name):
			self.assertEqual(u.state(name), "Active")
			self.assertEqual(frappe.db.get_value("SLM Agreement", name, "change_reference"), "CHG-1001")

	def test_signing_out_of_order_is_refused(self):
		sla, ola, uc = self.make_set()
		self.negotiate_underpinning(ola.name)
		u.act("SLM Agreement", sla.name, "Submit for Negotiation", u.MANAGER_USER)
		with self.assertRaises(frappe.ValidationError) as err:
			u.act("SLM Agreement", ola.name, "Sign", u.MANAGER_USER)
		self.assertIn(sla.name, str(err.exception))
		self.assertEqual(u.state(ola.name), "Agreed")
		# skipping states is refused too: a draft cannot be signed
		with self.assertRaises(WorkflowTransitionError):
			u.act("SLM Agreement", uc.name, "Sign", u.MANAGER_USER)

	def test_submit_without_workflow_is_refused(self):
		_sla, ola, _uc = self.make_set()
		frappe.set_user(u.MANAGER_USER)
		doc = frappe.get_doc("SLM Agreement", ola.name)
		with self.assertRaises(frappe.ValidationError):
			doc.submit()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("SLM Agreement", ola.name, "docstatus"), 0)

	def activate(self, sla, ola, uc, change="CHG-2001"):
		self.negotiate_underpinning(ola.name, uc.name)
		u.act("SLM Agreement", sla.name, "Submit for Negotiation", u.MANAGER_USER)
		u.act("SLM Agreement", sla.name, "Agree", u.OWNER)
		u.act("SLM Agreement", sla.name, "Sign", u.OWNER)
		for name in (ola.name, uc.name):
			u.act("SLM Agreement", name, "Sign", u.MANAGER_USER)
		u.set_note(sla.name, "change_reference", change, u.MANAGER_USER)
		u.act("SLM Agreement", sla.name, "Activate", u.MANAGER_USER)

	def test_the_daily_job_expires_agreements_past_their_validity(self):
		from slm_app.tasks import expire_agreements

		sla, ola, uc = self.make_set()
		self.activate(sla, ola, uc)
		self.assertNotIn(sla.name, expire_agreements("2026-12-31"))
		expired = expire_agreements("2027-01-01")
		self.assertTrue({sla.name, ola.name, uc.name} <= set(expired))
		self.assertEqual(u.state(sla.name), "Expired")
		self.assertEqual(str(frappe.db.get_value("SLM Agreement", sla.name, "ended_on")), "2026-12-31")
		self.assertEqual(expire_agreements("2027-01-02"), [])

	def test_signed_agreement_is_never_edited_in_place(self):
		sla, ola, uc = self.make_set()
		self.activate(sla, ola, uc)
		frappe.set_user(u.MANAGER_USER)
		doc = frappe.get_doc("SLM Agreement", sla.name)
		doc.targets[0].target_value = 12
		with self.assertRaises(frappe.ValidationError) as err:
			doc.save()
		self.assertIn("Amend", str(err.exception))
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("SLM Agreement Target", doc.targets[0].name, "target_value"), 8)

	def test_amendment_creates_a_new_version_and_supersedes_on_activation(self):
		sla, ola, uc = self.make_set()
		self.activate(sla, ola, uc)
		frappe.set_user(u.OWNER)
		with self.assertRaises(frappe.PermissionError):
			api.make_amendment(sla.name, "CHG-3001", "2026-07-01")
		frappe.set_user(u.MANAGER_USER)
		with self.assertRaises(frappe.ValidationError):
			api.make_amendment(sla.name, "", "2026-07-01")
		with self.assertRaises(frappe.ValidationError):
			api.make_amendment(sla.name, "CHG-3001", "2025-07-01")
		v2 = api.make_amendment(sla.name, "CHG-3001", "2026-07-01", "Customer asked for 6 h")
		frappe.set_user("Administrator")
		new = frappe.get_doc("SLM Agreement", v2)
		self.assertEqual((new.version, new.previous_version, new.workflow_state), (2, sla.name, "Draft"))
		self.assertEqual(new.agreement_code, sla.agreement_code)
		self.assertEqual(v2, f"{sla.agreement_code}-V2")
		self.assertEqual(str(new.valid_from), "2026-07-01")
		# a second open amendment is refused
		frappe.set_user(u.MANAGER_USER)
		with self.assertRaises(frappe.ValidationError):
			api.make_amendment(sla.name, "CHG-3002", "2026-08-01")
		new = frappe.get_doc("SLM Agreement", v2)
		new.targets[0].target_value = 6
		new.save()
		frappe.set_user("Administrator")
		u.act("SLM Agreement", v2, "Submit for Negotiation", u.MANAGER_USER)
		u.act("SLM Agreement", v2, "Agree", u.OWNER)
		u.act("SLM Agreement", v2, "Sign", u.OWNER)
		u.act("SLM Agreement", v2, "Activate", u.MANAGER_USER)
		old = frappe.get_doc("SLM Agreement", sla.name)
		self.assertEqual(old.workflow_state, "Superseded")
		self.assertEqual(str(old.valid_to), "2026-06-30")
		self.assertEqual(u.state(v2), "Active")
		frappe.set_user(u.MANAGER_USER)
		self.assertEqual([v.version for v in api.get_versions(v2)], [1, 2])

	def test_consistency_conflicts_block_activation_until_the_owner_overrides(self):
		sla, ola, uc = self.make_set(ola_resolution=10, uc_availability=99.5)
		conflicts = api.get_consistency(sla.name)
		kinds = sorted(c["kind"] for c in conflicts)
		self.assertIn("weaker_target", kinds)
		self.assertTrue(any(ola.name in c["message"] for c in conflicts))
		self.negotiate_underpinning(ola.name, uc.name)
		u.act("SLM Agreement", sla.name, "Submit for Negotiation", u.MANAGER_USER)
		u.act("SLM Agreement", sla.name, "Agree", u.OWNER)
		u.act("SLM Agreement", sla.name, "Sign", u.OWNER)
		for name in (ola.name, uc.name):
			u.act("SLM Agreement", name, "Sign", u.MANAGER_USER)
		u.set_note(sla.name, "change_reference", "CHG-4001", u.MANAGER_USER)
		with self.assertRaises(frappe.ValidationError) as err:
			u.act("SLM Agreement", sla.name, "Activate", u.MANAGER_USER)
		self.assertIn("conflict", str(err.exception))
		frappe.set_user(u.MANAGER_USER)
		with self.assertRaises(frappe.PermissionError):
			api.override_consistency(sla.name, "We accept the risk")
		frappe.set_user(u.OWNER)
		with self.assertRaises(frappe.ValidationError):
			api.override_consistency(sla.name, "  ")
		api.override_consistency(sla.name, "Supplier upgrade due in Q2; risk accepted")
		frappe.set_user("Administrator")
		u.act("SLM Agreement", sla.name, "Activate", u.MANAGER_USER)
		sla.reload()
		self.assertEqual((sla.workflow_state, sla.consistency_override, sla.override_by), ("Active", 1, u.OWNER))
		self.assertIn(ola.name, sla.override_conflicts)

	def test_target_with_no_underpinning_is_a_conflict(self):
		sla = u.make_agreement("SLA", u.CUSTOMER_A, [u.target(u.BANKING, "Availability", 99.9)])
		conflicts = api.get_consistency(sla.name)
		self.assertEqual([c["kind"] for c in conflicts], ["no_underpinning"])

	def test_bad_input_is_refused_and_nothing_is_saved(self):
		before = frappe.db.count("SLM Agreement")
		cases = [
			# end before start
			dict(valid_from="2026-06-01", valid_to="2026-01-01"),
			# availability out of range
			dict(targets=[u.target(u.NETWORK, "Availability", 120)]),
			# response longer than resolution
			dict(
				targets=[
					u.target(u.NETWORK, "Response Time", 10),
					u.target(u.NETWORK, "Resolution Time", 8),
				]
			),
			# a target on a service the agreement does not cover
			dict(targets=[u.target(u.HOSTING, "Availability", 99)], services=[u.NETWORK]),
		]
		for case in cases:
			targets = case.pop("targets", [u.target(u.NETWORK, "Availability", 99.5)])
			with self.subTest(case=case), self.assertRaises(frappe.ValidationError):
				u.make_agreement("OLA", u.TEAM, targets, **case)
		# an SLA with a supplier as counterparty
		with self.assertRaises(frappe.ValidationError):
			u.make_agreement("SLA", u.SUPPLIER, [u.target(u.NETWORK, "Availability", 99.5)])
		self.assertEqual(frappe.db.count("SLM Agreement"), before)

	def test_customer_contact_sees_only_their_customers_agreements(self):
		sla_a = u.make_agreement("SLA", u.CUSTOMER_A, [u.target(u.BANKING, "Availability", 99.9)])
		sla_b = u.make_agreement("SLA", u.CUSTOMER_B, [u.target(u.BANKING, "Availability", 99.9)])
		ola = u.make_agreement("OLA", u.TEAM, [u.target(u.NETWORK, "Availability", 99.9)])
		draft_a = u.make_agreement("SLA", u.CUSTOMER_A, [u.target(u.BANKING, "Availability", 99.5)])
		# an agreement reaches its counterparty when it is put to them for negotiation, not while Draft
		u.act("SLM Agreement", sla_a.name, "Submit for Negotiation", u.MANAGER_USER)
		u.act("SLM Agreement", sla_b.name, "Submit for Negotiation", u.MANAGER_USER)
		u.act("SLM Agreement", ola.name, "Start Negotiation", u.MANAGER_USER)
		frappe.set_user(u.CUSTOMER_A_USER)
		visible = set(frappe.get_list("SLM Agreement", pluck="name"))
		self.assertIn(sla_a.name, visible)
		self.assertNotIn(sla_b.name, visible)
		self.assertNotIn(ola.name, visible)
		self.assertNotIn(draft_a.name, visible)
		self.assertFalse(frappe.has_permission("SLM Agreement", "read", draft_a.name))
		self.assertTrue(frappe.has_permission("SLM Agreement", "read", sla_a.name))
		self.assertFalse(frappe.has_permission("SLM Agreement", "read", sla_b.name))
		self.assertFalse(frappe.has_permission("SLM Agreement", "write", sla_a.name))
		with self.assertRaises(frappe.PermissionError):
			frappe.client.get("SLM Agreement", sla_b.name)
		self.assertEqual(frappe.get_list("SLM Party", pluck="name"), [u.CUSTOMER_A])
		frappe.set_user(u.TEAM_USER)
		visible = set(frappe.get_list("SLM Agreement", pluck="name"))
		self.assertIn(ola.name, visible)
		self.assertNotIn(sla_a.name, visible)
		frappe.set_user(u.MONITOR_USER)
		visible = set(frappe.get_list("SLM Agreement", pluck="name"))
		self.assertTrue({sla_a.name, sla_b.name, ola.name} <= visible)
		self.assertFalse(frappe.has_permission("SLM Agreement", "write", sla_a.name))

	def test_print_in_english_and_chinese(self):
		sla = u.make_agreement("SLA", u.CUSTOMER_A, [u.target(u.BANKING, "Availability", 99.9)])
		html = frappe.get_print("SLM Agreement", sla.name, "SLM Agreement")
		self.assertIn(u.CUSTOMER_A, html)
		self.assertIn("Service level targets", html)
		self.assertNotIn("{{", html)
		frappe.local.lang = "zh"
		try:
			html_zh = frappe.get_print("SLM Agreement", sla.name, "SLM Agreement")
		finally:
			frappe.local.lang = "en"
		self.assertIn("服务级别指标", html_zh)
		self.assertIn("可用性", html_zh)


class TestSLMAgreementTransitionMatrix(FrappeTestCase):
	"""In every state, each role is offered exactly the workflow actions the process gives it, no more."""

	USERS = {}

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		u.setup_world()
		cls.USERS = {
			u.OWNER: [u.PROCESS_OWNER],
			u.MANAGER_USER: [u.MANAGER],
			u.MONITOR_USER: [u.MONITOR],
			u.CUSTOMER_A_USER: [],
			u.TEAM_USER: [],
		}

	def tearDown(self):
		frappe.set_user("Administrator")

	def assert_offers(self, name):
		from frappe.model.workflow import get_transitions

		from slm_app.core import lifecycle

		doc = frappe.get_doc("SLM Agreement", name)
		for user, roles in self.USERS.items():
			frappe.set_user(user)
			if not frappe.has_permission("SLM Agreement", "read", doc):
				offered = set()
			else:
				offered = {t["action"] for t in get_transitions(frappe.get_doc("SLM Agreement", name))}
			expected = set(lifecycle.allowed_actions(doc.agreement_type, doc.workflow_state, roles))
			self.assertEqual(offered, expected, f"{user} on {doc.agreement_type} in {doc.workflow_state}")
			frappe.set_user("Administrator")

	def test_every_state_of_an_sla_and_its_ola(self):
		ola = u.make_agreement("OLA", u.TEAM, [u.target(u.NETWORK, "Availability", 99.95)])
		sla = u.make_agreement(
			"SLA",
			u.CUSTOMER_A,
			[u.target(u.BANKING, "Availability", 99.9)],
			underpinning=[{"sla_target": "T1", "underpinning_agreement": ola.name, "underpinning_target": "T1"}],
		)
		steps = [
			(ola.name, "Start Negotiation", u.MANAGER_USER),
			(ola.name, "Agree", u.MANAGER_USER),
			(sla.name, "Submit for Negotiation", u.MANAGER_USER),
			(sla.name, "Agree", u.OWNER),
			(sla.name, "Sign", u.OWNER),
			(ola.name, "Sign", u.MANAGER_USER),
		]
		self.assert_offers(sla.name)
		self.assert_offers(ola.name)
		for name, action, user in steps:
			u.act("SLM Agreement", name, action, user)
			self.assert_offers(name)
		u.set_note(sla.name, "change_reference", "CHG-5001", u.MANAGER_USER)
		u.act("SLM Agreement", sla.name, "Activate", u.MANAGER_USER)
		self.assert_offers(sla.name)
		self.assert_offers(ola.name)
		u.set_note(sla.name, "end_reason", "Customer left", u.OWNER)
		with self.assertRaises(WorkflowTransitionError):
			u.act("SLM Agreement", sla.name, "Terminate", u.MANAGER_USER)
		u.act("SLM Agreement", sla.name, "Terminate", u.OWNER)
		sla.reload()
		self.assertEqual((sla.workflow_state, str(sla.ended_on)), ("Terminated", frappe.utils.nowdate()))
		self.assert_offers(sla.name)
		# the monitor reads agreements but takes no action and edits nothing
		frappe.set_user(u.MONITOR_USER)
		self.assertTrue(frappe.has_permission("SLM Agreement", "read", ola.name))
		self.assertFalse(frappe.has_permission("SLM Agreement", "write", ola.name))
