"""Which agreement versions count, and on which days: the one rule the monthly job, the offline command,
the measurement directory, the reports, the KPIs and the service reports all use.

- **In force**: a version that was signed and put in force at some time — Active, or Expired, Terminated or
  Superseded after being active — is monitored and reported. Draft, Negotiating, Agreed and Signed
  versions are not (a signed version is monitored once it is activated).
- **Measurable**: measurements may name a version that is in force or signed (tickets are often recorded
  before the activation date); they are computed only once it is in force.
- **Days in force**: from Valid From to the earlier of Valid To and Ended On, both included. Ended On is
  set when a version ends: the last day of an expired one, the termination day of a terminated one, the
  day before its amendment took effect for a superseded one. So a terminated agreement is in force until
  the day it ended, whatever its Valid To said.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from slm_app.core.calendar import parse_date
from slm_app.core.lifecycle import ACTIVE, EXPIRED, SIGNED, SUPERSEDED, TERMINATED
from slm_app.core.periods import Month, months_between

IN_FORCE_STATES = (ACTIVE, EXPIRED, TERMINATED, SUPERSEDED)
MEASURABLE_STATES = (SIGNED, *IN_FORCE_STATES)

# one row per agreement version, as every reader hands it to the core
VERSION_COLUMNS = ["agreement", "agreement_code", "version", "agreement_type", "party", "calendar", "valid_from", "valid_to", "ended_on", "state"]


def in_force_until(valid_to, ended_on) -> date | None:
	"""The last day a version is in force (None: open-ended)."""
	days = [d for d in (parse_date(valid_to), parse_date(ended_on)) if d]
	return min(days) if days else None


def in_force_between(state, valid_from, valid_to, ended_on, first: date, last: date) -> bool:
	"""Was the version in force on some day of [first, last]?"""
	start = parse_date(valid_from)
	if state not in IN_FORCE_STATES or start is None:
		return False
	until = in_force_until(valid_to, ended_on)
	return start <= last and (until is None or until >= first)


def months_in_force(valid_from, valid_to, ended_on, until: date) -> list[Month]:
	"""The months a version was in force up to ``until`` (a day), both ends included."""
	start = parse_date(valid_from)
	end = in_force_until(valid_to, ended_on)
	end = until if end is None else min(end, until)
	return months_between(start, end) if start else []


def in_force_frame(versions: pd.DataFrame, first: date | None = None, after: date | None = None) -> pd.DataFrame:
	"""The versions in force (state) with ``valid_to`` replaced by their last day in force; with
	``first``/``after``, only those in force on some day of [first, after)."""
	v = versions[versions["state"].isin(IN_FORCE_STATES).to_numpy(dtype=bool)] if "state" in versions.columns else versions
	day = "datetime64[D]"
	vt = pd.to_datetime(v["valid_to"], errors="coerce").to_numpy(day)
	if "ended_on" in v.columns:
		vt = np.fmin(vt, pd.to_datetime(v["ended_on"], errors="coerce").to_numpy(day))  # NaT only when both are
	keep = np.ones(len(v), dtype=bool)
	if first is not None:
		vf = pd.to_datetime(v["valid_from"], errors="coerce").to_numpy(day)
		keep = (np.isnat(vt) | (vt >= np.datetime64(first, "D"))) & (np.isnat(vf) | (vf < np.datetime64(after, "D")))
	v = v[keep].copy()
	vt = vt[keep]
	v["valid_to"] = np.where(np.isnat(vt), None, vt.astype(object))
	return v.reset_index(drop=True)
