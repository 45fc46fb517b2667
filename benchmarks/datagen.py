"""Generated, realistic monitoring data for one month, as :func:`slm_app.core.compliance.evaluate` takes it.

    python benchmarks/datagen.py --size S|M|L [--seed N] [--month 2026-10] [--out DIR]

Sizes (agreement codes, tickets, services): S 150 / 20k / 50, M 1,500 / 200k / 500, L 15,000 / 2M / 5,000.
What is in it:

- Calendars in Europe/Berlin, Europe/London, America/New_York, Asia/Shanghai, Australia/Sydney and 24x7 ones
  (UTC, Asia/Shanghai): weekday windows with a lunch break (two windows a day), public holidays of each
  country (fixed dates, Easter and weekday rules; for China the National Day and Labour Day weeks with
  their make-up working days as Extra Working Days), extended hours with Saturdays. The default month,
  October 2026, has Europe's and Australia's DST changes in it and the US change a day after it; larger
  sizes have more calendars (the same kinds with shifted hours), as a big provider has per-customer ones.
- Agreements: 60 % SLA, 25 % OLA, 15 % UC, in Gold / Silver / Bronze tiers. An SLA has response and
  resolution targets for each priority, availability of its service and a customer satisfaction score;
  an OLA has response and resolution for three priorities plus resolution of all tickets, availability and
  a backup success rate; a UC has response and resolution of all tickets, availability and a mean time to
  repair (lower is better). 5 % of agreements change version mid-month (V2 tighter), 3 % start mid-month,
  2 % expired before the month (not in force: no result).
- Tickets: over the month in each calendar's local time (mostly working hours, fewer at weekends), 7 %
  created in the two weeks before (outside the period), priorities 5/20/45/30 %, agreements of very different
  volumes. First response and resolution are drawn as business time on the agreement's calendar (people
  work in service hours), per agreement a little better or worse than its targets. 20 % of tickets are
  paused (waiting on the customer) once to three times; a third of those over a weekend (Friday 16:00 to
  Monday 09:30 local). Tickets not answered or resolved by ``as_of`` are open (NAT), a pause still running
  then is open-ended, as :func:`slm_app.core.measurements.check_tickets` makes it; 1 % are left open.
- Availability per service as a 1-minute-resolution monitor reports it: coverage intervals (monitoring on)
  with gaps where samples are missing (a few services with a day-long gap, 2 % without any monitoring),
  unplanned outages as runs of whole down minutes, and planned maintenance (mostly Saturday nights local
  time, a quarter in working hours); all on whole-minute boundaries.
- Metric values: weekly satisfaction scores, daily backup success rates, one monthly repair time; 3 % of
  metric targets have no values (no data).

Everything is numpy-vectorised and deterministic for a seed. ``--out DIR`` also writes the month as an
offline folder (docs/offline.md) so ``python -m slm_app.offline DIR --month 2026-10`` computes the same.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):
	sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slm_app.core import calendar as cal  # noqa: E402
from slm_app.core import compliance  # noqa: E402
from slm_app.core import targets as tgt  # noqa: E402
from slm_app.core.business_time import CalendarIndex  # noqa: E402
from slm_app.core.periods import month_bounds  # noqa: E402

UTC = timezone.utc
NAT = compliance.NAT
OPEN_END = np.iinfo(np.int64).max // 2  # what check_tickets gives a pause still running on an open ticket
NS = 1_000_000_000
MINUTE = 60 * NS
HOUR = 60 * MINUTE
DAY = 24 * HOUR
PRIORITIES = ("Critical", "High", "Medium", "Low")
WEEKDAYS = cal.WEEKDAYS


@dataclass(frozen=True)
class Size:
	agreements: int
	tickets: int
	services: int


SIZES = {
	"S": Size(150, 20_000, 50),
	"M": Size(1_500, 200_000, 500),
	"L": Size(15_000, 2_000_000, 5_000),
}


@dataclass
class Dataset:
	"""One month of generated data and what compliance.evaluate needs besides it."""

	targets: pd.DataFrame  # compliance.TARGET_COLUMNS
	calendars: dict[str, cal.ServiceCalendar]
	measurements: compliance.Measurements
	year: int
	month: int
	as_of: datetime
	agreements: pd.DataFrame  # one row per agreement version (the offline folder's agreements table)
	calendar_rows: dict[str, tuple[str, list[dict], list[dict]]] = field(default_factory=dict)

	@property
	def agreement_codes(self) -> int:
		return int(self.agreements["agreement_code"].nunique())

	def summary(self) -> dict[str, int]:
		m = self.measurements
		return {
			"agreements": self.agreement_codes,
			"versions": len(self.agreements),
			"targets": len(self.targets),
			"calendars": len(self.calendars),
			"tickets": len(m.tickets),
			"pauses": len(m.pauses),
			"outages": len(m.outages),
			"coverage": len(m.coverage),
			"metrics": len(m.metrics),
		}


# ------------------------------------------------------------------------------------------ calendars


def _easter(year: int) -> date:
	"""Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
	a, b, c = year % 19, year // 100, year % 100
	d, e = b // 4, b % 4
	f = (b + 8) // 25
	g = (b - f + 1) // 3
	h = (19 * a + b - d - g + 15) % 30
	i, k = c // 4, c % 4
	l_ = (32 + 2 * e + 2 * i - h - k) % 7
	m = (a + 11 * h + 22 * l_) // 451
	month = (h + l_ - 7 * m + 114) // 31
	return date(year, month, (h + l_ - 7 * m + 114) % 31 + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
	"""The n-th given weekday (0 = Monday) of a month; n = -1 is the last."""
	if n > 0:
		first = date(year, month, 1)
		return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
	last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
	return last - timedelta(days=(last.weekday() - weekday) % 7)


def _holidays(region: str, year: int) -> tuple[list[date], list[date]]:
	"""Public holidays and make-up working days (China) of a region in a year."""
	if region == "DE":
		e = _easter(year)
		days = [date(year, 1, 1), e - timedelta(2), e + timedelta(1), date(year, 5, 1), e + timedelta(39)]
		days += [
			e + timedelta(50),
			date(year, 10, 3),
			date(year, 12, 25),
			date(year, 12, 26),
			date(year, 3, 8),
		]
		return days, []
	if region == "UK":
		e = _easter(year)
		days = [date(year, 1, 1), e - timedelta(2), e + timedelta(1), _nth_weekday(year, 5, 0, 1)]
		days += [
			_nth_weekday(year, 5, 0, -1),
			_nth_weekday(year, 8, 0, -1),
			date(year, 12, 25),
			date(year, 12, 26),
		]
		return days, []
	if region == "US":
		days = [date(year, 1, 1), _nth_weekday(year, 1, 0, 3), _nth_weekday(year, 2, 0, 3)]
		days += [
			_nth_weekday(year, 5, 0, -1),
			date(year, 6, 19),
			date(year, 7, 4),
			_nth_weekday(year, 9, 0, 1),
		]
		days += [_nth_weekday(year, 10, 0, 2), date(year, 11, 11), _nth_weekday(year, 11, 3, 4)]
		days += [date(year, 12, 25)]
		return days, []
	if region == "AU":
		e = _easter(year)
		days = [date(year, 1, 1), date(year, 1, 26), e - timedelta(2), e + timedelta(1), date(year, 4, 25)]
		days += [
			_nth_weekday(year, 6, 0, 2),
			_nth_weekday(year, 10, 0, 1),
			date(year, 12, 25),
			date(year, 12, 26),
		]
		return days, []
	if region == "CN":
		days = (
			[date(year, 1, 1)]
			+ [date(year, 5, d) for d in range(1, 6)]
			+ [date(year, 10, d) for d in range(1, 8)]
		)
		# make-up working days: the Sunday before the National Day week and the Saturday after it, the
		# Saturday after the Labour Day week
		oct1 = date(year, 10, 1)
		extra = [oct1 - timedelta(days=(oct1.weekday() + 1) % 7 or 7), _nth_after(date(year, 10, 7), 5)]
		extra.append(_nth_after(date(year, 5, 5), 5))
		return days, [d for d in extra if d not in days]
	return [], []


def _nth_after(day: date, weekday: int) -> date:
	return day + timedelta(days=(weekday - day.weekday()) % 7 or 7)


def _hm(minutes: int) -> str:
	return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


# name, zone, holiday region, {weekday numbers: windows in minutes}
TEMPLATES = [
	("DE-Office", "Europe/Berlin", "DE", {range(5): [(480, 720), (765, 1020)]}),
	("US-Office", "America/New_York", "US", {range(5): [(540, 750), (810, 1080)]}),
	("CN-Office", "Asia/Shanghai", "CN", {range(5): [(540, 720), (810, 1080)]}),
	("24x7", "UTC", "", {range(7): [(0, 1440)]}),
	("DE-Extended", "Europe/Berlin", "DE", {range(5): [(420, 1200)], (5,): [(480, 840)]}),
	("UK-Office", "Europe/London", "UK", {range(5): [(510, 750), (810, 1050)]}),
	("AU-Office", "Australia/Sydney", "AU", {range(5): [(510, 750), (780, 1020)]}),
	("CN-24x7", "Asia/Shanghai", "", {range(7): [(0, 1440)]}),
	("US-Extended", "America/New_York", "US", {range(5): [(420, 1140)], (5,): [(540, 780)]}),
]


def make_calendars(count: int, year: int) -> tuple[dict[str, cal.ServiceCalendar], dict]:
	"""``count`` calendars: the templates, then the same kinds with hours shifted by 30-minute steps."""
	calendars, rows = {}, {}
	for k in range(count):
		name, zone, region, week = TEMPLATES[k % len(TEMPLATES)]
		variant = k // len(TEMPLATES)
		full_day = all(w == [(0, 1440)] for w in week.values())
		shift = 0 if full_day else 30 * (variant % 5) - 60 * (variant % 2)
		if variant:
			name = f"{name}-{variant + 1}"
		windows = []
		for days, spans in week.items():
			for d in days:
				for lo, hi in spans:
					lo2, hi2 = (lo, hi) if full_day else (lo + shift, hi + shift)
					windows.append({"weekday": WEEKDAYS[d], "start_time": _hm(lo2), "end_time": _hm(hi2)})
		exceptions = []
		if region:
			for y in (year - 1, year, year + 1):
				holidays, extra = _holidays(region, y)
				for day in sorted(set(holidays)):
					exceptions.append({"exception_date": day.isoformat(), "exception_type": cal.HOLIDAY})
				weekday_spans = week[next(iter(week))]
				for day in extra:
					for lo, hi in weekday_spans:
						exceptions.append(
							{
								"exception_date": day.isoformat(),
								"exception_type": cal.EXTRA_WORKING_DAY,
								"start_time": _hm(lo + shift),
								"end_time": _hm(hi + shift),
							}
						)
		calendars[name] = cal.build_calendar(zone, windows, exceptions)
		rows[name] = (zone, windows, exceptions)
	return calendars, rows


def _groups(labels):
	"""(label, row numbers) for each distinct label; ``labels`` is an array or (int codes, names)."""
	codes, names = labels if isinstance(labels, tuple) else pd.factorize(np.asarray(labels, dtype=object))
	order = np.argsort(codes, kind="stable")
	bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
	for k, name in enumerate(names):
		if bounds[k + 1] > bounds[k]:
			yield name, order[bounds[k] : bounds[k + 1]]


def _take(labels, rows):
	"""The labels of some rows (keeps the (codes, names) form)."""
	return (labels[0][rows], labels[1]) if isinstance(labels, tuple) else labels[rows]


def _localize(local_ns: np.ndarray, zones) -> np.ndarray:
	"""UTC ns of naive local wall times (ns since 1970-01-01 local), each in its own zone.

	An ambiguous time (autumn) is its first occurrence, a time in the spring gap moves forward past it, as
	:func:`slm_app.core.calendar.local_instant` reads them.
	"""
	out = np.empty(len(local_ns), dtype=np.int64)
	for zone, rows in _groups(zones):
		index = pd.DatetimeIndex(local_ns[rows].astype("datetime64[ns]")).tz_localize(
			zone, ambiguous=np.ones(len(rows), dtype=bool), nonexistent="shift_forward"
		)
		out[rows] = index.asi8
	return out


def _local_days(utc_ns: np.ndarray, zones) -> np.ndarray:
	"""Naive local wall-clock ns of UTC instants, each in its zone."""
	out = np.empty(len(utc_ns), dtype=np.int64)
	for zone, rows in _groups(zones):
		index = pd.DatetimeIndex(utc_ns[rows].astype("datetime64[ns]")).tz_localize("UTC").tz_convert(zone)
		out[rows] = index.tz_localize(None).asi8
	return out


# ------------------------------------------------------------------------------------------ agreements


def make_agreements(rng, n: int, n_services: int, calendar_names: list[str], year: int, month: int):
	"""Agreement versions (the offline folder's agreements table) and their targets (TARGET_COLUMNS)."""
	first = date(year, month, 1)
	kinds = rng.choice(np.array(["SLA", "OLA", "UC"]), size=n, p=[0.6, 0.25, 0.15])
	tiers = rng.choice(3, size=n, p=[0.2, 0.5, 0.3])  # Gold, Silver, Bronze
	counters = {"SLA": 0, "OLA": 0, "UC": 0}
	codes = []
	for k in kinds:
		counters[k] += 1
		codes.append(f"{k}-{year}-{counters[k]:05d}")
	codes = np.array(codes)
	party = np.where(
		kinds == "SLA",
		np.char.add("Customer-", rng.integers(1, max(n // 3, 2), size=n).astype(str)),
		np.where(
			kinds == "OLA",
			np.char.add("Team-", rng.integers(1, 40, size=n).astype(str)),
			np.char.add("Supplier-", rng.integers(1, 60, size=n).astype(str)),
		),
	)
	# calendars: a few widely used, many per customer
	weights = rng.pareto(1.2, size=len(calendar_names)) + 1
	calendar = np.array(calendar_names)[rng.choice(len(calendar_names), size=n, p=weights / weights.sum())]
	# every service has an agreement (monitoring data for a service nobody agreed on is rejected on import)
	pick = np.concatenate(
		(rng.permutation(n_services)[:n], rng.integers(0, n_services, size=max(n - n_services, 0)))
	)
	service = np.char.add("SVC-", np.char.zfill((rng.permutation(pick) + 1).astype(str), 5))
	story = rng.random(n)
	change = story < 0.05  # V1 until the 14th, V2 from the 15th
	late = (story >= 0.05) & (story < 0.08)  # starts on the 10th
	ended = (story >= 0.08) & (story < 0.10)  # expired the month before
	start_back = rng.integers(30, 700, size=n)
	valid_from = [first - timedelta(days=int(b)) for b in start_back]
	valid_from = [date(year, month, 10) if lt else v for lt, v in zip(late, valid_from, strict=True)]
	valid_to = [None] * n
	for i in np.flatnonzero(ended):
		valid_to[i] = first - timedelta(days=int(rng.integers(1, 60)))
		valid_from[i] = valid_to[i] - timedelta(days=365)
	for i in np.flatnonzero(~ended & (rng.random(n) < 0.5)):
		valid_to[i] = date(year + 1, month, 1) + timedelta(days=int(rng.integers(0, 400)))
	base = pd.DataFrame(
		{
			"agreement_code": codes,
			"agreement_type": kinds,
			"party": party,
			"calendar": calendar,
			"service": service,
			"tier": tiers,
			"valid_from": valid_from,
			"valid_to": valid_to,
			"version": 1,
			"state": np.where(ended, "Expired", np.where(change, "Superseded", "Active")),
		}
	)
	v2 = base[change].copy()
	base.loc[change, "valid_to"] = date(year, month, 14)
	v2["version"], v2["valid_from"], v2["state"] = 2, date(year, month, 15), "Active"
	versions = pd.concat([base, v2], ignore_index=True)
	versions["agreement"] = versions["agreement_code"] + "-V" + versions["version"].astype(str)

	templates = pd.DataFrame(_TARGET_TEMPLATES, columns=_TEMPLATE_COLUMNS)
	targets = versions.merge(templates, on="agreement_type").sort_values(
		["agreement", "target_code"], kind="stable"
	)
	time_kind = targets["metric_kind"].isin(tgt.TIME_KINDS).to_numpy()
	factor = np.array([0.5, 1.0, 2.0])[targets["tier"].to_numpy()] * np.where(
		targets["version"] == 2, 0.75, 1.0
	)
	minutes = np.where(time_kind, targets["target_value"].to_numpy(float) * factor, np.nan)
	value = targets["target_value"].to_numpy(float)
	avail = (targets["metric_kind"] == "Availability").to_numpy()
	value = np.where(avail, np.array([99.95, 99.9, 99.5])[targets["tier"].to_numpy()], value)
	in_hours = time_kind & (minutes >= 60)
	value = np.where(time_kind, np.where(in_hours, minutes / 60, minutes), value)
	targets["target_value"] = np.round(value, 2)
	targets["time_unit"] = np.where(time_kind, np.where(in_hours, "Hours", "Minutes"), "")
	targets = targets.reset_index(drop=True)
	agreements = versions[
		[*compliance.AGREEMENT_COLUMNS, "state"]
	]
	return agreements.reset_index(drop=True), targets[compliance.TARGET_COLUMNS + ["tier"]]


_TEMPLATE_COLUMNS = [
	"agreement_type",
	"target_code",
	"metric_kind",
	"metric_name",
	"unit",
	"direction",
	"priority",
	"target_value",  # minutes for time targets (before the tier factor)
	"compliance_share",
]
_TARGET_TEMPLATES = [
	*(
		("SLA", f"T{i + 1}", "Response Time", "", "", "", p, v, s)
		for i, (p, v, s) in enumerate(zip(PRIORITIES, (15, 30, 120, 240), (95, 90, 90, 85), strict=True))
	),
	*(
		("SLA", f"T{i + 5}", "Resolution Time", "", "", "", p, v, s)
		for i, (p, v, s) in enumerate(zip(PRIORITIES, (240, 480, 1440, 2400), (95, 90, 90, 85), strict=True))
	),
	("SLA", "T9", "Availability", "", "", "", "", 99.9, None),
	("SLA", "T10", "Custom Metric", "Customer satisfaction", "points", "Higher is better", "", 4.2, None),
	*(
		("OLA", f"T{i + 1}", "Response Time", "", "", "", p, v, 95)
		for i, (p, v) in enumerate(zip(PRIORITIES[:3], (10, 20, 60), strict=True))
	),
	*(
		("OLA", f"T{i + 4}", "Resolution Time", "", "", "", p, v, 95)
		for i, (p, v) in enumerate(zip(PRIORITIES[:3], (180, 360, 1200), strict=True))
	),
	("OLA", "T7", "Resolution Time", "", "", "", "", 2400, 95),
	("OLA", "T8", "Availability", "", "", "", "", 99.9, None),
	("OLA", "T9", "Custom Metric", "Backup success", "%", "Higher is better", "", 99.0, None),
	("UC", "T1", "Response Time", "", "", "", "", 60, 95),
	("UC", "T2", "Resolution Time", "", "", "", "", 1440, 90),
	("UC", "T3", "Availability", "", "", "", "", 99.9, None),
	("UC", "T4", "Custom Metric", "Mean time to repair", "hours", "Lower is better", "", 4.0, None),
]


# ------------------------------------------------------------------------------------------ tickets


def _business_to_wall(created: np.ndarray, seconds: np.ndarray, calendars_of_rows, indexes) -> np.ndarray:
	"""The instant ``seconds`` of business time after each creation, on the row's calendar."""
	out = np.empty(len(created), dtype=np.int64)
	for name, rows in _groups(calendars_of_rows):
		out[rows] = indexes[name].deadline(created[rows], seconds[rows])
	return out


def make_tickets(
	rng, n: int, agreements: pd.DataFrame, targets: pd.DataFrame, calendars, year, month, as_of_ns
):
	"""Tickets and pauses (Measurements.tickets / .pauses)."""
	first_local = np.datetime64(date(year, month, 1), "ns").astype(np.int64)
	after = date(year + (month == 12), month % 12 + 1, 1)
	days = (after - date(year, month, 1)).days
	v1 = agreements.drop_duplicates("agreement_code")
	codes = v1["agreement_code"].to_numpy()
	kind = v1["agreement_type"].to_numpy()
	weights = rng.lognormal(0.0, 1.2, size=len(codes)) * np.where(kind == "UC", 0.3, 1.0)
	who = rng.choice(len(codes), size=n, p=weights / weights.sum())
	code = codes[who]
	cal_codes, cal_names = pd.factorize(v1["calendar"])
	cal_name = (cal_codes[who], np.asarray(cal_names))
	zone_codes, zone_names = pd.factorize(
		np.array([calendars[c].timezone for c in v1["calendar"]], dtype=object)
	)
	zone = (zone_codes[who], np.asarray(zone_names))
	priority = rng.choice(4, size=n, p=[0.05, 0.20, 0.45, 0.30])
	tier = (
		targets.drop_duplicates("agreement_code")
		.set_index("agreement_code")
		.loc[codes, "tier"]
		.to_numpy()[who]
	)
	performance = rng.lognormal(0.0, 0.3, size=len(codes))[who]  # some agreements do better than others

	# creation: local wall time, 93 % in the month, mostly working hours, fewer at weekends
	day = np.where(rng.random(n) < 0.93, rng.integers(0, days, size=n), rng.integers(-14, 0, size=n))
	weekday = (np.datetime64(date(year, month, 1)).astype("datetime64[D]").astype(np.int64) + day + 3) % 7
	thin = (weekday >= 5) & (rng.random(n) < 0.6)
	day = np.where(thin, day - (weekday - 4), day)  # moved to the Friday before
	minute = np.where(
		rng.random(n) < 0.8, rng.integers(8 * 60, 18 * 60, size=n), rng.integers(0, 1440, size=n)
	)
	local = first_local + day * DAY + minute * MINUTE + rng.integers(0, 60, size=n) * NS
	created = _localize(local, zone)

	span_lo = datetime.fromtimestamp(int(created.min()) // NS, UTC) - timedelta(days=1)
	span_hi = datetime(year + 2, 1, 1, tzinfo=UTC)
	indexes = {
		name: CalendarIndex.build(calendars[name], span_lo, span_hi) for name, _rows in _groups(cal_name)
	}

	# first response and resolution: business time, tier- and agreement-scaled, heavy-tailed
	scale = np.array([0.5, 1.0, 2.0])[tier] * performance
	resp_med = np.array([3, 6, 24, 48]) * 60.0
	res_med = np.array([0.8, 1.6, 5.0, 8.0]) * 3600.0
	resp_s = np.round(rng.lognormal(np.log(resp_med[priority] * scale), 0.85))
	res_s = np.round(np.maximum(rng.lognormal(np.log(res_med[priority] * scale), 0.9), resp_s + 60))
	response = _business_to_wall(created, resp_s, cal_name, indexes)
	resolved = _business_to_wall(created, res_s, cal_name, indexes)

	# pauses: 20 % of tickets, 1-3 each, a third of those over a weekend
	paused = np.flatnonzero(rng.random(n) < 0.2)
	weekend = paused[rng.random(len(paused)) < 1 / 3]
	normal = np.setdiff1d(paused, weekend)
	count = rng.choice(3, size=len(normal), p=[0.7, 0.25, 0.05]) + 1
	owner = np.repeat(normal, count)
	frac = rng.uniform(0.1, 0.9, size=len(owner))
	order = np.lexsort((frac, owner))
	owner, frac = owner[order], frac[order]
	duration = (
		np.maximum(np.round(rng.lognormal(np.log(2.5 * 3600), 1.0, size=len(owner))), 300).astype(np.int64)
		* NS
	)
	shift = np.cumsum(duration) - duration  # the pauses before this one of the same ticket
	heads = np.concatenate(([0], np.flatnonzero(owner[1:] != owner[:-1]) + 1))
	shift = shift - np.repeat(shift[heads], np.diff(np.concatenate((heads, [len(owner)]))))
	base = response[owner] + (frac * (resolved[owner] - response[owner])).astype(np.int64) // NS * NS
	p_start = base + shift
	p_end = p_start + duration
	total = np.zeros(n, dtype=np.int64)
	np.add.at(total, owner, duration)
	resolved = resolved + total
	# a weekend pause: Friday 16:00 after the first response until Monday 09:30, local time
	resp_local = _local_days(response[weekend], _take(zone, weekend))
	resp_day = resp_local // DAY
	friday = resp_day + (4 - (resp_day + 3) % 7) % 7
	w_start_local = friday * DAY + 16 * HOUR
	w_start_local = np.where(w_start_local < resp_local, w_start_local + 7 * DAY, w_start_local)
	w_start = _localize(w_start_local, _take(zone, weekend))
	w_end = _localize(w_start_local + 2 * DAY + 17 * HOUR + 30 * MINUTE, _take(zone, weekend))
	before = resolved[weekend] > w_start
	tail = (resolved[weekend] - response[weekend]) // 3 // NS * NS
	resolved[weekend] = np.where(before, resolved[weekend] + (w_end - w_start), w_end + tail)
	p_owner = np.concatenate((owner, weekend))
	p_start = np.concatenate((p_start, w_start))
	p_end = np.concatenate((p_end, w_end))

	# what is known at as_of: later events have not happened; 1 % of tickets stay open, 0.3 % unanswered
	stale = rng.random(n)
	resolved = np.where((resolved > as_of_ns) | (stale < 0.01), NAT, resolved)
	response = np.where((response > as_of_ns) | (stale < 0.003), NAT, response)
	happened = p_start <= as_of_ns
	p_owner, p_start, p_end = p_owner[happened], p_start[happened], p_end[happened]
	open_ticket = resolved[p_owner] == NAT
	p_end = np.where(open_ticket & (p_end > as_of_ns), OPEN_END, p_end)
	p_end = np.where(~open_ticket, np.minimum(p_end, resolved[p_owner]), p_end)

	order = np.argsort(created, kind="stable")
	rank = np.empty(n, dtype=np.int64)
	rank[order] = np.arange(n)
	ids = np.char.add("INC-", np.char.zfill((rank + 1).astype(str), 8)).astype(object)
	tickets = (
		pd.DataFrame(
			{
				"ticket_id": ids,
				"agreement_code": code.astype(object),
				"priority": np.array(PRIORITIES, dtype=object)[priority],
				"created_ns": created,
				"response_ns": response,
				"resolved_ns": resolved,
			}
		)
		.iloc[order]
		.reset_index(drop=True)
	)
	porder = np.lexsort((p_start, rank[p_owner]))
	pauses = pd.DataFrame({"ticket_id": ids[p_owner], "start_ns": p_start, "end_ns": p_end, "ticket_row": rank[p_owner]}).iloc[porder]
	return tickets, pauses.reset_index(drop=True)


# ------------------------------------------------------------------------------------------ availability


def make_availability(rng, n_services: int, service_zone: np.ndarray, year: int, month: int):
	"""Coverage and outages of each service, on whole minutes, as a 1-minute monitor reports them."""
	names = np.char.add("SVC-", np.char.zfill(np.arange(1, n_services + 1).astype(str), 5)).astype(object)
	lo = int(np.datetime64(date(year, month, 1), "ns").astype(np.int64)) - 2 * DAY
	after = date(year + (month == 12), month % 12 + 1, 1)
	hi = int(np.datetime64(after, "ns").astype(np.int64)) + 2 * DAY
	span_min = (hi - lo) // MINUTE

	# coverage: four slots a service, a monitoring gap in a slot with probability 0.35 (minutes to a day)
	monitored = rng.random(n_services) >= 0.02
	slots = 4
	slot_min = span_min // slots
	gap_svc = np.repeat(np.arange(n_services), slots)
	gap_slot = np.tile(np.arange(slots), n_services)
	has_gap = (rng.random(len(gap_svc)) < 0.35) & monitored[gap_svc]
	long_gap = rng.random(len(gap_svc)) < 0.02
	gap_len = np.where(
		long_gap,
		rng.integers(24 * 60, 3 * 24 * 60, size=len(gap_svc)),
		np.ceil(rng.lognormal(np.log(10), 1.0, size=len(gap_svc))),
	).astype(np.int64)
	gap_len = np.minimum(gap_len, slot_min - 2)
	gap_at = gap_slot * slot_min + 1 + (rng.random(len(gap_svc)) * (slot_min - 1 - gap_len)).astype(np.int64)
	gap_svc, gap_at, gap_len = gap_svc[has_gap], gap_at[has_gap], gap_len[has_gap]
	mon = np.flatnonzero(monitored)
	c_svc = np.concatenate((mon, gap_svc))
	c_start = np.concatenate((np.zeros(len(mon), dtype=np.int64), gap_at + gap_len))
	e_svc = np.concatenate((gap_svc, mon))
	e_end = np.concatenate((gap_at, np.full(len(mon), span_min)))
	so, eo = np.lexsort((c_start, c_svc)), np.lexsort((e_end, e_svc))
	coverage = pd.DataFrame(
		{
			"service": names[c_svc[so]],
			"start_ns": lo + c_start[so] * MINUTE,
			"end_ns": lo + e_end[eo] * MINUTE,
		}
	)

	# unplanned outages: runs of down minutes, a few a month, and a major one for 3 % of services
	count = rng.poisson(2.0, size=n_services) + (rng.random(n_services) < 0.03)
	o_svc = np.repeat(np.arange(n_services), count)
	o_len = np.clip(np.ceil(rng.lognormal(np.log(7), 1.1, size=len(o_svc))), 1, 600).astype(np.int64)
	major = rng.random(len(o_svc)) < 0.03
	o_len = np.where(major, rng.integers(120, 480, size=len(o_svc)), o_len)
	o_at = rng.integers(DAY // MINUTE, span_min - 2 * DAY // MINUTE, size=len(o_svc))
	# planned maintenance, local time: Saturday 22:00 for 2-4 hours, or a working-hours hour (a quarter)
	p_count = 1 + (rng.random(n_services) < 0.4)
	p_svc = np.repeat(np.arange(n_services), p_count)
	first_day = np.datetime64(date(year, month, 1)).astype("datetime64[D]").astype(np.int64)
	first_sat = first_day + (5 - (first_day + 3) % 7) % 7
	week = rng.integers(0, 4, size=len(p_svc))
	in_hours = rng.random(len(p_svc)) < 0.25
	local_day = np.where(in_hours, first_sat + 7 * week - 3, first_sat + 7 * week)  # Wednesday / Saturday
	local_start = local_day * DAY + np.where(in_hours, 12 * HOUR, 22 * HOUR)
	local_end = local_start + np.where(in_hours, HOUR, rng.integers(2, 5, size=len(p_svc)) * HOUR)
	zones = service_zone[p_svc]
	outages = pd.DataFrame(
		{
			"service": np.concatenate((names[o_svc], names[p_svc])),
			"start_ns": np.concatenate((lo + o_at * MINUTE, _localize(local_start, zones))),
			"end_ns": np.concatenate((lo + (o_at + o_len) * MINUTE, _localize(local_end, zones))),
			"planned": np.concatenate((np.zeros(len(o_svc), dtype=bool), np.ones(len(p_svc), dtype=bool))),
		}
	)
	outages = outages.sort_values(["service", "start_ns"], kind="stable").reset_index(drop=True)
	return outages, coverage


# ------------------------------------------------------------------------------------------ metrics


def make_metrics(rng, targets: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
	"""Values of the Custom Metric targets: weekly scores, daily backup rates, a monthly repair time."""
	t = targets[targets["metric_kind"] == "Custom Metric"].drop_duplicates(["agreement_code", "target_code"])
	t = t[rng.random(len(t)) >= 0.03]  # no values at all: no data
	first = int(np.datetime64(date(year, month, 1), "ns").astype(np.int64))
	days = (date(year + (month == 12), month % 12 + 1, 1) - date(year, month, 1)).days
	name = t["metric_name"].to_numpy()
	per = np.where(name == "Customer satisfaction", 5, np.where(name == "Backup success", days, 1))
	row = np.repeat(np.arange(len(t)), per)
	k = np.arange(len(row)) - np.repeat(np.cumsum(per) - per, per)
	step = np.where(per[row] == days, DAY, np.where(per[row] == 5, 7 * DAY, 0))
	at = (
		first
		+ 9 * HOUR
		+ np.where(per[row] == 1, 14 * DAY, k * step)
		+ rng.integers(0, 3600, size=len(row)) * NS
	)
	shift = rng.normal(0.0, 0.2, size=len(t))[row]
	kinds = name[row]
	value = np.where(
		kinds == "Customer satisfaction",
		np.clip(np.round(rng.normal(4.4, 0.35, size=len(row)) + shift, 1), 1, 5),
		np.where(
			kinds == "Backup success",
			np.round(np.maximum(100 - rng.exponential(0.8, size=len(row)) * (1 + 5 * abs(shift)), 90), 2),
			np.round(rng.lognormal(np.log(3.0), 0.4, size=len(row)), 2),
		),
	)
	return pd.DataFrame(
		{
			"agreement_code": t["agreement_code"].to_numpy()[row],
			"target_code": t["target_code"].to_numpy()[row],
			"at_ns": at.astype(np.int64),
			"value": value.astype(float),
		}
	)


# ------------------------------------------------------------------------------------------ the month


def as_of_for(calendars, year: int, month: int) -> datetime:
	"""The offline command's default: local midnight after the month in the latest of the zones."""
	return max(month_bounds(year, month, z)[1] for z in sorted({c.timezone for c in calendars.values()}))


def generate(
	agreements: int,
	tickets: int,
	services: int,
	seed: int = 1,
	year: int = 2026,
	month: int = 10,
	calendars: int | None = None,
) -> Dataset:
	"""One month of data: ``agreements`` agreement codes, ``tickets`` tickets, ``services`` services."""
	rng = np.random.default_rng(seed)
	n_cal = calendars or min(len(TEMPLATES) + agreements // 500, 48)
	cals, cal_rows = make_calendars(n_cal, year)
	versions, targets = make_agreements(rng, agreements, services, list(cals), year, month)
	as_of = as_of_for(cals, year, month)
	as_of_ns = int(pd.Timestamp(as_of).value)
	tk, pauses = make_tickets(rng, tickets, versions, targets, cals, year, month, as_of_ns)
	# a service's maintenance windows are in the zone of (the first) agreement on it, else Europe/Berlin
	zone_of = {name: c.timezone for name, c in cals.items()}
	first_on = targets.drop_duplicates("service").set_index("service")["calendar"].map(zone_of)
	names = np.char.add("SVC-", np.char.zfill(np.arange(1, services + 1).astype(str), 5))
	service_zone = first_on.reindex(names).fillna("Europe/Berlin").to_numpy()
	outages, coverage = make_availability(rng, services, service_zone, year, month)
	metrics = make_metrics(rng, targets, year, month)
	m = compliance.Measurements(tk, pauses, outages, coverage, metrics)
	return Dataset(targets[compliance.TARGET_COLUMNS].copy(), cals, m, year, month, as_of, versions, cal_rows)


def generate_size(size: str, seed: int = 1, year: int = 2026, month: int = 10) -> Dataset:
	s = SIZES[size]
	return generate(s.agreements, s.tickets, s.services, seed, year, month)


# ------------------------------------------------------------------------------------------ offline folder


def _iso(ns: np.ndarray, blank=(NAT,)) -> np.ndarray:
	"""ISO 8601 UTC text of ns values; empty for the values in ``blank``."""
	ns = np.asarray(ns, dtype=np.int64)
	empty = np.isin(ns, blank)
	text = np.datetime_as_string(
		np.where(empty, 0, ns).astype("datetime64[ns]").astype("datetime64[s]"), unit="s"
	)
	return np.where(empty, "", np.char.add(text.astype(str), "Z"))


def to_tables(data: Dataset) -> dict[str, pd.DataFrame]:
	"""The month as the offline folder's tables (docs/offline.md), instants as ISO UTC text."""
	cal_rows = [(n, z) for n, (z, _w, _e) in data.calendar_rows.items()]
	windows = [{"calendar": n, **w} for n, (_z, ws, _e) in data.calendar_rows.items() for w in ws]
	exceptions = [{"calendar": n, **e} for n, (_z, _w, es) in data.calendar_rows.items() for e in es]
	m = data.measurements
	t = data.targets
	return {
		"calendars": pd.DataFrame(cal_rows, columns=["calendar", "timezone"]),
		"calendar_windows": pd.DataFrame(windows),
		"calendar_exceptions": pd.DataFrame(exceptions),
		"agreements": data.agreements.assign(
			valid_from=[d.isoformat() for d in data.agreements["valid_from"]],
			valid_to=[d.isoformat() if d else "" for d in data.agreements["valid_to"]],
		),
		"targets": t[
			["agreement", "target_code", "service", "metric_kind", "metric_name", "unit", "direction"]
		].assign(
			priority=t["priority"],
			target_value=t["target_value"],
			time_unit=t["time_unit"],
			compliance_share=t["compliance_share"].astype(object).where(t["compliance_share"].notna(), ""),
		),
		"tickets": pd.DataFrame(
			{
				"ticket_id": m.tickets["ticket_id"],
				"agreement": m.tickets["agreement_code"],
				"priority": m.tickets["priority"],
				"created": _iso(m.tickets["created_ns"]),
				"first_response": _iso(m.tickets["response_ns"]),
				"resolved": _iso(m.tickets["resolved_ns"]),
			}
		),
		"pauses": pd.DataFrame(
			{
				"ticket_id": m.pauses["ticket_id"],
				"start": _iso(m.pauses["start_ns"]),
				"end": _iso(m.pauses["end_ns"], blank=(NAT, OPEN_END)),
			}
		),
		"outages": pd.DataFrame(
			{
				"service": m.outages["service"],
				"start": _iso(m.outages["start_ns"]),
				"end": _iso(m.outages["end_ns"]),
				"planned": np.where(m.outages["planned"], "yes", "no"),
			}
		),
		"coverage": pd.DataFrame(
			{
				"service": m.coverage["service"],
				"start": _iso(m.coverage["start_ns"]),
				"end": _iso(m.coverage["end_ns"]),
			}
		),
		"metrics": pd.DataFrame(
			{
				"agreement": m.metrics["agreement_code"],
				"target": m.metrics["target_code"],
				"at": _iso(m.metrics["at_ns"]),
				"value": m.metrics["value"],
			}
		),
	}


def write_folder(data: Dataset, out: Path) -> None:
	out.mkdir(parents=True, exist_ok=True)
	for name, frame in to_tables(data).items():
		frame.to_csv(out / f"{name}.csv", index=False)


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--size", choices=sorted(SIZES), default="S")
	parser.add_argument("--seed", type=int, default=1)
	parser.add_argument("--month", default="2026-10", help="YYYY-MM (default 2026-10)")
	parser.add_argument("--out", type=Path, help="also write the month as an offline folder (CSV)")
	args = parser.parse_args(argv)
	year, month = (int(x) for x in args.month.split("-"))
	started = time.perf_counter()
	data = generate_size(args.size, args.seed, year, month)
	took = time.perf_counter() - started
	print(
		f"size {args.size}, seed {args.seed}, {year}-{month:02d}, as of {data.as_of.isoformat()}: "
		f"generated in {took:.1f} s"
	)
	for key, value in data.summary().items():
		print(f"  {key:10} {value:>10,}")
	if args.out:
		write_folder(data, args.out)
		print(f"wrote {args.out}")
	return 0


if __name__ == "__main__":
	sys.exit(main())
