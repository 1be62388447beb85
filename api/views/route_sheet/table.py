"""A route sheet as CSV (UTF-8 with a BOM, so Excel reads the Chinese): a row per item."""

from __future__ import annotations

import csv
import io

from api.views.route_sheet.rows import COLUMNS, HEADINGS, Sheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting so is a formula to a spreadsheet; such text gets a leading apostrophe."""


def as_text(value: str | int) -> str | int:
    """A cell value that a spreadsheet shows and never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheet_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    headings = HEADINGS[sheet.lang]
    writer.writerow([headings[c] for c in COLUMNS])
    writer.writerows([as_text(v) for v in row] for row in sheet.rows())
    return ("\ufeff" + out.getvalue()).encode("utf-8")
