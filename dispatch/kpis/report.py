"""The KPIs of a span of days as one report (JSON document or CSV), and the carriers'
scorecard over the last days."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dispatch.errors import FieldError, RequestError
from dispatch.intake.request import DEFAULT_TIMEZONE
from dispatch.kpis.measures import Grouping, KpiRow, measure
from dispatch.kpis.reading import Cache, read_days
from dispatch.kpis.scorecard import CarrierScore, scorecard

MAX_DAYS = 366
"""The longest span one report may cover."""


@dataclass(frozen=True, slots=True)
class KpiReport:
    first: date
    last: date
    group_by: Grouping | None
    total: KpiRow
    rows: tuple[KpiRow, ...]

    def document(self) -> dict[str, object]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "group_by": self.group_by,
            "total": self.total.document(),
            "data": [r.document() for r in self.rows],
            "count": len(self.rows),
        }


def local_day(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> date:
    """The day ``now`` falls on where the service's days are planned."""
    return now.astimezone(ZoneInfo(timezone)).date()


def check_span(first: date, last: date) -> None:
    """RequestError naming ``to`` when the span is backwards or longer than :data:`MAX_DAYS`."""
    if last < first:
        raise RequestError([FieldError("query", "to", f"{last} is before from ({first})")])
    if (last - first).days + 1 > MAX_DAYS:
        raise RequestError([FieldError("query", "to", f"a report covers at most {MAX_DAYS} days")])


def kpi_report(
    session: Session,
    first: date,
    last: date,
    group_by: Grouping | None,
    *,
    cache: Cache | None = None,
) -> KpiReport:
    """The KPIs from ``first`` to ``last`` (both included): the total, and a row per group."""
    check_span(first, last)
    days = read_days(session, first, last, cache=cache)
    (total,) = measure(days)
    rows = measure(days, group_by) if group_by is not None else ()
    return KpiReport(first, last, group_by, total, rows)


_COLUMNS = [f for f in KpiRow.__dataclass_fields__ if f != "failed_by_reason"]


def to_csv(report: KpiReport) -> str:
    """One line per group and a last ``total`` line; failures by reason as ``failed_<reason>``
    columns (the reasons of the whole span)."""
    rows = [*report.rows, report.total]
    reasons = sorted({r for row in rows for r in row.failed_by_reason})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*_COLUMNS, *(f"failed_{r or 'unknown'}" for r in reasons)])
    for row in rows:
        doc = row.document()
        values = [_cell(doc[c]) for c in _COLUMNS]
        writer.writerow([*values, *(row.failed_by_reason.get(r, 0) for r in reasons)])
    return out.getvalue()


def _cell(value: object) -> object:
    """A value as a CSV cell; text that a spreadsheet would read as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def carrier_scorecard(
    session: Session, today: date, days: int, *, cache: Cache | None = None
) -> tuple[date, date, tuple[CarrierScore, ...]]:
    """Each carrier's rates over the ``days`` days ending ``today``."""
    if not 1 <= days <= MAX_DAYS:
        raise RequestError([FieldError("query", "days", f"must be 1 to {MAX_DAYS}")])
    first = today - timedelta(days=days - 1)
    return first, today, scorecard(read_days(session, first, today, cache=cache))
