"""Benchmark of the compliance engine (core): one month through :func:`slm_app.core.compliance.evaluate`.

    python benchmarks/bench_compliance.py --size S|M|L [--seed 1] [--oracle-sample 2000] [--month 2026-10]

Generates the month with :mod:`benchmarks.datagen` (not timed), then measures:

- engine s: wall time of one ``compliance.evaluate`` call for the month, from a cold business-time cache
  (``business_time.clear_cache()`` first, so building the calendar indexes is included);
- peak MB: the engine's peak resident memory above what the process held before the call. Before the call
  the garbage is collected, freed heap is handed back to the system (glibc ``malloc_trim``) and the kernel's
  peak counter is reset (``echo 5 > /proc/self/clear_refs``); after it, peak MB = VmHWM − VmRSS before
  (both from /proc/self/status). The process's own peak (inputs included) is printed too. Without
  clear_refs the script falls back to ru_maxrss and says so;
- the naive per-ticket oracle on a random sample of tickets: for each ticket and each response /
  resolution target of its agreement version and priority whose period holds its creation,
  ``calendar.business_minutes_excluding`` for the elapsed business time net of pauses and
  ``calendar.business_minutes`` / ``calendar.add_business_minutes`` for the deadline (walking from pause
  to pause: only the business time between them counts), one ticket at a time. Its time per ticket
  against the engine's (engine s / all tickets: the engine's whole month, availability and metrics
  included, so the ratio is if anything understated) is the speed-up;
- mismatches: the sampled (ticket, target) pairs whose met / missed / pending decision differs between
  the oracle and the engine (the engine's missed tickets frame names every missed pair; a pair not in it
  is met when it has its response / resolution, pending otherwise). Elapsed minutes and deadlines of the
  missed pairs are compared as well and printed.

``--repeat N`` runs the engine N times, each from a cold cache, and reports the median time (and the
largest peak). Prints the details, then one Markdown table row: size, agreements, tickets, engine s, peak MB,
oracle s/ticket, engine s/ticket, speed-up, mismatches. ``--profile FILE`` adds one more cold evaluate
under pyinstrument (pip install pyinstrument) and writes its report to FILE.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import platform
import resource
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):
	sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import datagen  # noqa: E402
from slm_app.core import business_time, compliance  # noqa: E402
from slm_app.core import calendar as cal  # noqa: E402
from slm_app.core import targets as tgt  # noqa: E402

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NAT = compliance.NAT
HEADER = (
	"| size | agreements | tickets | engine s | peak MB | oracle s/ticket | engine s/ticket | speed-up "
	"| mismatches |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


# ------------------------------------------------------------------------------------------ memory


def _status_kb(key: str) -> int | None:
	try:
		with open("/proc/self/status") as f:
			for line in f:
				if line.startswith(key + ":"):
					return int(line.split()[1])
	except OSError:
		return None
	return None


def _reset_peak() -> bool:
	"""Reset the kernel's peak RSS (VmHWM) of this process to its current RSS."""
	try:
		with open("/proc/self/clear_refs", "w") as f:
			f.write("5")
		return True
	except OSError:
		return False


def _trim() -> None:
	gc.collect()
	try:
		ctypes.CDLL("libc.so.6").malloc_trim(0)
	except (OSError, AttributeError):
		pass


def _maxrss_kb() -> int:
	return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ------------------------------------------------------------------------------------------ the engine


def run_engine(data: datagen.Dataset) -> dict:
	"""One cold compliance.evaluate of the month: time, memory, results."""
	business_time.clear_cache()
	_trim()
	reset = _reset_peak()
	before_kb = _status_kb("VmRSS") if reset else _maxrss_kb()
	wall, cpu = time.perf_counter(), time.process_time()
	results, missed = compliance.evaluate(
		data.targets, data.calendars, data.measurements, data.year, data.month, data.as_of
	)
	wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
	peak_kb = _status_kb("VmHWM") if reset else _maxrss_kb()
	return {
		"results": results,
		"missed": missed,
		"seconds": wall,
		"cpu_seconds": cpu,
		"peak_mb": (peak_kb - before_kb) / 1024,
		"before_mb": before_kb / 1024,
		"process_peak_mb": peak_kb / 1024,
		"memory_method": "VmHWM - VmRSS before, peak reset by clear_refs"
		if reset
		else "ru_maxrss growth (clear_refs unavailable: 0 when the process peaked before)",
	}


# ------------------------------------------------------------------------------------------ the oracle


def _dt(ns: int) -> datetime:
	return EPOCH + timedelta(microseconds=int(ns) // 1000)


def _ns(dt: datetime) -> int:
	return (dt - EPOCH) // timedelta(microseconds=1) * 1000


def _as_date(value) -> date | None:
	if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
		return None
	return value if isinstance(value, date) else pd.Timestamp(value).date()


def oracle_targets(data: datagen.Dataset) -> dict[str, list[tuple]]:
	"""By agreement code: each response / resolution target with its period in the month (local midnights)."""
	first = date(data.year, data.month, 1)
	after = date(data.year + (data.month == 12), data.month % 12 + 1, 1)
	out: dict[str, list[tuple]] = {}
	for t in data.targets.itertuples(index=False):
		if t.metric_kind not in tgt.TIME_KINDS:
			continue
		c = data.calendars[t.calendar]
		start = max(first, _as_date(t.valid_from) or first)
		valid_to = _as_date(t.valid_to)
		end = min(after, valid_to + timedelta(days=1)) if valid_to else after
		if end <= start:
			continue
		minutes = float(t.target_value) * (60 if t.time_unit == "Hours" else 1)
		period = (cal.local_instant(start, 0, c.tz), cal.local_instant(end, 0, c.tz))
		out.setdefault(t.agreement_code, []).append(
			(t.agreement, t.target_code, t.metric_kind, t.priority or "", minutes, c, period)
		)
	return out


def oracle_deadline(c: cal.ServiceCalendar, created: datetime, minutes: float, pauses, horizon: datetime):
	"""The earliest instant by which ``minutes`` of business time not covered by a pause have passed since
	creation; None when a pause still running at ``horizon`` stops the clock before that.

	Walks the pauses in order: the business time from the cursor to the next pause counts, the pause is
	skipped, and ``add_business_minutes`` finds the instant in the stretch where the target is used up.
	"""
	merged = []
	for lo, hi in sorted(pauses):
		if hi <= lo:
			continue
		if merged and lo <= merged[-1][1]:
			merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
		else:
			merged.append((lo, hi))
	remaining, cursor = minutes, created
	for lo, hi in merged:
		if hi <= cursor:
			continue
		available = cal.business_minutes(c, cursor, lo) if lo > cursor else 0.0
		if available >= remaining:
			break
		remaining -= available
		cursor = hi
		if cursor > horizon:
			return None
	return cal.add_business_minutes(c, cursor, remaining)


def run_oracle(data: datagen.Dataset, sample: np.ndarray, by_code: dict[str, list[tuple]]):
	"""The per-ticket oracle on the sampled ticket rows: (pairs, wall seconds, CPU seconds)."""
	tk = data.measurements.tickets.iloc[sample]
	ids = set(tk["ticket_id"])
	p = data.measurements.pauses
	p = p[p["ticket_id"].isin(ids)]
	pauses: dict[str, list[tuple[int, int]]] = {}
	for tid, s, e in zip(p["ticket_id"], p["start_ns"], p["end_ns"], strict=True):
		pauses.setdefault(tid, []).append((int(s), int(e)))
	as_of = data.as_of.astimezone(UTC)
	horizon = as_of + timedelta(days=366)
	rows = list(
		zip(
			tk["ticket_id"],
			tk["agreement_code"],
			tk["priority"],
			tk["created_ns"],
			tk["response_ns"],
			tk["resolved_ns"],
			strict=True,
		)
	)
	pairs = []
	started, cpu = time.perf_counter(), time.process_time()
	for tid, code, priority, created_ns, response_ns, resolved_ns in rows:
		created = _dt(created_ns)
		mine = [(_dt(s), _dt(e)) for s, e in pauses.get(tid, ())]
		for agreement, target_code, kind, target_priority, minutes, c, (lo, hi) in by_code.get(code, ()):
			if (target_priority and target_priority != priority) or not lo <= created < hi:
				continue
			end_ns = response_ns if kind == tgt.RESPONSE_TIME else resolved_ns
			done = end_ns != NAT
			stop = _dt(end_ns) if done else max(as_of, created)
			elapsed = cal.business_minutes_excluding(c, created, stop, mine)
			deadline = oracle_deadline(c, created, minutes, mine, horizon)
			missed = elapsed > minutes + 1e-9
			decision = "missed" if missed else "met" if done else "pending"
			pairs.append(
				(agreement, target_code, tid, decision, elapsed, NAT if deadline is None else _ns(deadline))
			)
	return pairs, time.perf_counter() - started, time.process_time() - cpu


def compare(pairs: list, missed: pd.DataFrame, data: datagen.Dataset, sample: np.ndarray) -> dict:
	"""Decisions, elapsed minutes and deadlines of the oracle's pairs against the engine's."""
	tk = data.measurements.tickets.iloc[sample]
	sampled = set(tk["ticket_id"])
	m = missed[missed["ticket_id"].isin(sampled)]
	engine_missed = {
		(a, t, i): (e, d)
		for a, t, i, e, d in zip(
			m["agreement"],
			m["target_code"],
			m["ticket_id"],
			m["elapsed_minutes"],
			m["deadline_ns"],
			strict=True,
		)
	}
	kind = {(t.agreement, t.target_code): t.metric_kind for t in data.targets.itertuples(index=False)}
	done = {}
	for tid, r, s in zip(tk["ticket_id"], tk["response_ns"], tk["resolved_ns"], strict=True):
		done[tid, tgt.RESPONSE_TIME], done[tid, tgt.RESOLUTION_TIME] = r != NAT, s != NAT
	decisions = elapsed_off = deadline_off = 0
	counts = {"met": 0, "missed": 0, "pending": 0}
	seen = set()
	for agreement, target_code, tid, decision, elapsed, deadline in pairs:
		key = (agreement, target_code, tid)
		seen.add(key)
		counts[decision] += 1
		if key in engine_missed:
			engine = "missed"
			e_elapsed, e_deadline = engine_missed[key]
			elapsed_off += abs(e_elapsed - elapsed) > 1e-6
			deadline_off += int(e_deadline) != deadline
		else:
			engine = "met" if done[tid, kind[agreement, target_code]] else "pending"
		decisions += engine != decision
	extra = len(set(engine_missed) - seen)  # pairs the engine counted missed that the oracle never saw
	return {
		"pairs": len(pairs),
		"counts": counts,
		"decision_mismatches": decisions + extra,
		"engine_only_missed": extra,
		"elapsed_mismatches": elapsed_off,
		"deadline_mismatches": deadline_off,
	}


# ------------------------------------------------------------------------------------------ main


def machine() -> str:
	model = "?"
	try:
		with open("/proc/cpuinfo") as f:
			model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
	except OSError:
		pass
	ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
	return (
		f"{os.cpu_count()} CPUs ({model}), {ram:.1f} GiB RAM, Python {platform.python_version()}, "
		f"numpy {np.__version__}, pandas {pd.__version__}"
	)


def row(size: str, summary: dict, engine: dict, oracle_per: float, mismatches: int) -> str:
	"""The Markdown table row of a run."""
	tickets = summary["tickets"]
	engine_per = engine["seconds"] / tickets
	cells = [
		size,
		f"{summary['agreements']:,}",
		f"{tickets:,}",
		f"{engine['seconds']:.2f}",
		f"{engine['peak_mb']:,.0f}",
		f"{oracle_per:.2e}",
		f"{engine_per:.2e}",
		f"{oracle_per / engine_per:,.0f}×",
		str(mismatches),
	]
	return "| " + " | ".join(cells) + " |"


def profile(data: datagen.Dataset, out: Path) -> None:
	"""One more cold evaluate under pyinstrument (a sampling profiler); its text report goes to ``out``."""
	try:
		from pyinstrument import Profiler
	except ImportError:
		print("profile: pip install pyinstrument to profile")
		return
	business_time.clear_cache()
	profiler = Profiler(interval=0.005)
	profiler.start()
	compliance.evaluate(data.targets, data.calendars, data.measurements, data.year, data.month, data.as_of)
	profiler.stop()
	out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
	print(f"profile: wrote {out}")


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--size", choices=sorted(datagen.SIZES), default="S")
	parser.add_argument("--seed", type=int, default=1)
	parser.add_argument("--oracle-sample", type=int, default=2000, help="tickets the oracle computes")
	parser.add_argument("--month", default="2026-10", help="YYYY-MM (default 2026-10)")
	parser.add_argument("--profile", type=Path, help="also profile one more evaluate; the report goes here")
	parser.add_argument("--repeat", type=int, default=1, help="run the engine this many times (each cold); report the median")
	args = parser.parse_args(argv)
	year, month = (int(x) for x in args.month.split("-"))

	print(f"machine: {machine()}")
	started = time.perf_counter()
	data = datagen.generate_size(args.size, args.seed, year, month)
	summary = data.summary()
	counts = ", ".join(f"{v:,} {k}" for k, v in summary.items())
	took = time.perf_counter() - started
	print(f"data: size {args.size}, seed {args.seed}, {year}-{month:02d}, as of {data.as_of.isoformat()}")
	print(f"  generated in {took:.1f} s: {counts}")

	load = os.getloadavg()[0]
	runs = [run_engine(data) for _ in range(args.repeat)]
	engine = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]  # the median run
	engine["peak_mb"] = max(r["peak_mb"] for r in runs)
	results = engine["results"]
	if args.repeat > 1:
		times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
		print(f"engine runs (cold each): {times} s; the median below, peak MB the largest")
	print(f"engine: {engine['seconds']:.2f} s wall, {engine['cpu_seconds']:.2f} s CPU")
	print(
		f"  1-minute load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs"
	)
	print(
		f"  peak {engine['peak_mb']:.0f} MB above the {engine['before_mb']:.0f} MB held before "
		f"({engine['memory_method']}); process peak {engine['process_peak_mb']:.0f} MB"
	)
	by_result = results.groupby(["metric_kind", "result"]).size()
	print(f"  {len(results):,} results, {len(engine['missed']):,} missed (ticket, target) pairs")
	print("  " + "; ".join(f"{k} {r} {n:,}" for (k, r), n in by_result.items()))

	tickets = summary["tickets"]
	n = min(args.oracle_sample, tickets)
	sample = np.sort(np.random.default_rng(args.seed + 1).choice(tickets, size=n, replace=False))
	pairs, oracle_s, oracle_cpu = run_oracle(data, sample, oracle_targets(data))
	check = compare(pairs, engine["missed"], data, sample)
	c = check["counts"]
	print(
		f"oracle: {n:,} tickets, {check['pairs']:,} (ticket, target) pairs "
		f"({c['met']:,} met, {c['missed']:,} missed, {c['pending']:,} pending) "
		f"in {oracle_s:.1f} s wall, {oracle_cpu:.1f} s CPU"
	)
	print(
		f"  decision mismatches {check['decision_mismatches']} "
		f"(of them missed by the engine only: {check['engine_only_missed']}); of the missed pairs, "
		f"elapsed mismatches {check['elapsed_mismatches']}, "
		f"deadline mismatches {check['deadline_mismatches']}"
	)
	cpu_ratio = (oracle_cpu / n) / (engine["cpu_seconds"] / tickets)
	print(f"  speed-up on CPU time instead of wall time: {cpu_ratio:,.0f}×")
	if args.profile:
		profile(data, args.profile)
	print()
	print(HEADER)
	print(row(args.size, summary, engine, oracle_s / n, check["decision_mismatches"]))
	return 0 if check["decision_mismatches"] == 0 else 1


if __name__ == "__main__":
	sys.exit(main())
