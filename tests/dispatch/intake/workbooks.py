"""Small XLSX files built in the tests: plain sheets, a zip bomb, sheets whose dimension lies."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_HEADER = (
    b'<row r="1"><c t="inlineStr"><is><t>id</t></is></c>'
    b'<c t="inlineStr"><is><t>qty</t></is></c></row>'
)


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """A one-sheet workbook holding ``rows``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet(sheet_xml: Sequence[bytes]) -> bytes:
    """A valid workbook whose first sheet is the concatenation of ``sheet_xml``, deflated."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([["id"]]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for part in source.infolist():
            if part.filename != SHEET:
                target.writestr(part.filename, source.read(part))
                continue
            with target.open(SHEET, "w") as sheet:
                for chunk in sheet_xml:
                    sheet.write(chunk)
    return out.getvalue()


def zip_bomb(rows: int = 1_000_000) -> bytes:
    """About 200 KB that unpack to ``rows`` rows of a contract sheet: 66 MB by default."""
    row = b'<row><c t="inlineStr"><is><t>A-1</t></is></c><c><v>1</v></c></row>'
    block = row * 10_000
    return with_sheet(
        [_HEAD, b"<sheetData>", _HEADER, *(block for _ in range(rows // 10_000)),
         b"</sheetData></worksheet>"]
    )  # fmt: skip


def sheet_with_dimension(dimension: str, rows: int) -> bytes:
    """A contract sheet of ``rows`` orders whose declared dimension is ``dimension``."""
    body = [_HEADER]
    body += [
        b'<row r="%d"><c t="inlineStr"><is><t>A-%d</t></is></c><c><v>1</v></c></row>' % (n, n)
        for n in range(2, rows + 2)
    ]
    return with_sheet(
        [_HEAD, b'<dimension ref="%s"/>' % dimension.encode(), b"<sheetData>", *body,
         b"</sheetData></worksheet>"]
    )  # fmt: skip
