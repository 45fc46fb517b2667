"""Service level targets: what an agreement (or a catalogue service level) promises, per service.

A target row says, for one service and optionally one priority, which metric is promised
(availability, response time, resolution time or a custom metric), the value, and for time
and custom targets the share of cases that must meet it. The same row shape is used by
agreements, catalogue service levels (with ``level_name``) and requirement items.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from slm_app.core.errors import Problem, _

AVAILABILITY = "Availability"
RESPONSE_TIME = "Response Time"
RESOLUTION_TIME = "Resolution Time"
CUSTOM_METRIC = "Custom Metric"
METRIC_KINDS = (AVAILABILITY, RESPONSE_TIME, RESOLUTION_TIME, CUSTOM_METRIC)
TIME_KINDS = (RESPONSE_TIME, RESOLUTION_TIME)
# the fields that say what a target asks for (on agreements, catalogue levels and requirement items alike)
VALUE_FIELDS = ("metric_kind", "metric_name", "priority", "target_value", "time_unit", "unit", "direction", "compliance_share")

HIGHER_IS_BETTER = "Higher is better"
LOWER_IS_BETTER = "Lower is better"
DIRECTIONS = (HIGHER_IS_BETTER, LOWER_IS_BETTER)

PRIORITIES = ("Critical", "High", "Medium", "Low")
TIME_UNITS = ("Minutes", "Hours")
MEASUREMENT_PERIODS = ("Monthly", "Quarterly", "Yearly")
DATA_SOURCES = ("Ticket Events", "Outages", "Metric Values", "Manual Entry")
DATA_SOURCES_BY_KIND = {
	AVAILABILITY: ("Outages", "Manual Entry"),
	RESPONSE_TIME: ("Ticket Events", "Manual Entry"),
	RESOLUTION_TIME: ("Ticket Events", "Manual Entry"),
	CUSTOM_METRIC: ("Metric Values", "Manual Entry"),
}

_CODE_RE = re.compile(r"^T(\d+)$")


def _text(value) -> str:
	return "" if value is None else str(value).strip()


def to_number(value) -> float | None:
	"""A float from int/float/str; None when empty; ValueError when unreadable, NaN or infinite."""
	if value is None or (isinstance(value, str) and not value.strip()):
		return None
	if isinstance(value, bool):
		raise ValueError(value)
	number = float(value.strip()) if isinstance(value, str) else float(value)
	if math.isnan(number) or math.isinf(number):
		raise ValueError(value)
	return number


def _number_or_none(value) -> float | None:
	try:
		return to_number(value)
	except (TypeError, ValueError):
		return None


def format_number(value) -> str:
	"""4.0 -> "4", 99.95 -> "99.95", without float noise."""
	if value is None:
		return "-"
	text = f"{round(float(value), 6):f}".rstrip("0").rstrip(".")
	return "0" if text in ("-0", "") else text


def effective_direction(target: dict) -> str:
	kind = target.get("metric_kind")
	if kind == AVAILABILITY:
		return HIGHER_IS_BETTER
	if kind in TIME_KINDS:
		return LOWER_IS_BETTER
	return _text(target.get("direction"))


def normalise(target: dict) -> dict:
	"""A copy with numbers as floats and the derived fields the comparisons use.

	Adds ``target_minutes`` (time kinds; an empty time unit counts as minutes), ``effective_direction``;
	``compliance_share`` defaults to 100 (and is 100 for availability, where it does not apply);
	``priority``, ``metric_name`` and ``unit`` become stripped strings. Unreadable numbers become None.
	"""
	out = dict(target)
	kind = out.get("metric_kind")
	value = _number_or_none(out.get("target_value"))
	out["target_value"] = value
	out["priority"] = _text(out.get("priority"))
	out["metric_name"] = _text(out.get("metric_name"))
	out["unit"] = _text(out.get("unit"))
	share = _number_or_none(out.get("compliance_share"))
	out["compliance_share"] = 100.0 if share is None or kind == AVAILABILITY else share
	out["effective_direction"] = effective_direction(out)
	if kind in TIME_KINDS and value is not None:
		out["target_minutes"] = value * 60 if out.get("time_unit") == "Hours" else value
	else:
		out["target_minutes"] = None
	return out


def next_target_codes(existing_codes: Iterable[str | None], count: int) -> list[str]:
	"""``count`` new codes T<n>, numbered after the highest existing T<n>.

	Codes are never reused inside an agreement, so a link or a monitoring row that named a deleted
	target cannot silently point at a new one.
	"""
	used = {_text(code) for code in existing_codes or [] if _text(code)}
	numbers = [int(m[1]) for m in (_CODE_RE.match(code) for code in used) if m]
	n = max(numbers, default=0)
	codes = []
	while len(codes) < count:
		n += 1
		if f"T{n}" not in used:
			codes.append(f"T{n}")
	return codes


def metric_label(target: dict) -> str:
	"""The metric's name: the kind, or the custom metric's own name."""
	if target.get("metric_kind") == CUSTOM_METRIC:
		return _text(target.get("metric_name")) or CUSTOM_METRIC
	return _text(target.get("metric_kind"))


def value_text(target: dict) -> str:
	"""The promise without the metric: "≥ 99.9 %", "≤ 4 h", "≥ 4.5 points"."""
	t = normalise(target)
	kind = t.get("metric_kind")
	value = format_number(t["target_value"])
	if kind == AVAILABILITY:
		return f"≥ {value} %"
	if kind in TIME_KINDS:
		unit = "h" if t.get("time_unit") == "Hours" else "min"
		return f"≤ {value} {unit}"
	sign = {HIGHER_IS_BETTER: "≥ ", LOWER_IS_BETTER: "≤ "}.get(t["effective_direction"], "")
	return f"{sign}{value} {t['unit']}".rstrip()


def describe(target: dict, translate: Callable[[str], str] = lambda s: s) -> str:
	"""Short text, e.g. "Resolution Time ≤ 4 h (95 %) P: High" or "Availability ≥ 99.9 %"; with
	``translate``, the metric kind and the priority in the reader's language (a custom metric's own
	name as it was given)."""
	t = normalise(target)
	label = metric_label(t) if t.get("metric_kind") == CUSTOM_METRIC else translate(metric_label(t))
	text = f"{label} {value_text(t)}"
	if t.get("metric_kind") != AVAILABILITY:
		text += f" ({format_number(t['compliance_share'])} %)"
	if t["priority"]:
		text += f" P: {translate(t['priority'])}"
	return text


@dataclass(frozen=True)
class Described:
	"""A target as a message argument: described in the reader's language when the message is shown."""

	target: dict = dataclass_field(hash=False)

	def localise(self, translate: Callable[[str], str]) -> str:
		return describe(self.target, translate)

	def __str__(self) -> str:
		return describe(self.target)


def same_metric(a: dict, b: dict) -> bool:
	"""Same kind; for custom metrics also the same name and unit (case-insensitive)."""
	if a.get("metric_kind") != b.get("metric_kind"):
		return False
	if a.get("metric_kind") == CUSTOM_METRIC:
		return (
			_text(a.get("metric_name")).casefold() == _text(b.get("metric_name")).casefold()
			and _text(a.get("unit")).casefold() == _text(b.get("unit")).casefold()
		)
	return True


def is_at_least_as_good(offered: dict, required: dict) -> bool:
	"""Whether the offered target promises at least what the required one asks (priorities aside)."""
	if not same_metric(offered, required):
		return False
	o, r = normalise(offered), normalise(required)
	kind = r.get("metric_kind")
	if kind == AVAILABILITY:
		return (
			o["target_value"] is not None
			and r["target_value"] is not None
			and o["target_value"] >= r["target_value"]
		)
	if kind in TIME_KINDS:
		if o["target_minutes"] is None or r["target_minutes"] is None:
			return False
		return o["target_minutes"] <= r["target_minutes"] and o["compliance_share"] >= r["compliance_share"]
	if kind == CUSTOM_METRIC:
		if o["target_value"] is None or r["target_value"] is None:
			return False
		direction = r["effective_direction"]
		if o["effective_direction"] and o["effective_direction"] != direction:
			return False
		if direction == HIGHER_IS_BETTER:
			better = o["target_value"] >= r["target_value"]
		elif direction == LOWER_IS_BETTER:
			better = o["target_value"] <= r["target_value"]
		else:
			return False
		return better and o["compliance_share"] >= r["compliance_share"]
	return False


# ---------------------------------------------------------------------------------------------------
# validation


def _allowed(values: Iterable[str]) -> str:
	return ", ".join(values)


def validate_target_row(
	target: dict, field: str = "targets", services: list[str] | None = None
) -> list[Problem]:
	"""The problems of one row on its own (ranges, units, custom metric fields, allowed values)."""
	problems: list[Problem] = []
	idx = target.get("idx")

	def add(message: str, *args) -> None:
		problems.append(Problem(message, (idx, *args), field, idx))

	service = _text(target.get("service"))
	if not service:
		add(_("Row {0}: Service is required"))
	elif services is not None and service not in services:
		add(
			_("Row {0}: Service {1} is not one of this agreement's services ({2})"),
			service,
			_allowed(services) or "-",
		)

	kind = target.get("metric_kind")
	if not _text(kind):
		add(_("Row {0}: Metric Kind is required"))
	elif kind not in METRIC_KINDS:
		add(_("Row {0}: Metric Kind {1} is not one of {2}"), kind, _allowed(METRIC_KINDS))

	raw_value = target.get("target_value")
	try:
		value = to_number(raw_value)
	except (TypeError, ValueError):
		add(_("Row {0}: Target Value {1} is not a number"), raw_value)
		value = None
	else:
		if value is None:
			add(_("Row {0}: Target Value is required"))

	if kind == AVAILABILITY and value is not None and not 0 < value <= 100:
		add(
			_("Row {0}: Availability target {1} % must be greater than 0 and at most 100"),
			format_number(value),
		)
	if kind in TIME_KINDS:
		if value is not None and value <= 0:
			add(_("Row {0}: the {1} target must be greater than 0, not {2}"), kind, format_number(value))
		unit = _text(target.get("time_unit"))
		if not unit:
			add(_("Row {0}: Time Unit is required for a {1} target ({2})"), kind, _allowed(TIME_UNITS))
		elif unit not in TIME_UNITS:
			add(_("Row {0}: Time Unit {1} is not one of {2}"), unit, _allowed(TIME_UNITS))

	if kind != AVAILABILITY:
		raw_share = target.get("compliance_share")
		try:
			share = to_number(raw_share)
		except (TypeError, ValueError):
			add(_("Row {0}: Compliance Share {1} is not a number"), raw_share)
		else:
			if share is not None and not 0 < share <= 100:
				add(
					_("Row {0}: Compliance Share {1} % must be greater than 0 and at most 100"),
					format_number(share),
				)

	if kind == CUSTOM_METRIC:
		if not _text(target.get("metric_name")):
			add(_("Row {0}: Metric Name is required for a Custom Metric"))
		if not _text(target.get("unit")):
			add(_("Row {0}: Unit is required for a Custom Metric, for example points or %"))
		direction = _text(target.get("direction"))
		if not direction:
			add(_("Row {0}: Direction is required for a Custom Metric ({1})"), _allowed(DIRECTIONS))
		elif direction not in DIRECTIONS:
			add(_("Row {0}: Direction {1} is not one of {2}"), direction, _allowed(DIRECTIONS))

	priority = _text(target.get("priority"))
	if priority and priority not in PRIORITIES:
		add(_("Row {0}: Priority {1} is not one of {2}"), priority, _allowed(PRIORITIES))
	elif priority and kind == AVAILABILITY:
		add(
			_("Row {0}: an Availability target covers the whole service; leave Priority empty (it is {1})"),
			priority,
		)

	period = _text(target.get("measurement_period"))
	if period and period not in MEASUREMENT_PERIODS:
		add(_("Row {0}: Measurement Period {1} is not one of {2}"), period, _allowed(MEASUREMENT_PERIODS))

	source = _text(target.get("data_source"))
	if source and source not in DATA_SOURCES:
		add(_("Row {0}: Data Source {1} is not one of {2}"), source, _allowed(DATA_SOURCES))
	elif source and kind in DATA_SOURCES_BY_KIND and source not in DATA_SOURCES_BY_KIND[kind]:
		add(
			_("Row {0}: Data Source {1} does not fit a {2} target; use {3}"),
			source,
			kind,
			" or ".join(DATA_SOURCES_BY_KIND[kind]),
		)
	return problems


def _scope(target: dict) -> str:
	"""The service, and the catalogue level when the row belongs to one: "Mail / Gold"."""
	level = _text(target.get("level_name"))
	service = _text(target.get("service"))
	return f"{service} / {level}" if level else service


def validate_targets(targets: list[dict], services: list[str] | None = None) -> list[Problem]:
	"""Every problem with an agreement's target rows (field "targets", row = idx).

	``services`` are the agreement's services; when given, every target must be for one of them.
	Catalogue service-level rows carry ``level_name``: the same target in two levels is no duplicate,
	and a response target is compared with the resolution target of its own level.
	"""
	targets = targets or []
	problems: list[Problem] = []
	for target in targets:
		problems += validate_target_row(target, "targets", services)

	seen_codes: dict[str, int] = {}
	seen_targets: dict[tuple, int] = {}
	for target in targets:
		idx = target.get("idx")
		code = _text(target.get("target_code"))
		if code:
			if code in seen_codes:
				problems.append(
					Problem(
						_("Rows {0} and {1}: Target Code {2} is used twice"),
						(seen_codes[code], idx, code),
						"targets",
						idx,
					)
				)
			else:
				seen_codes[code] = idx
		service, kind = _text(target.get("service")), target.get("metric_kind")
		if not service or kind not in METRIC_KINDS:
			continue
		name = _text(target.get("metric_name")).casefold() if kind == CUSTOM_METRIC else ""
		level = _text(target.get("level_name"))
		key = (service, level, kind, name, _text(target.get("priority")))
		if key in seen_targets:
			problems.append(
				Problem(
					_("Rows {0} and {1} define the same target twice: {2} / {3} / Priority {4}"),
					(seen_targets[key], idx, _scope(target), metric_label(target), key[4] or "-"),
					"targets",
					idx,
				)
			)
		else:
			seen_targets[key] = idx

	normalised = [normalise(t) for t in targets]
	for response in normalised:
		if response.get("metric_kind") != RESPONSE_TIME or response["target_minutes"] is None:
			continue
		for resolution in normalised:
			if (
				resolution.get("metric_kind") == RESOLUTION_TIME
				and resolution["target_minutes"] is not None
				and _text(resolution.get("service")) == _text(response.get("service"))
				and _text(resolution.get("level_name")) == _text(response.get("level_name"))
				and resolution["priority"] == response["priority"]
				and response["target_minutes"] > resolution["target_minutes"]
			):
				problems.append(
					Problem(
						_(
							"Row {0}: Response Time target ({1} min) for {2} / {3} is longer than the Resolution Time target ({4} min) in row {5}"
						),
						(
							response.get("idx"),
							format_number(response["target_minutes"]),
							_scope(response),
							response["priority"] or "-",
							format_number(resolution["target_minutes"]),
							resolution.get("idx"),
						),
						"targets",
						response.get("idx"),
					)
				)
	return problems
