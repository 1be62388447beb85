"""Daily orders per region: the history a forecast learns from.

The CSV contract (``spec/forecast.md``): UTF-8, a header row with at least
``date,region,orders``, one row per day and region. A missing row means no data
for that day, never zero orders. Extra columns are allowed and ignored.
Every problem is gathered and reported at once, each naming its line and column.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dispatch.text import MAX_ID, text_problem

COLUMNS = ("date", "region", "orders")
"""The columns a history must have; others may follow."""

MAX_ROWS = 500_000
"""The most data rows a history may hold (200 regions × 7 years is far below)."""

_SHOWN = 50


@dataclass(frozen=True, slots=True)
class HistoryProblem:
    """One problem in a history: where (line and column) and what."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "history"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class HistoryError(ValueError):
    """The history cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[HistoryProblem], source: str = "history") -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems[:_SHOWN])
        more = len(self.problems) - _SHOWN
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s) in {source}:\n{lines}{tail}")


@dataclass(frozen=True)
class History:
    """Observed daily orders per region: ``series[region][day] = orders``."""

    series: Mapping[str, Mapping[date, float]] = field(default_factory=dict)

    @property
    def regions(self) -> tuple[str, ...]:
        """Region ids in the order they first appear."""
        return tuple(self.series)

    @property
    def first(self) -> date:
        """The earliest day with data."""
        return min(min(s) for s in self.series.values() if s)

    @property
    def last(self) -> date:
        """The latest day with data."""
        return max(max(s) for s in self.series.values() if s)

    def __len__(self) -> int:
        return sum(len(s) for s in self.series.values())

    def before(self, day: date) -> History:
        """The observations strictly before ``day``."""
        kept = {r: {d: v for d, v in s.items() if d < day} for r, s in self.series.items()}
        return History({r: s for r, s in kept.items() if s})

    def rows(self) -> list[tuple[date, str, float]]:
        """``(date, region, orders)`` in date order, regions in their first-seen order."""
        out = [(d, r, v) for r, s in self.series.items() for d, v in s.items()]
        order = {r: k for k, r in enumerate(self.series)}
        return sorted(out, key=lambda row: (row[0], order[row[1]]))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[date, str, float]]) -> History:
        """A history from ``(date, region, orders)``; a repeated (date, region) is an error."""
        series: dict[str, dict[date, float]] = {}
        problems = []
        for n, (day, region, orders) in enumerate(rows, start=1):
            s = series.setdefault(region, {})
            if day in s:
                problems.append(
                    HistoryProblem(n, "date", f"{day} appears twice for region {region!r}")
                )
            s[day] = float(orders)
        if problems:
            raise HistoryError(problems)
        return cls(series)


def read_history(path: str | Path) -> History:
    """Read a history CSV; raises :class:`HistoryError` naming every bad line and column."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise HistoryError([HistoryProblem(0, "", f"cannot read {p}: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = HistoryProblem(0, "", f"not UTF-8 text (byte {exc.start + 1})")
        raise HistoryError([problem], str(p)) from None
    return parse_history(text, source=str(p))


def parse_history(text: str, *, source: str = "history") -> History:
    """Parse history CSV text; raises :class:`HistoryError` naming every bad line and column."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise HistoryError([HistoryProblem(1, "", f"not CSV: {exc}")], source) from None
    if header is None or not any(h.strip() for h in header):
        raise HistoryError([HistoryProblem(1, "", "empty: a header row is needed")], source)
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        got = ", ".join(repr(h) for h in header)
        problem = HistoryProblem(1, ", ".join(missing), f"missing column(s); the header has {got}")
        raise HistoryError([problem], source)
    where = {c: names.index(c) for c in COLUMNS}

    problems: list[HistoryProblem] = []
    series: dict[str, dict[date, float]] = {}
    seen: dict[tuple[str, date], int] = {}
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(seen) >= MAX_ROWS:
                problems.append(HistoryProblem(line, "", f"more than {MAX_ROWS} rows"))
                break
            parsed = _row(row, where, line, problems)
            if parsed is None:
                continue
            day, region, orders = parsed
            first = seen.get((region, day))
            if first is not None:
                message = f"{day} for region {region!r} already given on line {first}"
                problems.append(HistoryProblem(line, "date", message))
                continue
            seen[(region, day)] = line
            series.setdefault(region, {})[day] = orders
    except csv.Error as exc:
        problems.append(HistoryProblem(line + 1, "", f"not CSV: {exc}"))
    if not problems and not series:
        problems.append(HistoryProblem(0, "", "no data rows"))
    if problems:
        raise HistoryError(problems, source)
    return History({r: dict(sorted(s.items())) for r, s in series.items()})


def _row(
    row: list[str], where: Mapping[str, int], line: int, problems: list[HistoryProblem]
) -> tuple[date, str, float] | None:
    cells = {c: row[k].strip() if k < len(row) else None for c, k in where.items()}
    found = len(problems)
    day = region = orders = None
    raw_day = cells["date"]
    if not raw_day:
        problems.append(HistoryProblem(line, "date", "empty; a date YYYY-MM-DD is needed"))
    else:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            problems.append(HistoryProblem(line, "date", f"{raw_day!r} is not a date YYYY-MM-DD"))
    raw_region = cells["region"]
    if not raw_region:
        problems.append(HistoryProblem(line, "region", "empty; a region id is needed"))
    else:
        problem = text_problem(raw_region, MAX_ID)
        if problem is not None:
            problems.append(HistoryProblem(line, "region", problem))
        else:
            region = raw_region
    raw_orders = cells["orders"]
    if not raw_orders:
        message = "empty; leave the row out when there is no data (an empty value is not zero)"
        problems.append(HistoryProblem(line, "orders", message))
    else:
        try:
            orders = float(raw_orders)
        except ValueError:
            problems.append(HistoryProblem(line, "orders", f"{raw_orders!r} is not a number"))
        else:
            if not math.isfinite(orders) or orders < 0:
                message = f"{raw_orders!r} is not a count of orders (0 or more)"
                problems.append(HistoryProblem(line, "orders", message))
                orders = None
    if len(problems) > found or day is None or region is None or orders is None:
        return None
    return day, region, orders


def write_history(history: History, path: str | Path) -> Path:
    """Write ``history`` as a contract CSV (whole orders when they are whole)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for day, region, orders in history.rows():
            w.writerow((day.isoformat(), region, _number(orders)))
    return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
