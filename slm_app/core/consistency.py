"""Underpinning consistency: does every SLA target have OLA / UC targets beneath it that can carry it?

No SLM tool we know checks this; ITIL only says the OLAs and UCs must support the SLA. The rules:
same metric, matching priority, an underpinning at least as strict as the SLA (time, availability,
custom metric by its direction, compliance share), serial availabilities whose product still meets
the SLA, and underpinning agreements that are in force for the SLA's whole validity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from slm_app.core import targets as tgt
from slm_app.core.errors import Term, _, localise
from slm_app.core.lifecycle import ENDED_STATES


@dataclass(frozen=True)
class Conflict:
	kind: str
	sla_target: str
	underpinning_agreement: str | None
	underpinning_target: str | None
	message: str
	args: tuple = ()

	def format(self, translate: Callable[[str], str] = lambda s: s) -> str:
		"""The message in the reader's language: its template and the values in it (states, metric kinds,
		priorities, target descriptions) translated now, when it is shown, never stored translated."""
		return translate(self.message).format(*(localise(a, translate) for a in self.args))


def _covers(u_from: date | None, u_to: date | None, s_from: date | None, s_to: date | None) -> bool:
	if u_from and s_from and u_from > s_from:
		return False
	if u_to is None:
		return True
	if s_to is None:
		return False
	return u_to >= s_to


def check_underpinning(
	sla: dict,
	links: list[dict],
	underpinnings: dict[str, dict],
	service_dependencies: dict[str, set[str]] | None = None,
) -> list[Conflict]:
	out: list[Conflict] = []
	by_code = {t.get("target_code"): tgt.normalise(t) for t in sla.get("targets") or []}
	links_by_target: dict[str, list[dict]] = {}
	for link in links:
		links_by_target.setdefault(link.get("sla_target"), []).append(link)

	validity_reported: set[tuple[str, str]] = set()
	for code in sorted(by_code, key=lambda c: (len(c or ""), c or "")):
		st = by_code[code]
		mine = sorted(links_by_target.get(code, []), key=lambda x: (x.get("underpinning_agreement") or "", x.get("underpinning_target") or ""))
		if not mine:
			out.append(Conflict("no_underpinning", code, None, None, _("SLA target {0} ({1}) has no underpinning OLA or UC target"), (code, tgt.Described(st))))
			continue
		availabilities: list[tuple[str, float]] = []
		for link in mine:
			ua_name, ut_code = link.get("underpinning_agreement"), link.get("underpinning_target")
			ua = underpinnings.get(ua_name)
			ut = None
			if ua:
				ut = next((tgt.normalise(t) for t in ua.get("targets") or [] if t.get("target_code") == ut_code), None)
			if ut is None:
				out.append(Conflict("unknown_target", code, ua_name, ut_code, _("SLA target {0} is linked to {1} target {2}, which does not exist"), (code, ua_name, ut_code)))
				continue
			ref = f"{ua_name} {ut_code}"
			if ua.get("workflow_state") in ENDED_STATES:
				out.append(Conflict("not_in_force", code, ua_name, ut_code, _("SLA target {0} relies on {1}, which is {2}"), (code, ua_name, Term(ua.get("workflow_state") or ""))))
			if (code, ua_name) not in validity_reported and not _covers(ua.get("valid_from"), ua.get("valid_to"), sla.get("valid_from"), sla.get("valid_to")):
				validity_reported.add((code, ua_name))
				out.append(
					Conflict(
						"validity_gap",
						code,
						ua_name,
						ut_code,
						_("{0} is valid {1} – {2} but the SLA runs {3} – {4}; SLA target {5} is uncovered part of the time"),
						(ua_name, ua.get("valid_from") or "-", ua.get("valid_to") or "-", sla.get("valid_from") or "-", sla.get("valid_to") or "-", code),
					)
				)
			if service_dependencies is not None and st.get("service") and ut.get("service"):
				allowed = service_dependencies.get(st["service"], {st["service"]})
				if ut["service"] not in allowed:
					out.append(
						Conflict("service_mismatch", code, ua_name, ut_code, _("{0} is for {1}, which {2} (SLA target {3}) is not built on"), (ref, ut["service"], st["service"], code))
					)
			# custom metrics: same name and the same unit, or the numbers cannot be compared
			if not tgt.same_metric(ut, st):
				out.append(
					Conflict("metric_mismatch", code, ua_name, ut_code, _("SLA target {0} is {1} but {2} is {3}"), (code, tgt.Described(st), ref, tgt.Described(ut)))
				)
				continue
			if st["priority"] and ut["priority"] and st["priority"] != ut["priority"]:
				out.append(
					Conflict("priority_mismatch", code, ua_name, ut_code, _("SLA target {0} is for priority {1} but {2} is for priority {3}"), (code, Term(st["priority"]), ref, Term(ut["priority"])))
				)
			kind = st["metric_kind"]
			if kind in tgt.TIME_KINDS:
				if ut["target_minutes"] is not None and st["target_minutes"] is not None and ut["target_minutes"] > st["target_minutes"]:
					out.append(
						Conflict(
							"weaker_target",
							code,
							ua_name,
							ut_code,
							_("{0} allows {1} min for {2}, longer than the {3} min of SLA target {4}"),
							(ref, f"{ut['target_minutes']:g}", Term(kind), f"{st['target_minutes']:g}", code),
						)
					)
				if ut["compliance_share"] < st["compliance_share"]:
					out.append(
						Conflict(
							"weaker_share",
							code,
							ua_name,
							ut_code,
							_("{0} requires {1} % of cases to meet it, less than the {2} % of SLA target {3}"),
							(ref, f"{ut['compliance_share']:g}", f"{st['compliance_share']:g}", code),
						)
					)
			elif kind == "Availability":
				if ut["target_value"] is not None and st["target_value"] is not None:
					availabilities.append((ref, ut["target_value"]))
					if ut["target_value"] < st["target_value"]:
						out.append(
							Conflict(
								"weaker_target",
								code,
								ua_name,
								ut_code,
								_("{0} promises {1} % availability, lower than the {2} % of SLA target {3}"),
								(ref, f"{ut['target_value']:g}", f"{st['target_value']:g}", code),
							)
						)
			else:
				if ut["target_value"] is not None and st["target_value"] is not None:
					direction = st["effective_direction"]
					weaker = ut["target_value"] < st["target_value"] if direction == "Higher is better" else ut["target_value"] > st["target_value"]
					if weaker:
						out.append(
							Conflict(
								"weaker_target",
								code,
								ua_name,
								ut_code,
								_("{0} promises {1} {2}, weaker than the {3} {2} of SLA target {4}"),
								(ref, f"{ut['target_value']:g}", st.get("unit") or "", f"{st['target_value']:g}", code),
							)
						)
				if ut["compliance_share"] < st["compliance_share"]:
					out.append(
						Conflict(
							"weaker_share",
							code,
							ua_name,
							ut_code,
							_("{0} requires {1} % of cases to meet it, less than the {2} % of SLA target {3}"),
							(ref, f"{ut['compliance_share']:g}", f"{st['compliance_share']:g}", code),
						)
					)
		if len(availabilities) >= 2 and st.get("target_value") is not None:
			combined = 1.0
			for _ref, a in availabilities:
				combined *= a / 100.0
			if combined * 100 < st["target_value"] - 1e-9:
				out.append(
					Conflict(
						"combined_availability",
						code,
						None,
						None,
						_("The services under SLA target {0} run in series ({1}): together they reach {2} %, below the SLA's {3} %"),
						(code, ", ".join(r for r, _a in availabilities), f"{combined * 100:.3f}", f"{st['target_value']:g}"),
					)
				)
	for code in sorted(set(links_by_target) - set(by_code), key=lambda c: (len(c or ""), c or "")):
		for link in links_by_target[code]:
			out.append(
				Conflict(
					"unknown_target",
					code,
					link.get("underpinning_agreement"),
					link.get("underpinning_target"),
					_("Underpinning row {0} names SLA target {1}, which this SLA does not have"),
					(link.get("idx"), code or "-"),
				)
			)
	# deterministic: by SLA target code; within one target, in the order the checks ran
	out.sort(key=lambda c: (len(c.sla_target or ""), c.sla_target or ""))
	return out


def summarise(conflicts: list[Conflict]) -> dict[str, int]:
	return dict(Counter(c.kind for c in conflicts))
