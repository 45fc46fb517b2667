"""Serialising the work on one agreement: two workers, or two users pressing Compute Month, never compute
the same agreement's month at the same time. The second waits for the first to commit, then finds the
month written and changes nothing (instead of failing on the records' unique names)."""

import frappe


def lock_agreement(code: str) -> None:
	"""Lock every version of the agreement code until the current transaction ends. What a month to be
	written then reads of its own records and breaches, it reads with locking reads (monitoring.month_input),
	which see what the other run committed."""
	frappe.db.sql("select `name` from `tabSLM Agreement` where `agreement_code` = %s for update", code)
