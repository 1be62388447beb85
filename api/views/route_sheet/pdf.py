"""A route sheet as a PDF page set (fpdf2) in a CJK font, with the route's QR code when the
sheet carries the driver page's address."""

from __future__ import annotations

import json
import string
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from api.views.route_sheet.fonts import cjk_font, font_for
from api.views.route_sheet.rows import HEADINGS, TEMPERATURES, Sheet, SheetStop

QR_MM = 32.0

_Text = Callable[[str], str]


class _Page(FPDF):
    def __init__(self, family: str) -> None:
        super().__init__(format="A4")
        self.family = family
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(auto=True, margin=14)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family, size=8)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")


def sheet_pdf(sheet: Sheet) -> bytes:
    """The PDF; without a CJK font, in Helvetica with other characters shown as "?"."""
    font = cjk_font()
    if font is None:
        return _write(sheet, _Page("helvetica"), "helvetica", _latin)
    with tempfile.TemporaryDirectory(prefix="sheet-font-") as folder:
        pdf = _Page("sheet")
        pdf.add_font("sheet", "", str(font_for(_characters(sheet), font, Path(folder))))
        return _write(sheet, pdf, "sheet", _text)


def _characters(sheet: Sheet) -> str:
    """Every character the sheet may show: its words, its data and the fixed marks."""
    words = "".join(HEADINGS[sheet.lang].values()) + "".join(TEMPERATURES[sheet.lang].values())
    data = json.dumps(asdict(sheet), ensure_ascii=False)
    return words + data + string.printable + "·×□–"


def _write(sheet: Sheet, pdf: _Page, family: str, text: _Text) -> bytes:
    pdf.add_page()
    h = HEADINGS[sheet.lang]
    pdf.set_font(family, size=16)
    pdf.cell(0, 9, text(f"{h['title']} · {sheet.vehicle}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(family, size=10)
    for line in (
        f"{h['date']}: {sheet.date}    {h['depot']}: {sheet.depot}",
        f"{h['hours']}: {sheet.start}-{sheet.end}    {h['distance']}: {sheet.distance_km:.1f} km"
        f"    {h['stops']}: {len(sheet.stops)}",
    ):
        pdf.cell(0, 6, text(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if sheet.link:
        _qr(pdf, sheet.link, h["scan"], text)
        pdf.set_y(max(pdf.get_y(), 12 + QR_MM + 8))
    pdf.ln(3)
    for stop in sheet.stops:
        _stop(pdf, stop, family, sheet, text)
    return bytes(pdf.output())


def _stop(pdf: FPDF, stop: SheetStop, family: str, sheet: Sheet, text: _Text) -> None:
    h = HEADINGS[sheet.lang]
    if pdf.will_page_break(24):
        pdf.add_page()
    pdf.set_draw_color(180)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.5)
    pdf.set_font(family, size=12)
    window = f"  ({h['window']} {stop.window})" if stop.window else ""
    head = f"{stop.seq}.  {stop.arrival}{window}   {stop.name}"
    _lines(pdf, text(head), 6.5)
    pdf.set_font(family, size=9.5)
    details = [f"{h['stop']}: {stop.stop}"]
    if stop.address:
        details.append(f"{h['address']}: {stop.address}")
    if stop.contact or stop.phone:
        details.append(f"{h['contact']}: {stop.contact}  {h['phone']}: {stop.phone}".strip())
    for line in details:
        _lines(pdf, text(line), 5)
    for order in stop.orders:
        items = ", ".join(f"{i.label} × {i.qty} [{i.temperature}]" for i in order.items)
        who = f" ({order.customer})" if order.customer else ""
        pdf.set_x(pdf.l_margin + 5)
        _lines(pdf, text(f"□ {order.order_id}{who}: {items}"), 5, indent=5)
    pdf.ln(2)


def _lines(pdf: FPDF, line: str, height: float, indent: float = 0) -> None:
    pdf.multi_cell(
        pdf.w - pdf.l_margin - pdf.r_margin - indent, height, line,
        new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR,
    )  # fmt: skip


def _qr(pdf: FPDF, link: str, caption: str, text: _Text) -> None:
    """The link's QR code in the top right corner, drawn as squares (no image, no text)."""
    code = segno.make(link, error="m", micro=False)
    matrix = [list(row) for row in code.matrix]
    size = len(matrix) + 8
    module = QR_MM / size
    left, top = pdf.w - pdf.r_margin - QR_MM, 12.0
    pdf.set_fill_color(0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            run = next((k for k in range(c, len(row)) if not row[k]), len(row)) - c
            if run:
                y = top + (r + 4) * module
                pdf.rect(left + (c + 4) * module, y, run * module, module * 1.02, "F")
            c += run + 1
    y = pdf.get_y()
    pdf.set_font_size(7)
    pdf.set_xy(left - 10, top + QR_MM)
    pdf.cell(QR_MM + 10, 4, text(caption), align="C")
    pdf.set_font_size(10)
    pdf.set_y(y)


def _text(value: str) -> str:
    return value


def _latin(value: str) -> str:
    return (
        value.replace("×", "x").replace("□", "[ ]").encode("latin-1", "replace").decode("latin-1")
    )
