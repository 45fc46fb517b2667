"""Agreement versions: a signed agreement is never edited; a change is a new version (amendment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from slm_app.core.errors import Problem, _
from slm_app.core.lifecycle import ACTIVE, ENDED_STATES, SIGNED_STATES


@dataclass(frozen=True)
class Version:
	name: str
	version: int
	valid_from: date
	valid_to: date | None
	state: str


def check_amendment(
	previous_state: str,
	previous_valid_from: date,
	previous_valid_to: date | None,
	change_reference: str | None,
	effective_from: date | None,
	open_amendment: str | None = None,
) -> list[Problem]:
	"""Only a signed or active version can be amended, once at a time, from a date inside its validity."""
	problems = []
	if previous_state not in SIGNED_STATES:
		problems.append(
			Problem(
				_("Only a signed or active agreement can be amended; this one is {0}. Edit the draft instead"),
				(previous_state,),
				"workflow_state",
			)
		)
	if open_amendment:
		problems.append(
			Problem(_("Amendment {0} of this agreement is still open; finish or delete it first"), (open_amendment,), None)
		)
	if not (change_reference or "").strip():
		problems.append(Problem(_("An amendment needs a Change Reference"), (), "change_reference"))
	if not effective_from:
		problems.append(Problem(_("An amendment needs an Effective From date"), (), "valid_from"))
	else:
		if effective_from <= previous_valid_from:
			problems.append(
				Problem(
					_("The amendment must take effect after the current version starts ({0}); got {1}"),
					(previous_valid_from, effective_from),
					"valid_from",
				)
			)
		if previous_valid_to and effective_from > previous_valid_to:
			problems.append(
				Problem(
					_("The amendment must take effect on or before the current version ends ({0}); got {1}"),
					(previous_valid_to, effective_from),
					"valid_from",
				)
			)
	return problems


def end_of_previous(effective_from: date) -> date:
	"""The previous version stays in force until the day before its amendment takes effect."""
	return effective_from - timedelta(days=1)


def version_in_force(versions: list[Version], on: date) -> Version | None:
	"""The version that governs a given day: the one whose validity covers it, among those that were put in force.

	Superseded versions count for the days they were in force (their valid_to was cut back on supersession).
	"""
	candidates = [
		v
		for v in versions
		if (v.state == ACTIVE or v.state in ENDED_STATES)
		and v.valid_from <= on
		and (v.valid_to is None or on <= v.valid_to)
	]
	if not candidates:
		return None
	return max(candidates, key=lambda v: v.version)
