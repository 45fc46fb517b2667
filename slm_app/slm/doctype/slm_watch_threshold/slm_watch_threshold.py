# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMWatchThreshold(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement: DF.Link
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		thresholds: DF.Data | None
	# end: auto-generated types
	pass
