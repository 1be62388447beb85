"""A route sheet as an XLSX workbook (openpyxl): a heading block, then a row per item; text
is stored as text, never as a formula."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from api.views.route_sheet.rows import COLUMNS, HEADINGS, Sheet

WIDTHS = {"address": 30, "name": 18, "item": 18, "customer": 12, "order": 16, "window": 13}


def _put(cell: Cell, value: str | int | float) -> None:
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def sheet_xlsx(sheet: Sheet) -> bytes:
    h = HEADINGS[sheet.lang]
    book = Workbook()
    ws = book.active
    ws.title = h["title"]
    summary: list[tuple[str, str | int]] = [
        (h["title"], f"{sheet.vehicle}"),
        (h["date"], sheet.date),
        (h["depot"], sheet.depot),
        (h["hours"], f"{sheet.start}-{sheet.end}"),
        (h["distance"], f"{sheet.distance_km:.1f} km"),
        (h["stops"], len(sheet.stops)),
    ]
    for r, (label, value) in enumerate(summary, start=1):
        _put(ws.cell(r, 1), label)
        _put(ws.cell(r, 2), value)
        ws.cell(r, 1).font = Font(bold=True)
    top = len(summary) + 2
    for c, column in enumerate(COLUMNS, start=1):
        _put(ws.cell(top, c), h[column])
        ws.cell(top, c).font = Font(bold=True)
        ws.column_dimensions[ws.cell(top, c).column_letter].width = WIDTHS.get(column, 10)
    for r, row in enumerate(sheet.rows(), start=top + 1):
        for c, value in enumerate(row, start=1):
            _put(ws.cell(r, c), value)
    ws.freeze_panes = ws.cell(top + 1, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
