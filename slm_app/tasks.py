"""Scheduler entry points: thin functions, the rules live in slm_app.core."""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from slm_app import agreements as adapter
from slm_app.core import lifecycle as lc


def expire_agreements(today: str | None = None) -> list[str]:
	"""Daily: an active agreement whose validity has ended becomes Expired (its months stay monitored)."""
	today = getdate(today or nowdate())
	names = frappe.get_all(
		"SLM Agreement",
		filters={"workflow_state": lc.ACTIVE, "valid_to": ["<", today]},
		fields=["name", "valid_to"],
		order_by="name",
	)
	for row in names:
		adapter.system_transition(
			row.name,
			lc.EXPIRED,
			_("Expired: valid until {0}").format(frappe.format(row.valid_to, {"fieldtype": "Date"})),
			{"ended_on": row.valid_to},
		)
	return [row.name for row in names]


def months_to_compute(today=None) -> dict[str, list[tuple[int, int]]]:
	"""For each agreement code in force at some time, the closed months not yet in the monitoring table
	(so a scheduler that was off catches up on every month it missed). Which versions and which days count
	is the core's rule (core.agreements)."""
	from slm_app.core import agreements, periods

	today = getdate(today or nowdate())
	last = periods.previous_month(today)
	heads = frappe.get_all(
		"SLM Agreement",
		filters={"workflow_state": ["in", list(agreements.IN_FORCE_STATES)]},
		fields=["agreement_code", "valid_from", "valid_to", "ended_on"],
	)
	wanted: dict[str, set] = {}
	for h in heads:
		wanted.setdefault(h.agreement_code, set()).update(agreements.months_in_force(h.valid_from, h.valid_to, h.ended_on, today))
	done = {
		(r.agreement_code, r.period)
		for r in frappe.get_all(
			"SLM Monitoring Record",
			filters={"docstatus": 1},
			fields=["agreement_code", "period"],
			group_by="agreement_code, period",
		)
	}
	out = {}
	for code, months in sorted(wanted.items()):
		due = sorted(m for m in months if m <= last and (code, periods.period_key(*m)) not in done)
		if due:
			out[code] = due
	return out


def schedule_monitoring(today=None) -> list[str]:
	"""Daily: fan out one deduplicated long-queue job per agreement with closed months to compute."""
	jobs = []
	for code, months in months_to_compute(today).items():
		job_id = f"slm-monitor::{code}"
		frappe.enqueue(
			"slm_app.tasks.monitor_agreement",
			queue="long",
			job_id=job_id,
			deduplicate=True,
			code=code,
			months=months,
		)
		jobs.append(job_id)
	return jobs


def monitor_agreement(code: str, months: list, commit: bool = True) -> dict:
	"""Compute and close each month for one agreement; a month is written whole or not at all
	(each month is committed on its own; tests pass commit=False and keep their own transaction)."""
	from slm_app import monitoring
	from slm_app.core.periods import period_key

	summary = {}
	for year, month in months:
		savepoint = f"slm_month_{int(year)}_{int(month):02d}"
		frappe.db.savepoint(savepoint)
		try:
			data = monitoring.compute(int(year), int(month), [code], lock=True)
			summary[period_key(year, month)] = monitoring.write_month(data, submit=True)
		except Exception:
			# nothing of a failed month stays: not its records, not its breaches
			frappe.db.rollback(save_point=savepoint)
			frappe.log_error(title=f"SLM monitoring failed for {code} {year}-{int(month):02d}")
			raise
		if commit:
			frappe.db.commit()  # nosemgrep: a background job closes each month on its own
	return summary


def send_breach_digests() -> dict[str, list[str]]:
	"""Hourly: one digest per recipient for every breach not yet notified — never one mail per breach."""
	from slm_app import notifications

	return notifications.send_digests()


def watch_month_to_date() -> dict:
	"""Hourly: every target's month-to-date budget and projection, the warnings that are new, and the digests
	of those whose working hours it is (slm_app.watch)."""
	from slm_app import watch

	return watch.run()


def sync_tickets() -> dict:
	"""Hourly: copy tickets from Helpdesk or ERPNext when installed (nothing to do otherwise)."""
	from slm_app import ticket_sources

	return ticket_sources.sync_tickets()


def schedule_reviews(today=None, horizon_days: int = 30) -> list[str]:
	"""Daily: create the service reviews due from each active agreement's review cycle (SL5.1), at least
	yearly, for the next ``horizon_days`` and any overdue ones not created yet. Idempotent."""
	from frappe.utils import add_days

	from slm_app.core import reviews

	today = getdate(today or nowdate())
	agreements = frappe.get_all(
		"SLM Agreement",
		filters={"workflow_state": lc.ACTIVE},
		fields=["name", "valid_from", "valid_to", "review_cycle"],
	)
	existing = {
		(r.agreement, getdate(r.review_date))
		for r in frappe.get_all("SLM Service Review", fields=["agreement", "review_date"])
	}
	created = []
	by_name = {a.name: a for a in agreements}
	for agreement, due in reviews.reviews_to_create([dict(a) for a in agreements], existing, today, horizon_days):
		a = by_name[agreement]
		earlier = [d for d in reviews.review_dates(getdate(a.valid_from), getdate(a.valid_to) if a.valid_to else None, a.review_cycle, due) if d < due]
		doc = frappe.get_doc(
			{
				"doctype": "SLM Service Review",
				"agreement": agreement,
				"review_date": due,
				"status": "Scheduled",
				"period_from": add_days(earlier[-1], 1) if earlier else a.valid_from,
				"period_to": due,
			}
		)
		doc.flags.ignore_permissions = True
		doc.insert()
		created.append(doc.name)
	return created


def remind_reviews(today=None, days_ahead: int = 7) -> list[str]:
	"""Daily: remind the service level managers of reviews coming up (or overdue), once each."""
	from slm_app.core import reviews
	from slm_app.core.roles import MANAGER

	today = getdate(today or nowdate())
	rows = frappe.get_all("SLM Service Review", filters={"status": "Scheduled"}, fields=["name", "review_date", "status", "reminded_on", "agreement"])
	due = reviews.reminders_due([dict(r) for r in rows], today, days_ahead)
	if not due:
		return []
	from slm_app.notifications import users_with_role

	managers = users_with_role(MANAGER)
	lines = {r.name: r for r in rows}
	for user in managers:
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": "SLM Service Review",
				"document_name": due[0],
				"subject": _("{0} service review(s) coming up: {1}").format(
					len(due), ", ".join(f"{lines[n].agreement} ({lines[n].review_date})" for n in due)
				),
			}
		).insert(ignore_permissions=True)
	for name in due:
		frappe.db.set_value("SLM Service Review", name, "reminded_on", today)
	return due


def schedule_service_reports(today=None) -> list[str]:
	"""Daily: draft last quarter's service reports once its monitoring is due (see slm_app.service_reports)."""
	from slm_app import service_reports

	return service_reports.schedule_service_reports(today)
