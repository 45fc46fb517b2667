# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from frappe.model.document import Document

from slm_app.core import calendar as cal
from slm_app.utils import rows, throw_problems


class SLMServiceCalendar(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF
		from slm_app.slm.doctype.slm_calendar_exception.slm_calendar_exception import SLMCalendarException
		from slm_app.slm.doctype.slm_calendar_window.slm_calendar_window import SLMCalendarWindow

		calendar_name: DF.Data
		description: DF.SmallText | None
		exceptions: DF.Table[SLMCalendarException]
		timezone: DF.Autocomplete
		weekly_hours: DF.Float
		windows: DF.Table[SLMCalendarWindow]
	# end: auto-generated types
	def validate(self):
		self.validate_calendar()
		self.sort_rows()
		# a holiday is a whole day off: its rows keep no times (they would show as phantom hours)
		for r in self.exceptions:
			if r.exception_type == "Holiday":
				r.start_time = r.end_time = None

	def validate_calendar(self):
		throw_problems(cal.validate_calendar(self.timezone, rows(self, "windows"), rows(self, "exceptions")))
		self.weekly_hours = cal.weekly_minutes(self.as_calendar()) / 60

	def sort_rows(self):
		order = {d: i for i, d in enumerate(cal.WEEKDAYS)}
		self.windows.sort(key=lambda r: (order.get(r.weekday, 9), str(r.start_time)))
		self.exceptions.sort(key=lambda r: str(r.exception_date))
		for i, r in enumerate(self.windows, 1):
			r.idx = i
		for i, r in enumerate(self.exceptions, 1):
			r.idx = i

	def as_calendar(self) -> "cal.ServiceCalendar":
		return cal.build_calendar(self.timezone, rows(self, "windows"), rows(self, "exceptions"))
