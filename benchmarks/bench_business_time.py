"""Benchmark of the vectorised business-time engine (:mod:`slm_app.core.business_time`).

    python benchmarks/bench_business_time.py --size S|M|L [--seed 1] [--sample 2000] [--header]

Generates a year of tickets (S 20k, M 200k, L 2M; 150 / 1,500 / 15,000 agreements) on service calendars
with lunch breaks, holidays, make-up working days and DST zones; 20 % of the tickets are paused (one to
three pauses, possibly overlapping, and a quarter of them waiting on the customer over a weekend). Data
generation is not timed. Then it measures:

- engine s: from a cold cache (``business_time.clear_cache()``), building one index per calendar and,
  per calendar, the business time to first response (``elapsed``), the business time to resolution net of
  pauses (``elapsed_excluding``) and the response and resolution deadlines (``deadline``), for every ticket;
- oracle s/row: the same four answers for a random sample of tickets through the naive scalar functions
  of :mod:`slm_app.core.calendar` (``business_minutes``, ``business_minutes_excluding``,
  ``add_business_minutes``), one ticket at a time; the sample's answers are checked against the engine's;
- speed-up: oracle s/row × rows / engine s, the oracle's time extrapolated to every row;
- peak MB: the process's peak resident memory (``ru_maxrss``), data generation included, so an upper bound.

Prints details, then one Markdown table row (``--header`` prints the header first):
| size | rows | engine s | rows/s | oracle s/row | speed-up | peak MB |
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):
	sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slm_app.core import business_time  # noqa: E402
from slm_app.core.business_time import BEYOND, NS_PER_SECOND, from_ns, index_for  # noqa: E402
from slm_app.core.calendar import (  # noqa: E402
	WEEKDAYS,
	ServiceCalendar,
	add_business_minutes,
	build_calendar,
	business_minutes,
	business_minutes_excluding,
)

UTC = timezone.utc
YEAR = 2024
SIZES = {
	"S": (20_000, 150, 12),
	"M": (200_000, 1_500, 40),
	"L": (2_000_000, 15_000, 120),
}  # rows, agreements, calendars
ZONES = [
	"Europe/Berlin",
	"America/New_York",
	"Asia/Shanghai",
	"Europe/London",
	"America/Los_Angeles",
	"Australia/Sydney",
	"Asia/Kolkata",
	"America/Sao_Paulo",
]
# business seconds to respond and to resolve, by priority (urgent, high, medium, low)
RESPONSE = np.array([15, 60, 4 * 60, 8 * 60]) * 60
RESOLUTION = np.array([4 * 60, 8 * 60, 24 * 60, 40 * 60]) * 60
HOUR_NS = 3600 * NS_PER_SECOND
DAY_NS = 24 * HOUR_NS
HEADER = "| size | rows | engine s | rows/s | oracle s/row | speed-up | peak MB |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |"


# ---------------------------------------------------------------------------------------------------
# data


def clock(minutes: int) -> str:
	return "00:00" if minutes == 1440 else f"{minutes // 60:02d}:{minutes % 60:02d}"


def make_calendar(rng: np.random.Generator, number: int) -> ServiceCalendar:
	"""Office hours with a lunch break (mostly), an extended service day, or around the clock."""
	tz = ZONES[number % len(ZONES)]
	kind = rng.choice(["office", "office", "office", "extended", "24x7"])
	if kind == "24x7":
		days, spans = WEEKDAYS, [(0, 1440)]
	elif kind == "extended":
		days, spans = WEEKDAYS[:6], [(7 * 60, 22 * 60)]
	else:
		start = int(rng.choice([8 * 60, 8 * 60 + 30, 9 * 60]))
		lunch = int(rng.choice([12 * 60, 12 * 60 + 30]))
		back = lunch + int(rng.choice([30, 60, 90]))
		end = int(rng.choice([17 * 60, 17 * 60 + 30, 18 * 60]))
		days, spans = WEEKDAYS[:5], [(start, lunch), (back, end)]
	windows = [{"weekday": d, "start_time": clock(a), "end_time": clock(b)} for d in days for a, b in spans]
	exceptions = []
	if kind != "24x7":
		weekdays = [d for d in pd.date_range(f"{YEAR}-01-01", f"{YEAR + 1}-12-31").date if d.weekday() < 5]
		for day in rng.choice(len(weekdays), size=20, replace=False):
			exceptions.append({"exception_date": weekdays[day].isoformat(), "exception_type": "Holiday"})
		if tz == "Asia/Shanghai":
			# make-up working Saturdays, as Chinese public holidays bring
			saturdays = pd.date_range(f"{YEAR}-01-06", f"{YEAR + 1}-12-31", freq="W-SAT").date
			for day in rng.choice(len(saturdays), size=8, replace=False):
				for a, b in spans:
					exceptions.append(
						{
							"exception_date": saturdays[day].isoformat(),
							"exception_type": "Extra Working Day",
							"start_time": clock(a),
							"end_time": clock(b),
						}
					)
	return build_calendar(
		tz,
		[dict(row, idx=i) for i, row in enumerate(windows, 1)],
		[dict(row, idx=i) for i, row in enumerate(exceptions, 1)],
	)


def lognormal_ns(rng, median_hours: float, sigma: float, size: int) -> np.ndarray:
	return (rng.lognormal(np.log(median_hours), sigma, size) * HOUR_NS).astype(np.int64)


def generate(size: str, seed: int) -> dict:
	rows, agreements, calendar_count = SIZES[size]
	rng = np.random.default_rng(seed)
	calendars = [make_calendar(rng, n) for n in range(calendar_count)]
	calendar_of_agreement = rng.integers(0, calendar_count, agreements)
	agreement = rng.integers(0, agreements, rows)
	cal = calendar_of_agreement[agreement]
	priority = rng.choice(4, size=rows, p=[0.05, 0.2, 0.5, 0.25])

	# created: a day of the year, mostly in local office hours, in the calendar's zone
	day = rng.integers(0, 366, rows)
	second = np.where(
		rng.random(rows) < 0.8,
		np.clip(rng.normal(12.5 * 3600, 2.5 * 3600, rows), 0, 86399),
		rng.integers(0, 86400, rows),
	).astype(np.int64)
	naive = np.datetime64(f"{YEAR}-01-01", "ns") + (day * DAY_NS + second * NS_PER_SECOND).astype(
		"timedelta64[ns]"
	)
	created = np.empty(rows, dtype=np.int64)
	zone_of_calendar = np.array([c.timezone for c in calendars])
	for tz in np.unique(zone_of_calendar):
		mine = np.isin(cal, np.flatnonzero(zone_of_calendar == tz))
		local = pd.DatetimeIndex(naive[mine]).tz_localize(
			tz, ambiguous=np.ones(mine.sum(), dtype=bool), nonexistent="shift_forward"
		)
		created[mine] = local.tz_convert(UTC).as_unit("ns").asi8

	response = created + lognormal_ns(rng, 1.0, 1.3, rows)
	resolved = response + lognormal_ns(rng, 20.0, 1.2, rows)

	# 20 % paused: one to three pauses inside the ticket's life, and a quarter of them over a weekend
	paused = np.flatnonzero(rng.random(rows) < 0.2)
	per_ticket = rng.integers(1, 4, len(paused))
	owner = np.repeat(paused, per_ticket)
	life = resolved[owner] - created[owner]
	p_start = created[owner] + (rng.random(len(owner)) * life).astype(np.int64)
	p_end = p_start + lognormal_ns(rng, 4.0, 1.0, len(owner))
	weekend = np.flatnonzero(rng.random(len(paused)) < 0.25)
	first_pause = np.concatenate(([0], np.cumsum(per_ticket)[:-1]))[weekend]
	tickets = paused[weekend]
	days = created[tickets] // DAY_NS
	friday = (days + (4 - (days + 3) % 7) % 7) * DAY_NS + 15 * HOUR_NS  # 1970-01-01 was a Thursday
	friday = np.where(friday < created[tickets], friday + 7 * DAY_NS, friday)
	p_start[first_pause] = friday
	p_end[first_pause] = friday + 66 * HOUR_NS  # to Monday 09:00 UTC
	resolved[tickets] = np.maximum(
		resolved[tickets], p_end[first_pause] + lognormal_ns(rng, 3.0, 1.0, len(tickets))
	)
	return {
		"calendars": calendars,
		"cal": cal,
		"created": created,
		"response": response,
		"resolved": resolved,
		"response_target": RESPONSE[priority],
		"resolution_target": RESOLUTION[priority],
		"owner": owner,
		"pause_start": p_start,
		"pause_end": p_end,
	}


# ---------------------------------------------------------------------------------------------------
# the engine, grouped by calendar


def engine(data: dict) -> tuple[dict, dict]:
	"""Every row's four answers; one index per calendar, no loop per row."""
	timings = {}
	t0 = time.perf_counter()
	business_time.clear_cache()
	cal, created, resolved = data["cal"], data["created"], data["resolved"]
	span_start = from_ns(created.min())
	span_end = from_ns(resolved.max()) + timedelta(days=120)  # margin for the longest deadline
	indexes = [index_for(c, span_start, span_end) for c in data["calendars"]]
	timings["index build"] = time.perf_counter() - t0

	t = time.perf_counter()
	order = np.argsort(cal, kind="stable")
	bounds = np.searchsorted(cal[order], np.arange(len(indexes) + 1))
	position = np.empty_like(order)
	position[order] = np.arange(len(order))  # a row's place in calendar order
	owner = data["owner"]
	p_order = np.argsort(cal[owner], kind="stable")
	p_bounds = np.searchsorted(cal[owner][p_order], np.arange(len(indexes) + 1))
	timings["grouping"] = time.perf_counter() - t

	out = {
		name: np.empty(len(cal), dtype=dtype)
		for name, dtype in [
			("response", float),
			("resolution", float),
			("response_due", np.int64),
			("resolution_due", np.int64),
		]
	}
	for name in ("elapsed", "elapsed_excluding", "deadline"):
		timings[name] = 0.0
	for c, index in enumerate(indexes):
		rows = order[bounds[c] : bounds[c + 1]]
		pauses = p_order[p_bounds[c] : p_bounds[c + 1]]
		a = created[rows]
		t = time.perf_counter()
		out["response"][rows] = index.elapsed(a, data["response"][rows])
		timings["elapsed"] += time.perf_counter() - t
		t = time.perf_counter()
		out["resolution"][rows] = index.elapsed_excluding(
			a,
			resolved[rows],
			position[owner[pauses]] - bounds[c],
			data["pause_start"][pauses],
			data["pause_end"][pauses],
		)
		timings["elapsed_excluding"] += time.perf_counter() - t
		t = time.perf_counter()
		out["response_due"][rows] = index.deadline(a, data["response_target"][rows])
		out["resolution_due"][rows] = index.deadline(a, data["resolution_target"][rows])
		timings["deadline"] += time.perf_counter() - t
	timings["engine"] = time.perf_counter() - t0
	return out, timings


# ---------------------------------------------------------------------------------------------------
# the naive oracle, one row at a time


def oracle(data: dict, sample: np.ndarray) -> tuple[dict, float]:
	owner = data["owner"]
	pauses_of: dict[int, list[int]] = {}
	for j in np.flatnonzero(np.isin(owner, sample)):
		pauses_of.setdefault(int(owner[j]), []).append(int(j))
	out = {"response": [], "resolution": [], "response_due": [], "resolution_due": []}
	t = time.perf_counter()
	for i in sample.tolist():
		cal = data["calendars"][data["cal"][i]]
		created = from_ns(data["created"][i])
		pauses = [
			(from_ns(data["pause_start"][j]), from_ns(data["pause_end"][j])) for j in pauses_of.get(i, [])
		]
		out["response"].append(business_minutes(cal, created, from_ns(data["response"][i])) * 60)
		out["resolution"].append(
			business_minutes_excluding(cal, created, from_ns(data["resolved"][i]), pauses) * 60
		)
		out["response_due"].append(add_business_minutes(cal, created, data["response_target"][i] / 60))
		out["resolution_due"].append(add_business_minutes(cal, created, data["resolution_target"][i] / 60))
	seconds = time.perf_counter() - t
	for name in ("response_due", "resolution_due"):
		out[name] = np.array([business_time.to_ns(d) for d in out[name]], dtype=np.int64)
	return {k: np.asarray(v) for k, v in out.items()}, seconds


def main(argv=None) -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--size", choices=sorted(SIZES), default="S")
	parser.add_argument("--seed", type=int, default=1)
	parser.add_argument("--sample", type=int, default=2000, help="rows run through the per-row oracle")
	parser.add_argument("--header", action="store_true", help="print the Markdown table header first")
	args = parser.parse_args(argv)

	t = time.perf_counter()
	data = generate(args.size, args.seed)
	rows = len(data["cal"])
	print(
		f"size {args.size}: {rows:,} rows, {len(data['calendars'])} calendars, {len(data['owner']):,} pauses "
		f"on {len(np.unique(data['owner'])):,} rows; generated in {time.perf_counter() - t:.1f} s"
	)
	print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")

	result, timings = engine(data)
	for name, seconds in timings.items():
		print(f"  {name:18s} {seconds:8.3f} s")
	beyond = int((result["resolution_due"] == BEYOND).sum() + (result["response_due"] == BEYOND).sum())
	print(f"  deadlines beyond the indexed span: {beyond}")

	sample = np.sort(
		np.random.default_rng(args.seed + 1).choice(rows, size=min(args.sample, rows), replace=False)
	)
	expected, oracle_seconds = oracle(data, sample)
	per_row = oracle_seconds / len(sample)
	for name in ("response", "resolution"):
		worst = np.abs(result[name][sample] - expected[name]).max()
		print(f"  oracle vs engine, {name:10s} elapsed: max difference {worst:.2e} s")
		assert worst < 1e-3, name
	for name in ("response_due", "resolution_due"):
		worst = np.abs(result[name][sample] - expected[name]).max()
		print(f"  oracle vs engine, {name:14s}: max difference {worst} ns")
		assert worst <= 1000, name
	print(f"  oracle: {len(sample):,} rows in {oracle_seconds:.2f} s")

	engine_seconds = timings["engine"]
	speed_up = per_row * rows / engine_seconds
	peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
	if args.header:
		print(HEADER)
	print(
		f"| {args.size} | {rows:,} | {engine_seconds:.2f} | {rows / engine_seconds:,.0f} | "
		f"{per_row * 1000:.2f} ms | {speed_up:,.0f}× | {peak_mb:,.0f} |"
	)


if __name__ == "__main__":
	main()
