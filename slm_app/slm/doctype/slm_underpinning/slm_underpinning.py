# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

from slm_app.permissions import ChildRow


class SLMUnderpinning(ChildRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agreement_type: DF.Literal["SLA", "OLA", "UC"]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		sla_target: DF.Data
		underpinning_agreement: DF.Link
		underpinning_state: DF.Literal["Draft", "Negotiating", "Agreed", "Signed", "Active", "Expired", "Terminated", "Superseded"]
		underpinning_target: DF.Data
	# end: auto-generated types
	pass
