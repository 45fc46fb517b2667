"""How often the month-to-date projection is right, on generated data (slm_app.core.backtest).

    python benchmarks/backtest.py --size S|M|L [--seed N] [--days 10,20]

One month (October 2026) of ``datagen.py``: for the end of each day asked, the projection made on what was
known then (no history: the month's own pace and miss rates), against the month's final result. Prints the
share right per day and kind, and beside it the naive reading "the result so far is the result".
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

if __package__ in (None, ""):
	sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
	sys.path.insert(0, str(Path(__file__).resolve().parent))

import datagen  # noqa: E402

from slm_app.core import backtest as bt  # noqa: E402
from slm_app.core import budget  # noqa: E402
from slm_app.core.month import TARGET_ROW_COLUMNS, MonthInput, compute_month  # noqa: E402


def naive(inp: MonthInput, days, tz) -> pd.DataFrame:
	"""The month pipeline's result so far taken as the month's result (Breached or not yet)."""
	final = compute_month(inp).results.set_index(["agreement", "target_code"])["result"].to_dict()
	rows = []
	for day in days:
		known = budget.month_to_date(inp, bt.day_end(inp.year, inp.month, day, tz)).status
		for r in known.to_dict("records"):
			truth = final.get((r["agreement"], r["target_code"]))
			if r["metric_kind"] == "Custom Metric" or truth not in ("Met", "Breached") or r["status"] == "No Data":
				continue
			said = "Breached" if r["result_so_far"] == "Breached" else "Met"
			rows.append({"day": day, "metric_kind": r["metric_kind"], "right": said == truth})
	frame = pd.DataFrame(rows)
	return pd.concat([frame.groupby(["day", "metric_kind"])["right"].mean(), frame.groupby("day")["right"].mean().rename(lambda d: (d, "All"))]).mul(100).round(1)


def main(argv=None) -> int:
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	ap.add_argument("--size", choices=list(datagen.SIZES), default="S")
	ap.add_argument("--seed", type=int, default=1)
	ap.add_argument("--days", default="10,20")
	ap.add_argument("--tz", default="Europe/Berlin", help="the zone whose day ends the projections are made at")
	args = ap.parse_args(argv)
	days = [int(d) for d in args.days.split(",")]
	t = time.perf_counter()
	d = datagen.generate_size(args.size, seed=args.seed)
	inp = MonthInput(d.year, d.month, d.agreements.assign(ended_on=None), d.targets.reindex(columns=TARGET_ROW_COLUMNS), d.calendars, d.measurements)
	print(f"size {args.size}, seed {args.seed}: {d.summary()} (generated in {time.perf_counter() - t:.1f} s)")
	t = time.perf_counter()
	frame = bt.backtest([inp], days=days, tz=args.tz)
	summary = bt.summary(frame)
	base = naive(inp, days, args.tz)
	summary["naive_right_pct"] = [base.get((r.day, r.metric_kind)) for r in summary.itertuples()]
	print(f"backtest in {time.perf_counter() - t:.1f} s")
	print(summary.to_string(index=False))
	return 0


if __name__ == "__main__":
	sys.exit(main())
