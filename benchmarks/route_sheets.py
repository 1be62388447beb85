"""Route sheets: how long a PDF, XLSX and CSV sheet takes to write, and what cutting the CJK
font down to the sheet's characters saves against embedding from the whole face (the
baseline, measured in the same run).

    .venv/bin/python -m benchmarks.route_sheets [--stops 40] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from api.views.route_sheet import Sheet, SheetItem, SheetOrder, SheetStop, sheet_csv, sheet_xlsx
from api.views.route_sheet.fonts import cjk_font
from api.views.route_sheet.pdf import _Page, _text, _write, sheet_pdf

NAMES = ("板橋土城團購點", "信義區松仁路", "中和環球", "新莊副都心", "三重重陽", "永和樂華")
ITEMS = (
    ("鮮乳 1L", "冷藏"),
    ("冷凍水餃 50入", "冷凍"),
    ("衛生紙 12捲", "常溫"),
    ("白米 5kg", "常溫"),
)


def synthetic_sheet(stops: int) -> Sheet:
    """A route of ``stops`` pickup points with Chinese names, three orders each."""
    return Sheet(
        lang="zh-TW", plan_id=1, date="2026-11-11", vehicle="N-REEFER#1", depot="DC-N",
        start="07:00", end="16:30", distance_km=46.9, link="https://dispatch.example/d/" + "a" * 43,
        stops=tuple(
            SheetStop(
                seq=k + 1, stop=f"PP-{k:03d}", name=f"{NAMES[k % len(NAMES)]} {k}",
                address=f"新北市板橋區文化路一段{k + 1}號",
                arrival=f"{8 + k // 6:02d}:{k % 6 * 10:02d}",
                window="09:00-12:00", contact="林小姐", phone="+886 2 2345 6789",
                orders=tuple(
                    SheetOrder(
                        f"LINE-{k * 3 + n}", "王小明",
                        tuple(SheetItem(name, 1 + n, temp) for name, temp in ITEMS[n:]),
                    )
                    for n in range(3)
                ),
            )
            for k in range(stops)
        ),
    )  # fmt: skip


def whole_face_pdf(sheet: Sheet) -> bytes:
    """The baseline: the PDF writer reads and subsets the whole Traditional Chinese face."""
    font = cjk_font()
    assert font is not None
    pdf = _Page("sheet")
    pdf.add_font("sheet", "", str(font.path), collection_font_number=font.index)
    return _write(sheet, pdf, "sheet", _text)


def _median(write: Callable[[Sheet], bytes], sheet: Sheet, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = len(write(sheet))
        times.append(time.perf_counter() - started)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=40, help="stops on the route (1-500)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per writer (1-20)")
    args = parser.parse_args()
    sheet = synthetic_sheet(max(1, min(args.stops, 500)))
    repeat = max(1, min(args.repeat, 20))
    if cjk_font() is None:
        raise SystemExit("no CJK font found (install fonts-noto-cjk); nothing to compare")
    sheet_pdf(sheet)
    rows = [
        ("pdf, font cut to the sheet", *_median(sheet_pdf, sheet, repeat)),
        ("pdf, whole face (baseline)", *_median(whole_face_pdf, sheet, repeat)),
        ("xlsx", *_median(sheet_xlsx, sheet, repeat)),
        ("csv", *_median(sheet_csv, sheet, repeat)),
    ]
    print(f"{len(sheet.stops)} stops, {len(sheet.rows())} rows, median of {repeat} runs")
    for name, seconds, size in rows:
        print(f"  {name:28s} {seconds:7.3f} s  {size / 1024:8.1f} KB")
    print(f"  the cut font writes the PDF {rows[1][1] / rows[0][1]:.1f}x faster than the baseline")


if __name__ == "__main__":
    main()
