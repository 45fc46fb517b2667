"""The Frappe end-to-end monthly monitoring job on a real site: wall time and SQL queries per agreement.

Run with the bench's Python from the bench's ``sites`` folder, as the bench user, on a site of its own:

    cd ~/frappe-bench/sites && ../env/bin/python /path/to/slm_app/benchmarks/bench_frappe_monthly.py \
        --site slm-bench.localhost --size M [--json /tmp/bench-M.json] [--profile]

1. Seeds one month (2026-03) of data, once per size (a second call with the same size reuses it; another
   size wipes the site's SLM data first): parties, four calendars (lunch breaks, Asia/Shanghai, Europe/Berlin
   with its DST change on 29 March, America/New_York with Saturdays, a 24x7 one), ~50 services, agreements
   (60 % SLA, 25 % OLA, 15 % UC, 3-4 targets each: availability, response and resolution by priority or for
   all tickets; SLAs underpinned by an OLA and a UC). As a fixture the agreements are bulk-inserted Active
   and submitted with their child rows instead of walking 1,500 workflows. Tickets (20 % paused, a third of
   those over a weekend, 1 % open, volumes per agreement from a handful to thousands), outages and monitoring
   coverage go through ``slm_app.measurement_import.import_rows`` in chunks of 50,000 rows, timed.
2. Runs the monthly job as the scheduler does: ``slm_app.tasks.monitor_agreement(code, [(2026, 3)])`` for
   every agreement code (each commits its month), counting the SQL statements of each call; then the same
   again (a second run must change nothing); then the whole month in one call,
   ``monitoring.compute(2026, 3, None)`` + ``monitoring.write_month(submit=True)``, and that again.

The site must be one the benchmark may own: it deletes and rewrites SLM data on it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import resource
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

YEAR, MONTH = 2026, 3
PERIOD = f"{YEAR:04d}-{MONTH:02d}"
SIZES = {"S": (150, 20_000), "M": (1_500, 200_000), "L": (15_000, 2_000_000)}
N_SERVICES = 50
CHUNK = 50_000
MARKER = "slm_bench_seed"
SYSTEM_TZ = "Asia/Shanghai"
CALENDARS = [
	# name, zone, {weekday: [(start, end)]}, exceptions, share of agreements
	(
		"Bench Shanghai Office",
		"Asia/Shanghai",
		{d: [("09:00:00", "12:00:00"), ("13:00:00", "18:00:00")] for d in range(5)},
		[
			("2026-04-04", "Holiday"),
			("2026-04-05", "Holiday"),
			("2026-04-06", "Holiday"),
			("2026-05-01", "Holiday"),
		],
		0.35,
	),
	(
		"Bench Berlin Office",
		"Europe/Berlin",
		{d: [("08:00:00", "12:00:00"), ("12:30:00", "17:00:00")] for d in range(5)},
		[
			("2026-03-08", "Holiday"),
			("2026-04-03", "Holiday"),
			("2026-04-06", "Holiday"),
			("2026-05-01", "Holiday"),
		],
		0.30,
	),
	(
		"Bench New York Extended",
		"America/New_York",
		{
			**{d: [("07:00:00", "12:00:00"), ("13:00:00", "20:00:00")] for d in range(5)},
			5: [("09:00:00", "13:00:00")],
		},
		[("2026-05-25", "Holiday")],
		0.20,
	),
	("Bench Shanghai 24x7", "Asia/Shanghai", {d: [("00:00:00", "00:00:00")] for d in range(7)}, [], 0.15),
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PRIORITIES = np.array(["Critical", "High", "Medium", "Low"])
# kind -> targets: (metric_kind, priority, value, time_unit, share)
TARGETS = {
	"SLA": [
		("Availability", "", None, "", 100),
		("Response Time", "Critical", 30, "Minutes", 95),
		("Response Time", "", 2, "Hours", 90),
		("Resolution Time", "", 16, "Hours", 90),
	],
	"OLA": [
		("Response Time", "", 1, "Hours", 90),
		("Resolution Time", "", 8, "Hours", 90),
		("Availability", "", 99.9, "", 100),
	],
	"UC": [
		("Response Time", "Critical", 1, "Hours", 95),
		("Resolution Time", "", 24, "Hours", 90),
		("Availability", "", 99.5, "", 100),
	],
}
SEED_TABLES = [
	"SLM Agreement",
	"SLM Agreement Service",
	"SLM Agreement Target",
	"SLM Underpinning",
	"SLM Negotiation Round",
	"SLM Party",
	"SLM Party Member",
	"SLM Service",
	"SLM Service Dependency",
	"SLM Service Level",
	"SLM Ticket Event",
	"SLM Ticket Pause",
	"SLM Outage",
	"SLM Monitoring Coverage",
	"SLM Metric Value",
]
OUTPUT_TABLES = [
	"SLM Monitoring Record",
	"SLM Breach",
	"SLM Breach Ticket",
	"SLM Breach Underpinning",
	"SLM Breach Action",
	"SLM Breach Notification",
]


def log(*a):
	print(time.strftime("%H:%M:%S"), *a, flush=True)


# ------------------------------------------------------------------------------------------ counting queries


class Queries:
	"""Counts every statement that goes through frappe.db.sql (get_all, get_value, qb .run(), bulk_insert,
	commit all end there), by verb and table."""

	def __init__(self, db):
		self.n = 0
		self.kinds: Counter = Counter()
		self._orig = db.sql
		db.sql = self._sql

	def _sql(self, query, *args, **kwargs):
		self.n += 1
		text = str(query).lstrip()
		verb = text.split(None, 1)[0].lower() if text else "?"
		m = re.search(r"`(tab[^`]+)`", text)
		self.kinds[f"{verb} {m[1] if m else ''}".strip()] += 1
		return self._orig(query, *args, **kwargs)

	def take(self) -> tuple[int, Counter]:
		out = (self.n, self.kinds)
		self.n, self.kinds = 0, Counter()
		return out


def server_questions(frappe) -> int:
	"""MariaDB's own count of the statements this connection sent, to check the Python-side count."""
	return int(frappe.db.sql("show session status like 'Questions'")[0][1])


# ------------------------------------------------------------------------------------------ seeding


def wipe(frappe, tables):
	for t in tables:
		frappe.db.sql(f"delete from `tab{t}`")
	frappe.db.commit()


def wipe_month(frappe):
	"""The month's outputs only, so each measured run starts from the same state."""
	names = frappe.db.sql_list("select name from `tabSLM Breach` where period=%s", PERIOD)
	for i in range(0, len(names), 5000):
		part = names[i : i + 5000]
		for t in (
			"SLM Breach Ticket",
			"SLM Breach Underpinning",
			"SLM Breach Action",
			"SLM Breach Notification",
		):
			frappe.db.sql(f"delete from `tab{t}` where parent in %(p)s", {"p": part})
	frappe.db.sql("delete from `tabSLM Breach` where period=%s", PERIOD)
	frappe.db.sql("delete from `tabSLM Monitoring Record` where period=%s", PERIOD)
	frappe.db.commit()


def _meta(frappe, now):
	return ("Administrator", "Administrator", now, now)


def seed(frappe, size: str, seed_no: int) -> dict:
	from slm_app import measurement_import

	n_agr, n_tickets = SIZES[size]
	rng = np.random.default_rng(seed_no)
	timing = {}
	t_all = time.perf_counter()
	now = datetime.now().replace(microsecond=0)
	meta = _meta(frappe, now)
	t = time.perf_counter()
	# calendars through the documents (a handful)
	for name, zone, windows, exceptions, _share in CALENDARS:
		if frappe.db.exists("SLM Service Calendar", name):
			continue
		frappe.get_doc(
			{
				"doctype": "SLM Service Calendar",
				"calendar_name": name,
				"timezone": zone,
				"windows": [
					{"weekday": WEEKDAYS[d], "start_time": a, "end_time": b}
					for d, ws in windows.items()
					for a, b in ws
				],
				"exceptions": [{"exception_date": d, "exception_type": k} for d, k in exceptions],
			}
		).insert(ignore_permissions=True)
	cal_names = [c[0] for c in CALENDARS]
	cal_share = np.array([c[4] for c in CALENDARS])

	# parties
	n_sla, n_ola = round(n_agr * 0.60), round(n_agr * 0.25)
	n_uc = n_agr - n_sla - n_ola
	customers = [f"Bench Customer {i:04d}" for i in range(1, max(20, n_sla // 3) + 1)]
	teams = [f"Bench Support Team {i:02d}" for i in range(1, 13)]
	suppliers = [f"Bench Supplier {i:02d}" for i in range(1, 21)]
	party_type = {
		**{c: "Customer" for c in customers},
		**{c: "Support Team" for c in teams},
		**{c: "Supplier" for c in suppliers},
	}
	frappe.db.bulk_insert(
		"SLM Party",
		["name", "owner", "modified_by", "creation", "modified", "docstatus", "party_name", "party_type"],
		[(p, *meta, 0, p, k) for p, k in party_type.items()],
	)
	# services: 20 business, 30 technical (with a supplier)
	services, svc_rows = [], []
	for i in range(N_SERVICES):
		business = i < 20
		name = f"Bench {'Business' if business else 'Technical'} Service {i + 1:02d}"
		supplier = None if business else suppliers[i % len(suppliers)]
		cal = cal_names[i % len(cal_names)]
		services.append((name, business, supplier, cal))
		svc_rows.append(
			(
				name,
				*meta,
				0,
				name,
				"Business Service" if business else "Technical Service",
				"Published",
				"Administrator",
				teams[i % len(teams)],
				supplier,
				cal,
			)
		)
	frappe.db.bulk_insert(
		"SLM Service",
		[
			"name",
			"owner",
			"modified_by",
			"creation",
			"modified",
			"docstatus",
			"service_name",
			"service_kind",
			"workflow_state",
			"service_owner",
			"support_team",
			"supplier",
			"service_calendar",
		],
		svc_rows,
	)
	business = [s for s in services if s[1]]
	technical = [s for s in services if not s[1]]

	# agreements, Active and submitted, with their child rows
	agr, tgt_rows, svc_child, und_rows = [], [], [], []
	kinds = ["SLA"] * n_sla + ["OLA"] * n_ola + ["UC"] * n_uc
	counters = Counter()
	codes, calendar_of, kind_of = [], {}, {}
	for i, kind in enumerate(kinds):
		counters[kind] += 1
		code = f"{kind}-{YEAR}-{counters[kind]:04d}"
		name = f"{code}-V1"
		cal = cal_names[int(rng.choice(len(cal_names), p=cal_share))]
		if kind == "SLA":
			svc = business[int(rng.integers(len(business)))]
			party = customers[int(rng.integers(len(customers)))]
		elif kind == "OLA":
			svc = technical[int(rng.integers(len(technical)))]
			party = teams[int(rng.integers(len(teams)))]
		else:
			svc = technical[int(rng.integers(len(technical)))]
			party = svc[2]
		codes.append(code)
		calendar_of[code] = cal
		kind_of[code] = kind
		agr.append(
			(
				name,
				*meta,
				1,
				kind,
				f"{kind} {svc[0]} for {party}",
				party,
				party_type[party],
				"Active",
				code,
				1,
				"2026-01-01",
				"2026-12-31",
				"Quarterly",
				cal,
				"Administrator",
				now,
				"Administrator",
				now,
				f"CHG-BENCH-{i + 1:05d}",
			)
		)
		svc_child.append(
			(
				frappe.generate_hash(length=10),
				*meta,
				1,
				name,
				"SLM Agreement",
				"services",
				1,
				svc[0],
				"Business Service" if svc[1] else "Technical Service",
			)
		)
		tier = float(rng.choice([99.5, 99.8, 99.9]))
		for j, (mk, prio, value, unit, share) in enumerate(TARGETS[kind], 1):
			tgt_rows.append(
				(
					frappe.generate_hash(length=10),
					*meta,
					1,
					name,
					"SLM Agreement",
					"targets",
					j,
					f"T{j}",
					svc[0],
					mk,
					prio,
					float(tier if value is None else value),
					unit,
					float(share),
					"Monthly",
					{"Availability": "Outages"}.get(mk, "Ticket Events"),
				)
			)
	olas = [c for c in codes if kind_of[c] == "OLA"]
	ucs = [c for c in codes if kind_of[c] == "UC"]
	for code in codes:
		if kind_of[code] != "SLA":
			continue
		ola, uc = olas[int(rng.integers(len(olas)))], ucs[int(rng.integers(len(ucs)))]
		links = [("T1", ola, "OLA", "T3"), ("T1", uc, "UC", "T3"), ("T4", ola, "OLA", "T2")]
		for j, (st, u, ut, utg) in enumerate(links, 1):
			und_rows.append(
				(
					frappe.generate_hash(length=10),
					*meta,
					1,
					f"{code}-V1",
					"SLM Agreement",
					"underpinning",
					j,
					st,
					f"{u}-V1",
					ut,
					utg,
					"Active",
				)
			)
	child = [
		"name",
		"owner",
		"modified_by",
		"creation",
		"modified",
		"docstatus",
		"parent",
		"parenttype",
		"parentfield",
		"idx",
	]
	frappe.db.bulk_insert(
		"SLM Agreement",
		[
			"name",
			"owner",
			"modified_by",
			"creation",
			"modified",
			"docstatus",
			"agreement_type",
			"title",
			"party",
			"party_type",
			"workflow_state",
			"agreement_code",
			"version",
			"valid_from",
			"valid_to",
			"review_cycle",
			"service_calendar",
			"signed_by",
			"signed_on",
			"activated_by",
			"activated_on",
			"change_reference",
		],
		agr,
	)
	frappe.db.bulk_insert("SLM Agreement Service", [*child, "service", "service_kind"], svc_child)
	frappe.db.bulk_insert(
		"SLM Agreement Target",
		[
			*child,
			"target_code",
			"service",
			"metric_kind",
			"priority",
			"target_value",
			"time_unit",
			"compliance_share",
			"measurement_period",
			"data_source",
		],
		tgt_rows,
	)
	frappe.db.bulk_insert(
		"SLM Underpinning",
		[
			*child,
			"sla_target",
			"underpinning_agreement",
			"agreement_type",
			"underpinning_target",
			"underpinning_state",
		],
		und_rows,
	)
	for kind in ("SLA", "OLA", "UC"):
		prefix = f"{kind}-{YEAR}-"
		frappe.db.sql("delete from `tabSeries` where name=%s", prefix)
		frappe.db.sql("insert into `tabSeries` (name, current) values (%s, %s)", (prefix, counters[kind]))
	frappe.db.commit()
	timing["agreements_s"] = time.perf_counter() - t
	log(
		f"agreements: {len(agr)} ({dict(counters)}), {len(tgt_rows)} targets,"
		f" {len(und_rows)} underpinning links in {timing['agreements_s']:.1f} s"
	)

	# tickets
	t = time.perf_counter()
	tickets = make_tickets(rng, codes, calendar_of, n_tickets)
	outages, coverage = make_availability(rng, services)
	timing["generate_s"] = time.perf_counter() - t
	log(
		f"generated {len(tickets)} tickets, {len(outages)} outages, {len(coverage)} coverage rows"
		f" in {timing['generate_s']:.1f} s"
	)

	imports = {}
	for kind, rows in (("tickets", tickets), ("outages", outages), ("coverage", coverage)):
		t = time.perf_counter()
		written = 0
		for i in range(0, len(rows), CHUNK):
			out = measurement_import.import_rows(kind, rows[i : i + CHUNK], keep="none", first_row=i + 1)
			if out["problems"]:
				raise SystemExit(f"{kind}: {len(out['problems'])} bad rows, first {out['problems'][:3]}")
			written += out["written"]
			frappe.db.commit()
		dt = time.perf_counter() - t
		imports[kind] = {
			"rows": written,
			"seconds": round(dt, 2),
			"rows_per_s": round(written / dt) if dt else None,
		}
		log(f"import_rows {kind}: {written} rows in {dt:.1f} s = {written / dt:,.0f} rows/s")
	pauses = frappe.db.count("SLM Ticket Pause")
	timing["seed_total_s"] = time.perf_counter() - t_all
	info = {
		"size": size,
		"seed": seed_no,
		"agreements": len(codes),
		"by_kind": dict(counters),
		"targets": len(tgt_rows),
		"tickets": frappe.db.count("SLM Ticket Event"),
		"pauses": pauses,
		"paused_tickets": int(
			frappe.db.sql("select count(distinct parent) from `tabSLM Ticket Pause`")[0][0]
		),
		"outages": frappe.db.count("SLM Outage"),
		"coverage": frappe.db.count("SLM Monitoring Coverage"),
		"imports": imports,
		"timing": {k: round(v, 2) for k, v in timing.items()},
	}
	frappe.defaults.set_global_default(MARKER, json.dumps(info))
	frappe.db.commit()
	return info


def _local_strings(values) -> list:
	s = pd.Series(values)
	out = s.dt.strftime("%Y-%m-%d %H:%M:%S")
	return [None if pd.isna(v) else v for v in out]


def make_tickets(rng, codes, calendar_of, n_tickets) -> list[dict]:
	"""Tickets in each agreement's local time; volumes per agreement lognormal (a handful to thousands)."""
	n_agr = len(codes)
	weights = rng.lognormal(0, 1.3, n_agr)
	per = rng.multinomial(n_tickets, weights / weights.sum())
	agr_idx = np.repeat(np.arange(n_agr), per)
	n = len(agr_idx)
	quality = rng.lognormal(-0.2, 0.55, n_agr)[agr_idx]  # per agreement: how fast its people are
	cal = np.array([calendar_of[c] for c in codes])[agr_idx]
	is_24x7 = cal == "Bench Shanghai 24x7"
	month_days = pd.date_range("2026-03-01", "2026-03-31", freq="D")
	weekdays = month_days[month_days.weekday < 5]
	before = pd.date_range("2026-02-20", "2026-02-28", freq="D")
	day = np.where(
		rng.random(n) < 0.93,
		np.where(rng.random(n) < 0.85, rng.choice(weekdays.values, n), rng.choice(month_days.values, n)),
		rng.choice(before.values, n),
	)
	office = (rng.random(n) < 0.85) & ~is_24x7
	minute = np.where(office, rng.integers(8 * 60, 18 * 60, n), rng.integers(0, 24 * 60, n))
	created = (
		pd.to_datetime(day)
		+ pd.to_timedelta(minute, unit="m")
		+ pd.to_timedelta(rng.integers(0, 60, n), unit="s")
	)
	prio = PRIORITIES[rng.choice(4, n, p=[0.05, 0.20, 0.45, 0.30])]
	scale = np.where(prio == "Critical", 0.4, 1.0) * quality
	response = created + pd.to_timedelta(rng.exponential(35 * scale) + 1, unit="m")
	resolved = response + pd.to_timedelta(rng.exponential(6 * 60 * scale) + 5, unit="m")
	created, response, resolved = created.values.copy(), response.values.copy(), resolved.values.copy()

	paused = rng.random(n) < 0.20
	weekend = paused & (rng.random(n) < 1 / 3)
	# over a weekend: created on a Friday morning, waiting on the customer Friday 16:00 to Monday 09:30
	fridays = pd.to_datetime(["2026-03-06", "2026-03-13", "2026-03-20", "2026-03-27"]).values
	k = int(weekend.sum())
	fri = rng.choice(fridays, k)
	created[weekend] = fri + pd.to_timedelta(rng.integers(9 * 60, 15 * 60, k), unit="m").values
	response[weekend] = created[weekend] + pd.to_timedelta(rng.integers(5, 50, k), unit="m").values
	p_start = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
	p_end = p_start.copy()
	p_start[weekend] = fri + np.timedelta64(16 * 60, "m")
	p_end[weekend] = fri + np.timedelta64(3 * 24 * 60 + 9 * 60 + 30, "m")  # Monday 09:30
	resolved[weekend] = p_end[weekend] + pd.to_timedelta(rng.exponential(180, k) + 5, unit="m").values
	# others: one or two pauses between response and resolution, the resolution later by as much
	other = paused & ~weekend
	k = int(other.sum())
	span = (resolved[other] - response[other]).astype("timedelta64[s]").astype(np.int64)
	s1 = response[other] + (span * rng.uniform(0.1, 0.5, k)).astype(np.int64).astype("timedelta64[s]")
	d1 = pd.to_timedelta(rng.exponential(90, k) + 5, unit="m").values
	p_start[other], p_end[other] = s1, s1 + d1
	resolved[other] = resolved[other] + d1
	second = np.zeros(n, bool)
	second[np.flatnonzero(other)[rng.random(k) < 0.3]] = True
	q_start = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
	q_end = q_start.copy()
	d2 = pd.to_timedelta(rng.exponential(60, int(second.sum())) + 5, unit="m").values
	q_start[second] = p_end[second] + np.timedelta64(30, "m")
	q_end[second] = q_start[second] + d2
	resolved[second] = np.maximum(resolved[second], q_end[second]) + d2
	# 1 % still open (no resolution; a third of those not even answered), never with a pause
	open_ = (rng.random(n) < 0.01) & ~paused
	resolved[open_] = np.datetime64("NaT")
	unanswered = open_ & (rng.random(n) < 1 / 3)
	response[unanswered] = np.datetime64("NaT")

	cs, rs, vs = _local_strings(created), _local_strings(response), _local_strings(resolved)
	ps, pe, qs, qe = (
		_local_strings(p_start),
		_local_strings(p_end),
		_local_strings(q_start),
		_local_strings(q_end),
	)
	order = rng.permutation(n)
	rows = []
	for i in order:
		row = {
			"ticket_id": f"BT-{i + 1:07d}",
			"agreement": codes[agr_idx[i]],
			"priority": str(prio[i]),
			"created": cs[i],
			"first_response": rs[i],
			"resolved": vs[i],
		}
		if paused[i]:
			row["pauses"] = [{"start": ps[i], "end": pe[i]}] + (
				[{"start": qs[i], "end": qe[i]}] if second[i] else []
			)
		rows.append(row)
	return rows


def make_availability(rng, services) -> tuple[list[dict], list[dict]]:
	"""Outages on whole minutes (unplanned, and planned maintenance mostly on Saturday nights) and the
	coverage of a 1-minute monitor, with gaps where samples are missing; one service is not monitored."""
	outages, coverage = [], []
	start, end = datetime(2026, 2, 25), datetime(2026, 4, 5)
	minutes = int((datetime(2026, 4, 1) - datetime(2026, 3, 1)).total_seconds() // 60)
	saturdays = [datetime(2026, 3, d) for d in (7, 14, 21, 28)]
	fmt = "%Y-%m-%d %H:%M:%S"
	for i, (name, *_rest) in enumerate(services):
		for _ in range(int(rng.poisson(2.5))):
			o = datetime(2026, 3, 1) + timedelta(minutes=int(rng.integers(0, minutes)))
			d = timedelta(minutes=int(min(600, rng.lognormal(3.3, 1.0)) + 1))
			outages.append(
				{"service": name, "start": o.strftime(fmt), "end": (o + d).strftime(fmt), "planned": 0}
			)
		for _ in range(int(rng.integers(1, 3))):
			if rng.random() < 0.25:
				o = datetime(2026, 3, int(rng.choice([10, 17, 24]))) + timedelta(
					hours=int(rng.integers(9, 16))
				)
			else:
				o = saturdays[int(rng.integers(4))] + timedelta(hours=22)
			outages.append(
				{
					"service": name,
					"start": o.strftime(fmt),
					"end": (o + timedelta(minutes=int(rng.integers(60, 240)))).strftime(fmt),
					"planned": 1,
				}
			)
		if i == N_SERVICES - 1:
			continue  # not monitored: its availability is No Data
		cuts = []
		for _ in range(int(rng.integers(0, 4))):
			g = datetime(2026, 3, 1) + timedelta(minutes=int(rng.integers(0, minutes)))
			cuts.append((g, g + timedelta(minutes=int(rng.integers(5, 90)))))
		if i == 7:
			cuts.append((datetime(2026, 3, 11), datetime(2026, 3, 12)))  # a day without samples
		at = start
		for a, b in sorted(cuts):
			if a > at:
				coverage.append({"service": name, "start": at.strftime(fmt), "end": a.strftime(fmt)})
			at = max(at, b)
		coverage.append({"service": name, "start": at.strftime(fmt), "end": end.strftime(fmt)})
	return outages, coverage


# ------------------------------------------------------------------------------------------ measuring


def month_state(frappe) -> dict:
	"""What a run may change, to show a second run changes nothing."""
	q = lambda sql: frappe.db.sql(sql, PERIOD)[0]  # noqa: E731
	rec = q(
		"select count(*), coalesce(max(modified), ''), coalesce(sum(docstatus), 0)"
		" from `tabSLM Monitoring Record` where period=%s"
	)
	br = q("select count(*), coalesce(max(modified), '') from `tabSLM Breach` where period=%s")
	bt = q(
		"select count(*) from `tabSLM Breach Ticket` t"
		" join `tabSLM Breach` b on b.name=t.parent where b.period=%s"
	)
	bu = q(
		"select count(*) from `tabSLM Breach Underpinning` t"
		" join `tabSLM Breach` b on b.name=t.parent where b.period=%s"
	)
	return {
		"records": int(rec[0]),
		"records_last_modified": str(rec[1]),
		"records_docstatus_sum": int(rec[2]),
		"breaches": int(br[0]),
		"breaches_last_modified": str(br[1]),
		"breach_tickets": int(bt[0]),
		"breach_underpinning": int(bu[0]),
	}


def results_by_result(frappe) -> dict:
	return dict(
		frappe.db.sql(
			"select result, count(*) from `tabSLM Monitoring Record` where period=%s group by result", PERIOD
		)
	)


def record_values(frappe) -> dict:
	return {
		r[0]: (r[1], round(float(r[2]), 6), int(r[3]))
		for r in frappe.db.sql(
			"select name, result, measured_value, sample_count"
			" from `tabSLM Monitoring Record` where period=%s",
			PERIOD,
		)
	}


def per_agreement_run(frappe, counter, codes, label) -> pd.DataFrame:
	from slm_app import tasks

	rows = []
	counter.take()
	t_all = time.perf_counter()
	for i, code in enumerate(codes, 1):
		t, c = time.perf_counter(), time.process_time()
		out = tasks.monitor_agreement(code, [(YEAR, MONTH)])
		dt, cpu = time.perf_counter() - t, time.process_time() - c
		n, kinds = counter.take()
		res = out.get(PERIOD, {})
		rows.append(
			{
				"code": code,
				"ms": dt * 1000,
				"cpu_ms": cpu * 1000,
				"queries": n,
				"created": res.get("created", 0),
				"breaches": len(res.get("breaches", [])),
				"q_breach_ticket": kinds.get("insert tabSLM Breach Ticket", 0),
				"kinds": kinds,
			}
		)
		if i % 250 == 0:
			log(f"{label}: {i}/{len(codes)} agreements, {time.perf_counter() - t_all:.1f} s")
	return pd.DataFrame(rows)


def spearman(a, b) -> float:
	a, b = pd.Series(a).rank(), pd.Series(b).rank()
	return float(np.corrcoef(a, b)[0, 1]) if a.std() and b.std() else float("nan")


def summarize(df: pd.DataFrame) -> dict:
	q = df["queries"]
	return {
		"agreements": len(df),
		"total_s": round(df["ms"].sum() / 1000, 2),
		"ms_median": round(float(df["ms"].median()), 1),
		"ms_p90": round(float(df["ms"].quantile(0.9)), 1),
		"ms_max": round(float(df["ms"].max()), 1),
		# this process's CPU time (the machine is shared: wall time includes waiting for a core)
		"cpu_total_s": round(df["cpu_ms"].sum() / 1000, 2),
		"cpu_ms_median": round(float(df["cpu_ms"].median()), 1),
		"queries_min": int(q.min()),
		"queries_median": float(q.median()),
		"queries_max": int(q.max()),
		"queries_total": int(q.sum()),
		# the first call of the process loads DocType meta and the like
		"first_call": {
			"code": df.code.iloc[0],
			"ms": round(float(df.ms.iloc[0]), 1),
			"queries": int(q.iloc[0]),
		},
		"without_first": {
			"ms_max": round(float(df.ms.iloc[1:].max()), 1),
			"queries_max": int(q.iloc[1:].max()),
		}
		if len(df) > 1
		else None,
	}


def buckets(df: pd.DataFrame, by: str, edges) -> list[dict]:
	out = []
	labels = [f"{a}-{b - 1}" if b != np.inf else f"{a}+" for a, b in zip(edges[:-1], edges[1:], strict=True)]
	cut = pd.cut(df[by], edges, right=False, labels=labels)
	for label, g in df.groupby(cut, observed=True):
		out.append(
			{
				"bucket": str(label),
				"agreements": len(g),
				f"{by}_mean": round(float(g[by].mean()), 1),
				"queries_min": int(g.queries.min()),
				"queries_median": float(g.queries.median()),
				"queries_max": int(g.queries.max()),
				"ms_median": round(float(g.ms.median()), 1),
				"breaches_mean": round(float(g.breaches.mean()), 2),
				"missed_mean": round(float(g.missed_tickets.mean()), 1),
			}
		)
	return out


def _profile(counter, fn, *a, **kw) -> tuple[dict, str]:
	prof = cProfile.Profile()
	counter.take()
	t = time.perf_counter()
	prof.enable()
	fn(*a, **kw)
	prof.disable()
	ms = (time.perf_counter() - t) * 1000
	n, kinds = counter.take()
	buf = io.StringIO()
	stats = pstats.Stats(prof, stream=buf)
	stats.sort_stats("cumulative").print_stats(r"slm_app|frappe/(database|model|__init__)|pypika", 28)
	stats.sort_stats("tottime").print_stats(12)
	return {"ms": round(ms, 1), "queries": n, "statements": kinds.most_common(10)}, buf.getvalue()


def profiles(frappe, counter, first: pd.DataFrame) -> dict:
	"""cProfile of the costly cases: the agreement with the most missed tickets written afresh, the one with
	the most tickets when there is nothing to write, and import_rows of 5,000 tickets (rolled back)."""
	from slm_app import measurement_import, tasks

	out = {}
	worst = first.sort_values("missed_tickets").iloc[-1]
	code = str(worst["code"])
	sub = "select name from `tabSLM Breach` where agreement_code=%s and period=%s"
	for t in ("SLM Breach Ticket", "SLM Breach Underpinning", "SLM Breach Action"):
		frappe.db.sql(f"delete from `tab{t}` where parent in ({sub})", (code, PERIOD))
	frappe.db.sql("delete from `tabSLM Breach` where agreement_code=%s and period=%s", (code, PERIOD))
	frappe.db.sql(
		"delete from `tabSLM Monitoring Record` where agreement_code=%s and period=%s", (code, PERIOD)
	)
	frappe.db.commit()
	res, text = _profile(counter, tasks.monitor_agreement, code, [(YEAR, MONTH)])
	out["most_missed"] = {
		"code": code,
		"tickets": int(worst["tickets"]),
		"missed_tickets": int(worst["missed_tickets"]),
		"breaches": int(worst["breaches"]),
		**res,
	}
	print(f"--- profile: monitor_agreement({code}) written afresh\n{text[:9000]}")
	big = first.sort_values("tickets").iloc[-1]
	code = str(big["code"])
	res, text = _profile(counter, tasks.monitor_agreement, code, [(YEAR, MONTH)])
	out["most_tickets_nothing_to_write"] = {"code": code, "tickets": int(big["tickets"]), **res}
	print(f"--- profile: monitor_agreement({code}), nothing to write\n{text[:9000]}")
	codes = frappe.db.sql_list("select agreement_code from `tabSLM Agreement`")
	cal = dict(frappe.db.sql("select agreement_code, service_calendar from `tabSLM Agreement`"))
	rows = make_tickets(np.random.default_rng(99), codes, cal, 5000)
	for r in rows:
		r["ticket_id"] = "BP" + r["ticket_id"]
	res, text = _profile(counter, measurement_import.import_rows, "tickets", rows)
	frappe.db.rollback()
	out["import_5000_tickets"] = res
	print(f"--- profile: import_rows(tickets, 5,000 rows), rolled back\n{text[:9000]}")
	return out


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	ap.add_argument("--site", required=True)
	ap.add_argument("--size", choices=list(SIZES), default="S")
	ap.add_argument("--seed", type=int, default=3)
	ap.add_argument("--reseed", action="store_true", help="wipe the site's SLM data and seed again")
	ap.add_argument("--json", help="write every figure to this file")
	ap.add_argument(
		"--profile",
		action="store_true",
		help="cProfile the costly cases (most missed tickets, most tickets, import_rows)",
	)
	args = ap.parse_args()

	import warnings

	import frappe

	# slm_app raises no pandas FutureWarning any more: make one fail the run instead of hiding it
	warnings.filterwarnings("error", category=FutureWarning, module="slm_app")
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	if frappe.db.get_single_value("System Settings", "time_zone") != SYSTEM_TZ:
		# a real site has its time zone set (stored datetimes are naive in it); connect again to read it
		frappe.db.set_single_value("System Settings", "time_zone", SYSTEM_TZ)
		frappe.db.commit()
		frappe.destroy()
		frappe.init(site=args.site, sites_path=".")
		frappe.connect()
	frappe.set_user("Administrator")
	from slm_app import monitoring, tasks

	report = {"site": args.site, "size": args.size, "nproc": os.cpu_count()}
	seeded = frappe.defaults.get_global_default(MARKER)
	seeded = json.loads(seeded) if seeded else None
	if args.reseed or not seeded or seeded.get("size") != args.size:
		log(f"seeding size {args.size} (was {seeded and seeded.get('size')})")
		wipe(frappe, SEED_TABLES + OUTPUT_TABLES)
		frappe.db.sql("delete from `tabDefaultValue` where defkey=%s", MARKER)
		frappe.db.commit()
		seeded = seed(frappe, args.size, args.seed)
		seeded["seeded_now"] = True
	else:
		log(f"size {args.size} already seeded: {seeded['tickets']} tickets")
	report["seed"] = seeded

	codes = sorted(
		frappe.db.sql_list(
			"select distinct agreement_code from `tabSLM Agreement` where workflow_state='Active'"
		)
	)
	lo, hi = "2026-02-27", "2026-04-03"  # load_month's window: the month and two days either side
	tickets = dict(
		frappe.db.sql(
			"select agreement_code, count(*) from `tabSLM Ticket Event`"
			" where created_at between %s and %s group by agreement_code",
			(lo, hi),
		)
	)
	report["tickets_in_window"] = int(sum(tickets.values()))
	wipe_month(frappe)

	counter = Queries(frappe.db)
	t = time.perf_counter()
	due = tasks.months_to_compute()
	report["months_to_compute"] = {
		"seconds": round(time.perf_counter() - t, 3),
		"queries": counter.take()[0],
		"codes": len(due),
	}

	# 1. the scheduler's job: one monitor_agreement per agreement code, each committing its month
	report["load_before_run1"] = os.getloadavg()
	log(f"run 1: monitor_agreement for {len(codes)} agreement codes")
	q0 = server_questions(frappe)
	first = per_agreement_run(frappe, counter, codes, "run 1")
	report["server_questions_run1"] = server_questions(frappe) - q0 - 1
	counter.take()
	state1 = month_state(frappe)
	values1 = record_values(frappe)
	missed = dict(
		frappe.db.sql(
			"select b.agreement_code, count(*) from `tabSLM Breach Ticket` t"
			" join `tabSLM Breach` b on b.name=t.parent"
			" where b.period=%s group by b.agreement_code",
			PERIOD,
		)
	)
	first["tickets"] = first.code.map(tickets).fillna(0).astype(int)
	first["missed_tickets"] = first.code.map(missed).fillna(0).astype(int)
	first["q_other"] = first.queries - first.q_breach_ticket
	report["run1"] = summarize(first)
	report["run1"]["month_state"] = state1
	report["run1"]["results"] = results_by_result(frappe)
	report["run1"]["python_queries_total"] = int(first.queries.sum())
	kinds = Counter()
	for k in first.kinds:
		kinds.update(k)
	report["run1"]["top_statements"] = kinds.most_common(25)
	report["run1"]["spearman_queries_vs_tickets"] = round(spearman(first.queries, first.tickets), 3)
	report["run1"]["spearman_queries_vs_missed"] = round(spearman(first.queries, first.missed_tickets), 3)
	no_breach = first[first.breaches == 0]
	report["run1"]["no_breach"] = {
		"agreements": len(no_breach),
		"queries_min": int(no_breach.queries.min()) if len(no_breach) else None,
		"queries_max": int(no_breach.queries.max()) if len(no_breach) else None,
		"spearman_queries_vs_tickets": round(spearman(no_breach.queries, no_breach.tickets), 3)
		if len(no_breach) > 2
		else None,
		"spearman_ms_vs_tickets": round(spearman(no_breach.ms, no_breach.tickets), 3)
		if len(no_breach) > 2
		else None,
	}
	report["run1"]["spearman_q_other_vs_tickets"] = round(spearman(first.q_other, first.tickets), 3)
	report["run1"]["q_other"] = {
		"min": int(first.q_other.min()),
		"median": float(first.q_other.median()),
		"max": int(first.q_other.max()),
	}
	# least squares: queries ~ a + b * breaches + c * missed tickets + d * tickets
	X = np.column_stack([np.ones(len(first)), first.breaches, first.missed_tickets, first.tickets])
	coef = np.linalg.lstsq(X, first.queries.to_numpy(float), rcond=None)[0]
	report["run1"]["fit_queries"] = {
		"intercept": round(coef[0], 2),
		"per_breach": round(coef[1], 2),
		"per_missed_ticket": round(coef[2], 3),
		"per_ticket": round(coef[3], 4),
	}
	edges = [0, 10, 50, 150, 500, np.inf]
	report["run1"]["by_tickets"] = buckets(first, "tickets", edges)
	report["run1"]["by_missed"] = buckets(first, "missed_tickets", [0, 1, 10, 50, 200, np.inf])
	report["run1"]["tickets_per_agreement"] = {
		"min": int(first.tickets.min()),
		"median": float(first.tickets.median()),
		"max": int(first.tickets.max()),
	}
	log("run 1:", json.dumps(report["run1"], default=str)[:1500])

	# 2. the same again: nothing may change
	report["load_before_run2"] = os.getloadavg()
	log("run 2: the same job again")
	t = time.perf_counter()
	due_after = tasks.months_to_compute()
	report["months_to_compute_after"] = {
		"seconds": round(time.perf_counter() - t, 3),
		"queries": counter.take()[0],
		"march_due": sum((YEAR, MONTH) in m for m in due_after.values()),
	}
	second = per_agreement_run(frappe, counter, codes, "run 2")
	report["run2"] = summarize(second)
	report["run2"]["created"] = int(second.created.sum())
	report["run2"]["breaches"] = int(second.breaches.sum())
	state2 = month_state(frappe)
	report["run2"]["unchanged"] = state2 == state1 and record_values(frappe) == values1
	log("run 2:", json.dumps(report["run2"], default=str))

	if args.profile:
		report["profile"] = profiles(frappe, counter, first)

	# 3. the whole month in one call
	wipe_month(frappe)
	log("single run: compute(2026, 3, None) + write_month(submit=True)")
	counter.take()
	report["load_before_single"] = os.getloadavg()
	t, c = time.perf_counter(), time.process_time()
	data = monitoring.compute(YEAR, MONTH, None)
	t_compute = time.perf_counter() - t
	q_compute, k_compute = counter.take()
	out = monitoring.write_month(data, submit=True)
	frappe.db.commit()
	t_total, cpu = time.perf_counter() - t, time.process_time() - c
	q_write, k_write = counter.take()
	values3 = record_values(frappe)
	diff = [k for k in set(values1) | set(values3) if values1.get(k) != values3.get(k)]
	report["single"] = {
		"seconds": round(t_total, 2),
		"cpu_s": round(cpu, 2),
		"compute_s": round(t_compute, 2),
		"write_s": round(t_total - t_compute, 2),
		"queries": q_compute + q_write,
		"queries_compute": q_compute,
		"queries_write": q_write,
		"created": out["created"],
		"breaches": len(out["breaches"]),
		"month_state": month_state(frappe),
		"write_statements": k_write.most_common(10),
		"records_differing_from_run1": len(diff),
		"differing_sample": sorted(diff)[:5],
	}
	if diff:
		report["single"]["differing_detail"] = [(k, values1.get(k), values3.get(k)) for k in sorted(diff)[:5]]
	log("single:", json.dumps(report["single"], default=str))
	state3 = month_state(frappe)
	t, c = time.perf_counter(), time.process_time()
	data = monitoring.compute(YEAR, MONTH, None)
	out = monitoring.write_month(data, submit=True)
	frappe.db.commit()
	report["single_again"] = {
		"seconds": round(time.perf_counter() - t, 2),
		"cpu_s": round(time.process_time() - c, 2),
		"queries": counter.take()[0],
		"created": out["created"],
		"breaches": len(out["breaches"]),
		"unchanged": month_state(frappe) == state3,
	}
	log("single again:", json.dumps(report["single_again"], default=str))
	report["load_at_end"] = os.getloadavg()
	report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
	first.drop(columns=["kinds"]).to_csv(f"/tmp/bench_frappe_monthly_{args.size}.csv", index=False)
	if args.json:
		with open(args.json, "w") as f:
			json.dump(report, f, indent=1, default=str)
	print(json.dumps({k: v for k, v in report.items() if k not in ("run1",)}, indent=1, default=str))
	frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
