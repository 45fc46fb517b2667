# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase


def calendar(name, windows, exceptions=(), timezone="Europe/Berlin"):
	return frappe.get_doc(
		{
			"doctype": "SLM Service Calendar",
			"calendar_name": name,
			"timezone": timezone,
			"windows": windows,
			"exceptions": list(exceptions),
		}
	)


class TestSLMServiceCalendar(FrappeTestCase):
	def test_lunch_break_windows_and_weekly_hours(self):
		doc = calendar(
			"_Test SLM Lunch",
			[
				{"weekday": "Tuesday", "start_time": "13:00:00", "end_time": "18:00:00"},
				{"weekday": "Monday", "start_time": "09:00:00", "end_time": "12:00:00"},
				{"weekday": "Monday", "start_time": "13:00:00", "end_time": "18:00:00"},
			],
			[{"exception_date": "2026-12-26", "exception_type": "Extra Working Day", "start_time": "09:00:00", "end_time": "12:00:00"}],
		).insert()
		self.assertEqual(doc.weekly_hours, 13)
		self.assertEqual([(r.weekday, str(r.start_time)) for r in doc.windows][0], ("Monday", "09:00:00"))

	def test_bad_calendars_are_refused(self):
		cases = {
			"overlap": ([
				{"weekday": "Monday", "start_time": "09:00:00", "end_time": "12:00:00"},
				{"weekday": "Monday", "start_time": "11:00:00", "end_time": "13:00:00"},
			], [], "Europe/Berlin"),
			"end before start": ([{"weekday": "Monday", "start_time": "18:00:00", "end_time": "09:00:00"}], [], "Europe/Berlin"),
			"unknown zone": ([{"weekday": "Monday", "start_time": "09:00:00", "end_time": "12:00:00"}], [], "Mars/Olympus"),
			"extra day without hours": (
				[{"weekday": "Monday", "start_time": "09:00:00", "end_time": "12:00:00"}],
				[{"exception_date": "2026-12-26", "exception_type": "Extra Working Day"}],
				"Europe/Berlin",
			),
		}
		for label, (windows, exceptions, tz) in cases.items():
			with self.subTest(label), self.assertRaises(frappe.ValidationError):
				calendar(f"_Test SLM Bad {label}", windows, exceptions, tz).insert()
			self.assertFalse(frappe.db.exists("SLM Service Calendar", f"_Test SLM Bad {label}"))
