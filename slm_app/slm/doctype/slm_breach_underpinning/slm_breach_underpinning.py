# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMBreachUnderpinning(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		measured_value: DF.Float
		monitoring_record: DF.Link | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		target_code: DF.Data | None
		underpinning_agreement: DF.Link | None
	# end: auto-generated types
	pass
