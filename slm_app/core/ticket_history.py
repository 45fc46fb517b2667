"""A ticket's exact history, rebuilt from its source's change log (issue 11), and what the month counts.

Frappe Helpdesk (HD Ticket) and ERPNext (Issue) both track changes: every save that changes a field writes
a Version row with the time and the field's old and new value. From those rows and the ticket's current
fields this module rebuilds, for one ticket:

- every status interval (from creation to the first change, between changes, to now);
- the pauses: the intervals in a status that pauses the clock (Helpdesk: the statuses of category
  "Paused"; ERPNext: the SLA's pause statuses; or the statuses our settings list);
- each resolution (entering a resolved status) and each reopen (leaving it);
- each priority interval and each team (Helpdesk agent group / ERPNext issue's team) interval.

The rebuild is a pure function of the log: a re-sync rebuilds the same history, so nothing is counted
twice or lost however often it runs (the site writes it by replacing the ticket's rows).

**The rules we apply** (docs/tickets.md says why; the debatable ones are :class:`Rules` settings):

1. *Priority after a change* (``priority_after_change``): ``latest`` (default) — the ticket is judged at the
   priority it has now, from its creation, as Helpdesk and ERPNext recompute their own deadlines; ``first``
   — at the priority it was opened with; ``highest`` — at the most urgent it ever had.
2. *Time while resolved, after a reopen* (``reopened``): ``resolved_paused`` (default) — a reopened
   ticket is resolved when it is resolved for the last time, and the time it spent resolved before the
   reopen does not count (it is a pause: nobody could work on it); ``resolved_counts`` — the same
   resolution, the time while resolved counts; ``first_resolution`` — the first resolution stands and a
   reopen changes nothing (the old behaviour, and what some contracts say).
3. *First response* is the source's own first response (Helpdesk: ``first_responded_on``, set when an
   agent first replies; ERPNext: the same field): by an agent, never the customer's own messages nor
   an automatic status change to "Replied".
4. *Teams*: a team holds a ticket from the change that gives it the ticket to the change that takes it
   away (or the resolution). An OLA's clock for a team counts only while that team holds the ticket,
   minus the ticket's pauses (:func:`team_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slm_app.core.errors import Problem, RuleError, _
from slm_app.core.instants import NAT, OPEN_END
from slm_app.core.targets import PRIORITIES

STATUS, PRIORITY, TEAM = "status", "priority", "team"
FIELDS = (STATUS, PRIORITY, TEAM)

PRIORITY_AFTER_CHANGE = ("latest", "first", "highest")
REOPENED = ("resolved_paused", "resolved_counts", "first_resolution")

# the statuses each source ships that pause the clock and that resolve the ticket (defaults of the settings)
DEFAULT_PAUSE = {"Helpdesk": ("Paused", "Replied"), "ERPNext": ("On Hold", "Replied")}
DEFAULT_RESOLVED = {"Helpdesk": ("Resolved", "Closed"), "ERPNext": ("Resolved", "Closed")}


@dataclass(frozen=True)
class Rules:
	"""How a source's statuses and changes are read (the settings, with their defaults)."""

	pause_statuses: frozenset[str] = frozenset(DEFAULT_PAUSE["Helpdesk"])
	resolved_statuses: frozenset[str] = frozenset(DEFAULT_RESOLVED["Helpdesk"])
	priority_after_change: str = "latest"
	reopened: str = "resolved_paused"

	def __post_init__(self):
		if self.priority_after_change not in PRIORITY_AFTER_CHANGE:
			raise RuleError([Problem(_("Priority after a change must be one of {0}, not {1}"), (", ".join(PRIORITY_AFTER_CHANGE), self.priority_after_change), "priority_after_change")])
		if self.reopened not in REOPENED:
			raise RuleError([Problem(_("Reopened tickets must be one of {0}, not {1}"), (", ".join(REOPENED), self.reopened), "reopened")])
		overlap = set(self.pause_statuses) & set(self.resolved_statuses)
		if overlap:
			raise RuleError([Problem(_("A status cannot both pause and resolve a ticket: {0}"), (", ".join(sorted(overlap)),), "pause_statuses")])


@dataclass(frozen=True)
class Change:
	"""One field change from the log: at ``at_ns`` (UTC ns) ``field`` went from ``old`` to ``new``."""

	at_ns: int
	field: str
	old: str
	new: str


@dataclass
class History:
	ticket_id: str
	created_ns: int
	first_response_ns: int
	statuses: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, status); end OPEN_END: now
	priorities: list[tuple[int, int, str]] = field(default_factory=list)
	teams: list[tuple[int, int, str]] = field(default_factory=list)
	resolutions: list[int] = field(default_factory=list)
	reopens: list[int] = field(default_factory=list)
	resolved_ns: int = NAT  # the resolution the month counts, by the rules
	priority: str = ""  # the priority the month judges the ticket at, by the rules
	pauses: list[tuple[int, int]] = field(default_factory=list)  # what the clock does not count, merged


def _intervals(created: int, first: str, changes: list[Change]) -> list[tuple[int, int, str]]:
	"""The intervals of one field's values: ``first`` from creation, then each change's new value."""
	out: list[list] = [[created, OPEN_END, first]]
	for c in changes:
		at = max(c.at_ns, created)
		if c.new == out[-1][2]:
			continue
		if at == out[-1][0]:  # two changes at one instant: the later one is what held
			out[-1][2] = c.new
			if len(out) > 1 and out[-2][2] == c.new:
				out.pop()
				out[-1][1] = OPEN_END
			continue
		out[-1][1] = at
		out.append([at, OPEN_END, c.new])
	return [tuple(i) for i in out]


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
	out: list[list[int]] = []
	for s, e in sorted(intervals):
		if e <= s:
			continue
		if out and s <= out[-1][1]:
			out[-1][1] = max(out[-1][1], e)
		else:
			out.append([s, e])
	return [tuple(i) for i in out]


def _severity(priority: str) -> int:
	return PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES)


def rebuild(
	ticket_id: str,
	created_ns: int,
	current: dict[str, str],
	changes: list[Change],
	rules: Rules,
	first_response_ns: int = NAT,
	resolution_ns: int = NAT,
	priority_map: dict[str, str] | None = None,
) -> History:
	"""The ticket's history from its current fields (``current``: status, priority, team) and its changes
	(any order; those of other fields are ignored). ``resolution_ns``: the source's resolution field, used
	only when the log has no status change (a ticket created resolved, or a log that was purged).
	``priority_map``: source priority → ours (Critical, High, Medium, Low); values it does not name stay."""
	pmap = priority_map or {}
	by_field: dict[str, list[Change]] = {f: [] for f in FIELDS}
	for c in sorted(changes, key=lambda c: c.at_ns):
		if c.field in by_field:
			by_field[c.field].append(c)
	h = History(ticket_id, created_ns, first_response_ns)
	for f in FIELDS:
		cs = by_field[f]
		first = cs[0].old if cs else current.get(f) or ""
		if f == PRIORITY:
			cs = [Change(c.at_ns, f, pmap.get(c.old, c.old), pmap.get(c.new, c.new)) for c in cs]
			first = pmap.get(first, first)
		iv = _intervals(created_ns, first or "", cs)
		setattr(h, {STATUS: "statuses", PRIORITY: "priorities", TEAM: "teams"}[f], iv)
	resolved = rules.resolved_statuses
	for s, e, status in h.statuses:
		if status in resolved:
			h.resolutions.append(s)
			if e != OPEN_END:
				h.reopens.append(e)
	if not by_field[STATUS] and h.statuses[-1][2] in resolved and resolution_ns != NAT:
		# nothing logged: the source's own resolution time
		h.resolutions, h.statuses = [max(resolution_ns, created_ns)], [(created_ns, max(resolution_ns, created_ns), ""), (max(resolution_ns, created_ns), OPEN_END, h.statuses[-1][2])]
	if rules.reopened == "first_resolution":
		h.resolved_ns = h.resolutions[0] if h.resolutions else NAT
	elif h.statuses[-1][2] in resolved:
		h.resolved_ns = h.resolutions[-1]
	stop = h.resolved_ns if h.resolved_ns != NAT else OPEN_END
	paused = [(s, e) for s, e, status in h.statuses if status in rules.pause_statuses]
	if rules.reopened == "resolved_paused":
		paused += [(s, e) for s, e, status in h.statuses if status in resolved and e != OPEN_END]
	h.pauses = [(s, min(e, stop)) for s, e in _merge(paused) if s < stop]
	if rules.priority_after_change == "first":
		h.priority = h.priorities[0][2]
	elif rules.priority_after_change == "highest":
		h.priority = min((p for _s, _e, p in h.priorities), key=_severity)
	else:
		h.priority = h.priorities[-1][2]
	h.teams = [(s, min(e, stop), t) for s, e, t in h.teams if s < stop]
	return h


def business_minutes(cal, start_ns: int, end_ns: int, pauses) -> float:
	"""Working minutes of ``cal`` in [start, end) outside ``pauses`` (ns): a row's elapsed time, by hand."""
	from slm_app.core.business_time import from_ns
	from slm_app.core.calendar import business_minutes_excluding

	return business_minutes_excluding(cal, from_ns(start_ns), from_ns(end_ns), [(from_ns(s), from_ns(min(e, end_ns))) for s, e in pauses if s < end_ns])


@dataclass(frozen=True)
class TeamRow:
	"""A team's share of a ticket, as a ticket row the engine measures against the team's OLA: its clock
	runs from the team's first hold to the end of its last (its hand-off, or the resolution), and the time
	between its holds is paused as well as the ticket's own pauses. ``response_ns``: the first response
	when it came while this team held the ticket; else the team's first hold (nothing of it to answer)."""

	team: str
	created_ns: int
	response_ns: int
	resolved_ns: int  # NAT while the team still holds the open ticket
	pauses: tuple[tuple[int, int], ...]
	held: tuple[tuple[int, int], ...]


def team_rows(h: History) -> list[TeamRow]:
	out = []
	for team in sorted({t for _s, _e, t in h.teams if t}):
		held = _merge([(s, e) for s, e, t in h.teams if t == team])
		if not held:
			continue
		start, end = held[0][0], held[-1][1]
		gaps = [(held[i][1], held[i + 1][0]) for i in range(len(held) - 1)]
		pauses = _merge([(max(s, start), min(e, end)) for s, e in h.pauses if e > start and s < end] + gaps)
		r = h.first_response_ns
		answered = r != NAT and any(s <= r < e or (r == e and e == h.resolved_ns) for s, e in held)
		out.append(TeamRow(team, start, r if answered else start, NAT if end >= OPEN_END else end, tuple(pauses), tuple(held)))
	return out
