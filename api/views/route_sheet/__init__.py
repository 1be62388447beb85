"""A route's printable sheet for a driver without a phone: stops in order with planned times,
where, who to call and what to unload; as PDF (:mod:`.pdf`), XLSX (:mod:`.workbook`) or CSV
(:mod:`.table`), all drawn from one :class:`~.rows.Sheet`."""

from api.views.route_sheet.pdf import sheet_pdf
from api.views.route_sheet.rows import Sheet, SheetItem, SheetOrder, SheetStop, build_sheet
from api.views.route_sheet.table import sheet_csv
from api.views.route_sheet.workbook import sheet_xlsx

__all__ = [
    "Sheet",
    "SheetItem",
    "SheetOrder",
    "SheetStop",
    "build_sheet",
    "sheet_csv",
    "sheet_pdf",
    "sheet_xlsx",
]
