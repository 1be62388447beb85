"""Route sheets from a real, validated plan: the stops in order with their times, names,
contacts and items, the same in PDF, XLSX and CSV; text from the request stays text."""

from __future__ import annotations

import copy
import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from api.views.route_sheet import build_sheet, sheet_csv, sheet_pdf, sheet_xlsx
from api.views.route_sheet.fonts import cjk_font
from dispatch.errors import NotFoundError
from dispatch.planning.day import plan_request
from dispatch.planning.validator import validate_plan
from tests.api.routes.test_plans import SCENARIO


def pdf_text(content: bytes) -> str:
    """The PDF's text as pypdf extracts it (it puts a NUL before each two-byte glyph's text)."""
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(p.extract_text() for p in pages).replace("\x00", "")


NAME = '板橋土城 =HYPERLINK("http://x")'
ITEM = "鮮乳 <b>1L</b>"


@pytest.fixture(scope="module")
def planned() -> tuple[Any, dict[str, Any]]:
    """The scenario with a Chinese pickup point name, contact and item name, planned and valid."""
    request = copy.deepcopy(SCENARIO)
    point = request["pickup_points"][0]
    point.update(
        name=NAME, contact="林小姐", phone="+886 2 2345 6789", address="新北市板橋區文化路一段"
    )
    for order in request["orders"][:6]:
        order["customer"] = "王小明"
        order["items"][0]["name"] = ITEM
    request["options"] = {"time_limit_s": 1, "engine": "ortools"}
    result = plan_request(request, iterations=200)
    assert validate_plan(result.request, result.plan.document()) == []
    return result.plan, request


def _sheet(planned: tuple[Any, dict[str, Any]], **kw: Any) -> Any:
    plan, request = planned
    route = next(r for r in plan.routes if any(s.stop == "PP-1" for s in r.stops))
    return build_sheet(plan, 7, route.vehicle, request, **kw), route


def test_the_sheet_lists_the_stops_in_order_with_their_orders(planned: Any) -> None:
    sheet, route = _sheet(planned)
    assert [s.stop for s in sheet.stops] == [s.stop for s in route.stops]
    stop = next(s for s in sheet.stops if s.stop == "PP-1")
    assert (stop.name, stop.contact, stop.phone) == (NAME, "林小姐", "+886 2 2345 6789")
    assert stop.window == "09:00-12:00"
    assert sorted(o.order_id for o in stop.orders) == [f"S-{k}" for k in range(6)]
    assert {(i.label, i.qty, i.temperature) for o in stop.orders for i in o.items} == {
        (ITEM, 2, "冷藏")
    }
    with pytest.raises(NotFoundError):
        build_sheet(planned[0], 7, "NO-SUCH-VAN", planned[1])


def test_csv_and_xlsx_hold_the_same_rows_as_text(planned: Any) -> None:
    """A row per item; a name that looks like a formula is stored as text, not evaluated."""
    sheet, _ = _sheet(planned, lang="en")
    rows = list(csv.reader(io.StringIO(sheet_csv(sheet).decode("utf-8-sig"))))
    assert rows[0][:4] == ["#", "Arrival", "Window", "Stop"]
    assert len(rows) - 1 == len(sheet.rows())
    pp = [r for r in rows[1:] if r[3] == "PP-1"]
    assert len(pp) == 6
    assert {(r[4], r[7], r[10], r[11], r[12]) for r in pp} == {
        (NAME, "'+886 2 2345 6789", ITEM, "2", "chilled")
    }
    book = load_workbook(io.BytesIO(sheet_xlsx(sheet)))
    ws = book.active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = values.index(["#", "Arrival", "Window", "Stop", "Name", "Address", "Contact",
                           "Phone", "Order", "Customer", "Item", "Qty", "Temperature"])  # fmt: skip
    body = values[header + 1 :]
    shown = [["" if v is None else str(v) for v in row] for row in body]
    assert shown == [[str(v) for v in r] for r in sheet.rows()]
    name_cells = [row[4] for row in ws.iter_rows(min_row=header + 2) if row[4].value == NAME]
    assert name_cells
    assert all(c.data_type == "s" for c in name_cells)


@pytest.mark.skipif(cjk_font() is None, reason="no CJK font (fonts-noto-cjk) installed")
def test_the_pdf_shows_the_stops_and_names_as_text(planned: Any) -> None:
    """The PDF's text holds each stop, the Chinese name as given, and its items."""
    sheet, _ = _sheet(planned)
    text = pdf_text(sheet_pdf(sheet))
    squeezed = text.replace(" ", "")
    assert NAME.replace(" ", "") in squeezed
    assert "林小姐" in text
    assert ITEM.replace(" ", "") in squeezed
    for stop in sheet.stops:
        assert f"{stop.seq}.{stop.arrival}" in squeezed
    assert "掃描開啟司機頁面" not in text


@pytest.mark.skipif(cjk_font() is None, reason="no CJK font (fonts-noto-cjk) installed")
def test_the_pdf_carries_the_qr_code_only_with_a_link(planned: Any) -> None:
    """The printed page's QR code reads back as the driver link; without a link, none."""
    link = "https://dispatch.example/d/" + "Ab9_-" * 9
    with_link, _ = _sheet(planned, link=link)
    plain, _ = _sheet(planned)
    linked = sheet_pdf(with_link)
    assert "掃描開啟司機頁面" in pdf_text(linked)
    assert "dispatch.example" not in pdf_text(linked)
    assert qr_codes(linked) == [link]
    assert qr_codes(sheet_pdf(plain)) == []


def qr_codes(content: bytes) -> list[str]:
    """The QR codes read from the PDF's first page printed at 144 dpi."""
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pdfium.PdfDocument(content)[0].render(scale=2).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_without_a_cjk_font_the_pdf_is_still_written(
    planned: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No CJK font found: Helvetica, the stops and Latin text kept, other characters as '?'."""
    monkeypatch.setattr("api.views.route_sheet.pdf.cjk_font", lambda: None)
    sheet, _ = _sheet(planned, lang="en")
    text = pdf_text(sheet_pdf(sheet))
    assert "Route sheet" in text
    assert "PP-1" in text
    assert "????" in text
