import json
from datetime import date
from pathlib import Path

import pytest

from slm_app.core import lifecycle as lc
from slm_app.core import versions as v
from slm_app.core.errors import RuleError
from slm_app.core.roles import MANAGER, MONITOR, PROCESS_OWNER

ROOT = Path(__file__).resolve().parents[2]


def test_sla_is_signed_by_the_process_owner_only():
	assert lc.allowed_actions("SLA", lc.AGREED, [PROCESS_OWNER]) == [lc.SIGN]
	assert lc.allowed_actions("SLA", lc.AGREED, [MANAGER]) == []
	assert lc.allowed_actions("OLA", lc.AGREED, [MANAGER]) == [lc.REOPEN, lc.SIGN]
	assert lc.allowed_actions("UC", lc.AGREED, [PROCESS_OWNER]) == []


def test_not_agreed_goes_back_to_draft_by_the_owner():
	assert lc.check_state_change("SLA", lc.NEGOTIATING, lc.DRAFT, [PROCESS_OWNER]) == []
	problems = lc.check_state_change("SLA", lc.NEGOTIATING, lc.DRAFT, [MANAGER])
	assert problems and PROCESS_OWNER in problems[0].format()


@pytest.mark.parametrize(
	"kind,old,new",
	[("SLA", lc.DRAFT, lc.SIGNED), ("OLA", lc.DRAFT, lc.ACTIVE), ("UC", lc.SIGNED, lc.DRAFT), ("SLA", lc.ACTIVE, lc.SUPERSEDED)],
)
def test_skipping_states_is_refused(kind, old, new):
	problems = lc.check_state_change(kind, old, new, [PROCESS_OWNER, MANAGER, MONITOR])
	assert len(problems) == 1
	assert "cannot go from" in problems[0].format()


def test_signing_order_waits_for_the_customer():
	assert lc.check_signing_order("OLA", {"SLA-1": lc.AGREED, "SLA-2": lc.SIGNED}) == []
	problems = lc.check_signing_order("UC", {"SLA-1": lc.NEGOTIATING})
	assert "SLA-1" in problems[0].format()
	assert lc.check_signing_order("SLA", {}) == []


def test_activation_needs_change_reference_signatures_and_consistency():
	ok = lc.check_activation("SLA", "CHG-1", {"OLA-1": lc.SIGNED, "UC-1": lc.ACTIVE}, 0, False)
	assert ok == []
	problems = lc.check_activation("SLA", " ", {"OLA-1": lc.AGREED}, 2, False)
	assert [p.field for p in problems] == ["change_reference", "underpinning", "underpinning"]
	assert "OLA-1 (Agreed)" in problems[1].format()
	assert lc.check_activation("SLA", "CHG-1", {}, 2, True) == []
	# OLAs and UCs have no consistency check of their own
	assert lc.check_activation("OLA", "CHG-1", {}, 3, False) == []


def test_validity_and_review_cycle():
	assert lc.check_validity(date(2026, 1, 1), None) == []
	assert lc.check_validity(date(2026, 1, 2), date(2026, 1, 1))[0].field == "valid_to"
	assert lc.check_validity(None, None)[0].field == "valid_from"
	assert lc.check_review_cycle("Yearly") == []
	assert lc.check_review_cycle("Every two years")[0].field == "review_cycle"


def test_translated_problem_formats_after_translation():
	p = lc.check_validity(date(2026, 1, 2), date(2026, 1, 1))[0]
	assert p.format(lambda s: s.replace("must not be before", "早于")) == "Valid To (2026-01-01) 早于 Valid From (2026-01-02)"


def test_amendment_rules():
	ok = v.check_amendment(lc.ACTIVE, date(2026, 1, 1), date(2026, 12, 31), "CHG-9", date(2026, 7, 1))
	assert ok == []
	bad = v.check_amendment(lc.DRAFT, date(2026, 1, 1), date(2026, 12, 31), "", date(2026, 1, 1), "SLA-1-V2")
	assert {p.field for p in bad} == {"workflow_state", None, "change_reference", "valid_from"}
	late = v.check_amendment(lc.SIGNED, date(2026, 1, 1), date(2026, 12, 31), "C", date(2027, 1, 1))
	assert late[0].field == "valid_from"
	assert v.end_of_previous(date(2026, 7, 1)) == date(2026, 6, 30)


def test_version_in_force_judges_each_day_by_its_own_version():
	versions = [
		v.Version("SLA-1-V1", 1, date(2026, 1, 1), date(2026, 6, 30), lc.SUPERSEDED),
		v.Version("SLA-1-V2", 2, date(2026, 7, 1), date(2026, 12, 31), lc.ACTIVE),
		v.Version("SLA-1-V3", 3, date(2026, 10, 1), None, lc.DRAFT),
	]
	assert v.version_in_force(versions, date(2026, 3, 15)).name == "SLA-1-V1"
	assert v.version_in_force(versions, date(2026, 7, 1)).name == "SLA-1-V2"
	assert v.version_in_force(versions, date(2026, 11, 1)).name == "SLA-1-V2"  # drafts never govern
	assert v.version_in_force(versions, date(2025, 12, 31)) is None


def test_workflow_fixture_is_the_core_table():
	"""The Frappe Workflow shipped as a fixture is exactly the lifecycle the core enforces."""
	workflows = {w["name"]: w for w in json.loads((ROOT / "slm_app/fixtures/workflow.json").read_text())}
	wf = workflows["SLM Agreement Lifecycle"]
	assert {(t["state"], t["action"], t["next_state"], t["allowed"], t["condition"]) for t in wf["transitions"]} == {
		(t.state, t.action, t.next_state, t.role, t.condition) for t in lc.TRANSITIONS
	}
	assert {(s["state"], int(s["doc_status"])) for s in wf["states"]} == {(s, d[0]) for s, d in lc.STATES.items()}
	assert all(t["allow_self_approval"] for t in wf["transitions"])
	actions = {a["name"] for a in json.loads((ROOT / "slm_app/fixtures/workflow_action_master.json").read_text())}
	assert set(lc.ACTIONS) <= actions


# ------------------------------------------------------------------------------------------ the counterparty's answer
def test_counterparty_agrees_sla_and_uc():
	for kind in ("SLA", "UC"):
		out = lc.counterparty_answer(kind, lc.NEGOTIATING, lc.ANSWER_AGREE, None)
		assert (out.next_state, out.outcome, out.reopens_underpinning) == (lc.AGREED, "Agreed", False)
		# the answer lands where the process owner's (SLA) or the manager's (UC) Agree lands
		assert lc.find_transition(kind, lc.NEGOTIATING, out.next_state).action == lc.AGREE


def test_counterparty_not_agreed_sends_the_draft_back():
	sla = lc.counterparty_answer("SLA", lc.NEGOTIATING, lc.ANSWER_NOT_AGREED, "6 h, not 8 h")
	assert (sla.next_state, sla.outcome, sla.reopens_underpinning) == (lc.DRAFT, "Not Agreed", True)
	uc = lc.counterparty_answer("UC", lc.NEGOTIATING, lc.ANSWER_NOT_AGREED, "price")
	assert (uc.next_state, uc.outcome, uc.reopens_underpinning) == (lc.DRAFT, "Not Agreed", False)


@pytest.mark.parametrize(
	"kind,state,answer,note,fields",
	[
		("SLA", lc.DRAFT, lc.ANSWER_AGREE, None, ["workflow_state"]),
		("SLA", lc.AGREED, lc.ANSWER_AGREE, None, ["workflow_state"]),
		("SLA", lc.ACTIVE, lc.ANSWER_NOT_AGREED, "x", ["workflow_state"]),
		("OLA", lc.NEGOTIATING, lc.ANSWER_AGREE, None, ["agreement_type"]),
		("SLA", lc.NEGOTIATING, "Maybe", None, ["answer"]),
		("SLA", lc.NEGOTIATING, lc.ANSWER_NOT_AGREED, "  ", ["comment"]),
		("UC", lc.SIGNED, lc.ANSWER_NOT_AGREED, None, ["workflow_state", "comment"]),
	],
)
def test_counterparty_answer_refused(kind, state, answer, note, fields):
	with pytest.raises(RuleError) as e:
		lc.counterparty_answer(kind, state, answer, note)
	assert [p.field for p in e.value.problems] == fields


def test_awaits_counterparty():
	assert lc.awaits_counterparty("SLA", lc.NEGOTIATING) and lc.awaits_counterparty("UC", lc.NEGOTIATING)
	assert not lc.awaits_counterparty("OLA", lc.NEGOTIATING)
	assert not lc.awaits_counterparty("SLA", lc.DRAFT) and not lc.awaits_counterparty("SLA", lc.AGREED)
