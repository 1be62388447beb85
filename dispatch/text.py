"""Text the service accepts: lengths that fit the database columns, no control characters.

Every text field of the request has a maximum length, the length of the column it
is stored in (ids, names, platform) or a sensible bound for text kept only in the
JSON record (addresses, phone numbers, notes). Text never holds NUL, other C0
control characters (tab, newline and carriage return are allowed where text may
span lines) or unpaired surrogates, none of which PostgreSQL can store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_ID = 64
"""Ids of depots, vehicles, pickup points, carriers and regions (their ``String(64)`` columns)."""
MAX_ORDER_ID = 128
"""``orders.order_id``, platform prefix included."""
MAX_PLATFORM = 32
"""``orders.platform``."""
MAX_NAME = 200
"""Names and customers (the ``name`` and ``customer`` columns)."""
MAX_LABEL = 64
"""Short labels kept only in the JSON record: a vehicle's kind, a time zone."""
MAX_SKU = 100
MAX_PHONE = 40
MAX_ADDRESS = 500
MAX_NOTE = 2000
MAX_FILENAME = 255
"""``import_batches.filename``."""
MAX_ACTOR = 100
"""``created_by`` and ``audit_log.actor``."""

_SINGLE_LINE = re.compile(r"[\x00-\x1f\ud800-\udfff]")
_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def bad_character(value: str, *, lines: bool = False) -> str | None:
    """What is wrong with the first character text may not hold, or None when all are fine."""
    found = (_MULTI_LINE if lines else _SINGLE_LINE).search(value)
    if found is None:
        return None
    code = ord(found.group())
    where = f"at character {found.start() + 1}"
    if code == 0:
        return f"contains the NUL character (U+0000) {where}; text may not hold it"
    if code >= 0xD800:
        return f"contains an unpaired surrogate (U+{code:04X}) {where}; it is not valid text"
    allowed = "tab and line breaks are the only" if lines else "no"
    return (
        f"contains the control character U+{code:04X} {where}; "
        f"{allowed} control characters are allowed here"
    )


def text_problem(value: str, max_length: int, *, lines: bool = False) -> str | None:
    """Why ``value`` is refused as text of at most ``max_length`` characters, or None."""
    if len(value) > max_length:
        return f"is {len(value)} characters long; at most {max_length} are allowed"
    return bad_character(value, lines=lines)


@dataclass(frozen=True, slots=True)
class PlainText:
    """A pydantic after-validator refusing control characters (the length is a constraint)."""

    lines: bool = False

    def __call__(self, value: str) -> str:
        problem = bad_character(value, lines=self.lines)
        if problem is not None:
            raise ValueError(problem)
        return value


def printable(value: str, limit: int = MAX_NAME) -> str:
    """``value`` safe to echo and store in a message: bad characters escaped, cut to ``limit``."""
    safe = _SINGLE_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


Loc = tuple[str | int, ...]


def bad_text(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Where a JSON document holds text no record may (keys included), and why.

    Text of any field, known or not, is taken as possibly multi-line.
    """
    if isinstance(value, str):
        problem = bad_character(value, lines=True)
        if problem is not None:
            yield loc, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                problem = bad_character(key, lines=True)
                if problem is not None:
                    yield (*loc, printable(key)), f"the field name {problem}"
                    continue
            yield from bad_text(item, (*loc, key))
    elif isinstance(value, list | tuple):
        for k, item in enumerate(value):
            yield from bad_text(item, (*loc, k))
