# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe import _
from frappe.model.document import Document

from slm_app.core import alerts
from slm_app.core.errors import Problem, RuleError
from slm_app.utils import throw_problems


class SLMWatchSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_watch_threshold.slm_watch_threshold import SLMWatchThreshold

		agreement_thresholds: DF.Table[SLMWatchThreshold]
		history_months: DF.Int
		manager_calendar: DF.Link | None
		near_pct: DF.Percent
		thresholds: DF.Data | None
	# end: auto-generated types
	def validate(self):
		"""Thresholds the core can read (global and per agreement, each agreement once), a near share and
		months of history in range."""
		problems = []
		for label, value, field in [(_("Warning Thresholds"), self.thresholds, "thresholds")] + [
			(_("Row {0}").format(r.idx), r.thresholds, "agreement_thresholds") for r in self.agreement_thresholds
		]:
			try:
				alerts.parse_thresholds(value, field)
			except RuleError as e:
				problems += [Problem("{0}: {1}", (label, p.format(_)), field) for p in e.problems]
		seen = {}
		for r in self.agreement_thresholds:
			if r.agreement in seen:
				problems.append(Problem(_("Rows {0} and {1} both set the thresholds of {2}"), (seen[r.agreement], r.idx, r.agreement), "agreement_thresholds"))
			seen.setdefault(r.agreement, r.idx)
		if self.near_pct is not None and not 1 <= float(self.near_pct) <= 100:
			problems.append(Problem(_("A ticket is near its deadline at 1 to 100 % of its target time used, not {0}"), (self.near_pct,), "near_pct"))
		if self.history_months is not None and not 0 <= int(self.history_months) <= 24:
			problems.append(Problem(_("Months of history must be from 0 to 24, not {0}"), (self.history_months,), "history_months"))
		throw_problems(problems, title=_("Invalid settings"))
