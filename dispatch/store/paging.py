"""One page of a query's rows, with the count of all rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    count: int


def paginate(session: Session, query: Select[T], *, limit: int, offset: int) -> Page[T]:
    """Rows ``offset`` to ``offset + limit`` of ``query`` (which must be ordered), and the total."""
    total: Any = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(session.scalars(query.limit(limit).offset(offset)))
    return Page(rows, int(total or 0))
