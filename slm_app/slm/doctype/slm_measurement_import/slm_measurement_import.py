# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from slm_app import measurement_import

KINDS = {"Ticket Events": "tickets", "Outages": "outages", "Monitoring Coverage": "coverage", "Metric Values": "metrics"}
COLUMNS = {
	"tickets": "ticket_id, agreement (or service + customer), priority, created, first_response, resolved, pauses (start/end;start/end)",
	"outages": "service, start, end, planned (yes/no)",
	"coverage": "service, start, end",
	"metrics": "agreement, target, at (or period YYYY-MM), value",
}


class SLMMeasurementImport(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		import_file: DF.Attach
		keep: DF.Literal["Import nothing", "Import the valid rows"]
		kind: DF.Literal["Ticket Events", "Outages", "Monitoring Coverage", "Metric Values"]
		problems: DF.LongText | None
		rows_total: DF.Int
		rows_updated: DF.Int
		rows_written: DF.Int
		status: DF.Literal["Not Started", "Imported", "Partly Imported", "Nothing Imported"]
		updated_tickets: DF.LongText | None
	# end: auto-generated types
	@frappe.whitelist()
	def start_import(self) -> dict:
		"""Read the file, check every row, and write all of it, none of it, or its valid rows, as chosen. A
		ticket recorded before is updated by its id (its first response, resolution, pauses, priority), and
		the record keeps which tickets were updated."""
		self.check_permission("write")
		if self.status not in (None, "", "Not Started", "Nothing Imported"):
			frappe.throw(
				_("This import is {0}; start a new import for another file").format(_(self.status)), title=_("Already imported")
			)
		rows = read_rows(self.import_file)
		keep = "valid" if self.keep == "Import the valid rows" else "none"
		result = measurement_import.import_rows(KINDS[self.kind], rows, keep, first_row=2)
		self.rows_total = result["rows"]
		self.rows_written = result["written"]
		self.rows_updated = len(result["updated"])
		self.updated_tickets = "\n".join(result["updated"])
		self.problems = "\n".join(p["message"] for p in result["problems"])
		if not result["problems"]:
			self.status = "Imported"
		elif result["written"]:
			self.status = "Partly Imported"
		else:
			self.status = "Nothing Imported"
		self.save()
		return result


def read_rows(file_url: str) -> list[dict]:
	"""Rows of an attached CSV or XLSX file as dicts keyed by the lower-cased header."""
	from frappe.utils.csvutils import read_csv_content
	from frappe.utils.xlsxutils import read_xlsx_file_from_attached_file

	if not file_url:
		frappe.throw(_("Attach the file to import"))
	name = frappe.db.get_value("File", {"file_url": file_url}, "name")
	if not name:
		frappe.throw(_("The attached file {0} was not found; attach it again").format(file_url))
	file = frappe.get_doc("File", name)
	file.check_permission("read")
	content = file.get_content()
	if file_url.lower().endswith(".xlsx"):
		table = read_xlsx_file_from_attached_file(fcontent=content)
	elif file_url.lower().endswith(".csv"):
		table = read_csv_content(content)
	else:
		frappe.throw(_("Attach a .csv or .xlsx file, not {0}").format(file.file_name))
	if not table:
		frappe.throw(_("The file is empty"))
	header = [str(h or "").strip().lower() for h in table[0]]
	return [dict(zip(header, row, strict=False)) for row in table[1:] if any(str(v or "").strip() for v in row)]


@frappe.whitelist()
def expected_columns(kind: str) -> str:
	return COLUMNS.get(KINDS.get(kind, ""), "")


# the header row of a template file to fill in, per kind (the columns each kind's rows are read from)
TEMPLATE_COLUMNS = {
	"tickets": ["ticket_id", "agreement", "service", "customer", "priority", "created", "first_response", "resolved", "pauses", "raised_by"],
	"outages": ["service", "start", "end", "planned"],
	"coverage": ["service", "start", "end"],
	"metrics": ["agreement", "target", "at", "period", "value"],
}


@frappe.whitelist()
def template_columns(kind: str) -> list[str]:
	"""The header row of a template for ``kind`` (Ticket Events, Outages, ...)."""
	if kind not in KINDS:
		frappe.throw(_("Kind must be one of {0}, not {1}").format(", ".join(KINDS), kind), title=_("Invalid kind"))
	return TEMPLATE_COLUMNS[KINDS[kind]]
