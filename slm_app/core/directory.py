"""What measurement rows may refer to, and the one rule for matching a ticket to an agreement.

The site (hand entry, bulk import, REST), the Helpdesk / ERPNext sync and the offline command all build
their directory with :func:`build_directory` from the same inputs: the agreement versions, the services
each covers, their targets, and the time zones of calendars and services.

**Which versions.** Rows may name versions in a measurable state (signed or in force, see
:mod:`slm_app.core.agreements`), by version name (SLA-2026-0001-V2) or by agreement code (SLA-2026-0001);
a ticket is stored against the code, and each month is computed against the version in force then.

**Tickets without an agreement** are matched by customer and service:

1. The candidates are the SLA versions of that customer in a measurable state that cover the service: a
   version covers the services in its service list and the services its targets are on. Without a
   service, every SLA version of the customer is a candidate.
2. When the candidates all belong to one agreement code, that is the ticket's agreement.
3. When they belong to several, only those in force on the day the ticket was created count (from Valid
   From to the earlier of Valid To and Ended On, the day read in the version's time zone). One code left:
   that is the ticket's agreement.
4. Otherwise the ticket is ambiguous (several agreements) or unmatched (none in force that day) and is
   reported with the candidates, never dropped silently nor given to one of them: the row must name its
   agreement.

**Time zones.** A timestamp without an offset is read in the zone of the agreement's calendar (of its
latest measurable version), for outages and coverage in the zone of the service's own calendar, else in
the zone all agreements covering the service share; when the directory is built for data a site stored
(naive in the site's zone) every naive timestamp is read in that zone instead. With no zone to read it
in, a naive timestamp is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from slm_app.core.agreements import MEASURABLE_STATES, in_force_until
from slm_app.core.calendar import parse_date
from slm_app.core.errors import Problem, _


class BadValue(ValueError):
	"""One bad row, with its problem."""

	def __init__(self, problem: Problem):
		super().__init__(problem.format())
		self.problem = problem


@dataclass(frozen=True)
class Candidate:
	"""An SLA version a ticket of its customer may belong to."""

	name: str
	code: str
	valid_from: date | None
	until: date | None
	tz: str | None


@dataclass(frozen=True)
class Directory:
	"""What rows may refer to. Build it with :func:`build_directory`.

	agreements: version name or agreement code → (agreement code, time zone naive times are read in)
	claims:     (service, customer) and ("", customer) → the candidate SLA versions
	services:   service → time zone of its naive times (None: refused unless default_tz)
	target_codes: agreement code → its target codes
	not_measurable: version names and codes known but not signed or in force → their state
	"""

	agreements: dict[str, tuple[str, str | None]]
	claims: dict[tuple[str, str], tuple[Candidate, ...]] = field(default_factory=dict)
	services: dict[str, str | None] = field(default_factory=dict)
	target_codes: dict[str, set[str]] = field(default_factory=dict)
	default_tz: str | None = None
	not_measurable: dict[str, str] = field(default_factory=dict)
	naive_in: str | None = None  # set for data a site stored: every naive time is in this zone

	def agreement(self, ref, n: int, label: str = "agreement") -> tuple[str, str | None]:
		"""(code, zone) of a version name or code a row gives; BadValue when there is none to measure."""
		ref = str(ref).strip()
		if ref in self.agreements:
			code, tz = self.agreements[ref]
			return code, tz or self.default_tz
		if ref in self.not_measurable:
			raise BadValue(
				Problem(
					_("Row {0}: agreement {1} is {2}; measurements are recorded for signed agreements and those in force"),
					(n, ref, self.not_measurable[ref]),
					label,
					n,
				)
			)
		raise BadValue(Problem(_("Row {0}: unknown agreement {1}"), (n, ref or "-"), label, n))

	def ticket_agreement(self, service, customer, created, n: int, read_instant) -> tuple[str, str | None]:
		"""(code, zone) of a ticket that names no agreement, by the rule in the module's docstring.

		``read_instant(value, tz)`` reads the creation time (int ns) so it can be compared with the
		candidates' days in force."""
		service, customer = str(service or "").strip(), str(customer or "").strip()
		candidates = self.claims.get((service, customer), ())
		if not candidates:
			raise BadValue(
				Problem(
					_("Row {0}: no agreement found for service {1} and customer {2}; give the agreement"),
					(n, service or "-", customer or "-"),
					"agreement",
					n,
				)
			)
		codes = sorted({c.code for c in candidates})
		if len(codes) > 1:
			day_of = {}
			for c in candidates:
				at = read_instant(created, self.naive_in or c.tz or self.default_tz)
				day_of[c.name] = pd.Timestamp(at, tz="UTC").tz_convert(c.tz or "UTC").date()
			in_force = sorted(
				{
					c.code
					for c in candidates
					if (c.valid_from is None or c.valid_from <= day_of[c.name]) and (c.until is None or day_of[c.name] <= c.until)
				}
			)
			day = min(day_of.values())
			if not in_force:
				raise BadValue(
					Problem(
						_("Row {0}: none of the agreements for service {1} and customer {2} ({3}) was in force on {4}; give the agreement"),
						(n, service or "-", customer, ", ".join(codes), day),
						"agreement",
						n,
					)
				)
			if len(in_force) > 1:
				raise BadValue(
					Problem(
						_("Row {0}: service {1} of customer {2} is covered by several agreements on {3}: {4}; give the agreement"),
						(n, service or "-", customer, day, ", ".join(in_force)),
						"agreement",
						n,
					)
				)
			codes = in_force
		code = codes[0]
		tz = self.agreements.get(code, (code, None))[1]
		return code, tz or self.default_tz

	def service_zone(self, service: str) -> str | None:
		return self.services.get(service) or self.default_tz


def build_directory(
	versions: pd.DataFrame,
	targets: pd.DataFrame,
	agreement_services: pd.DataFrame | None = None,
	calendar_zones: dict[str, str] | None = None,
	service_calendars: dict[str, str | None] | None = None,
	default_tz: str | None = None,
	naive_in: str | None = None,
) -> Directory:
	"""The directory of the versions given.

	versions:  agreement, agreement_code, version, agreement_type, party, calendar, valid_from, valid_to,
	           ended_on (optional), state (optional: without it every version counts as in force)
	targets:   agreement, target_code, service
	agreement_services: agreement, service (the services each version lists; optional)
	calendar_zones: calendar → time zone; service_calendars: service → its own calendar (optional)
	default_tz: the zone of naive times that nothing else places; naive_in: read every naive time in this
	zone (data a site stored), whatever the agreement's zone.
	"""
	zones = calendar_zones or {}
	has_state = "state" in versions.columns
	refs: dict[str, tuple[str, str | None]] = {}
	not_measurable: dict[str, str] = {}
	measurable = []
	rows = versions.to_dict("records")
	rows.sort(key=lambda r: (int(r.get("version") or 0), str(r["agreement"])))
	for r in rows:
		state = r.get("state") if has_state else None
		if has_state and state not in MEASURABLE_STATES:
			not_measurable[r["agreement"]] = state or "-"
			continue
		measurable.append(r)
		tz = naive_in or zones.get(r.get("calendar"))
		refs[r["agreement"]] = (r["agreement_code"], tz)
		refs[r["agreement_code"]] = (r["agreement_code"], tz)  # the latest version's zone
	for ref in list(not_measurable):
		if ref in refs:
			del not_measurable[ref]
	codes_left = {r["agreement_code"]: r.get("state") for r in rows if r["agreement_code"] not in refs}
	not_measurable.update({code: state or "-" for code, state in codes_left.items()})

	by_name = {r["agreement"]: r for r in measurable}
	covers: dict[str, set[str]] = {name: set() for name in by_name}
	target_codes: dict[str, set[str]] = {}
	for t in targets[["agreement", "target_code", "service"]].itertuples(index=False):
		if t.agreement in by_name:
			if t.service:
				covers[t.agreement].add(t.service)
			target_codes.setdefault(by_name[t.agreement]["agreement_code"], set()).add(t.target_code)
	if agreement_services is not None and len(agreement_services):
		for a, s in agreement_services[["agreement", "service"]].itertuples(index=False):
			if a in by_name and s:
				covers[a].add(s)

	claims: dict[tuple[str, str], list[Candidate]] = {}
	service_zones: dict[str, set[str | None]] = {}
	for name, r in by_name.items():
		tz = zones.get(r.get("calendar"))
		for s in covers[name]:
			service_zones.setdefault(s, set()).add(tz)
		if r.get("agreement_type") != "SLA":
			continue
		c = Candidate(name, r["agreement_code"], parse_date(r.get("valid_from")), in_force_until(r.get("valid_to"), r.get("ended_on")), tz)
		for s in covers[name]:
			claims.setdefault((s, r.get("party") or ""), []).append(c)
		claims.setdefault(("", r.get("party") or ""), []).append(c)

	services: dict[str, str | None] = {}
	own = service_calendars or {}
	for s in set(service_zones) | set(own):
		if naive_in:
			services[s] = naive_in
		elif own.get(s) and zones.get(own[s]):
			services[s] = zones[own[s]]
		else:
			shared = service_zones.get(s, set()) - {None}
			services[s] = next(iter(shared)) if len(shared) == 1 else None
	return Directory(
		refs,
		{k: tuple(v) for k, v in claims.items()},
		services,
		target_codes,
		naive_in or default_tz,
		not_measurable,
		naive_in,
	)
