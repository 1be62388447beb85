"""What the service refuses, in a few kinds under one base.

- :class:`InputError`: bad input; ``errors`` names each record and field (HTTP 422, or 413
  for :class:`TooLargeError`);
- :class:`UnsupportedOptionError`: an option the request's engine cannot express (422);
- :class:`NotFoundError`: no record with that key (404);
- :class:`ConflictError`: a change that contradicts stored data (409).

``api/problems.py`` maps them to HTTP.

The optimizer and ``geo`` raise their own ``ValueError`` kinds (they import nothing of the
project); ``dispatch`` turns them into these before they travel further.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dispatch.text import printable

MAX_LISTED = 50
"""Errors written out in an error's message; all of them stay in ``errors``."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem in the input: where (``orders[17]``, id, ``time_windows[0].end``) and what."""

    record: str
    field: str
    message: str
    record_id: str | None = None

    def __str__(self) -> str:
        where = self.record
        if self.record_id is not None:
            where += f" (id {self.record_id})"
        if self.field:
            where = f"{where}: {self.field}" if where else self.field
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, str | None]:
        """The error as JSON, its text safe to store (no control characters, ids cut short)."""
        return {
            "record": printable(self.record),
            "id": None if self.record_id is None else printable(self.record_id),
            "field": printable(self.field),
            "message": printable(self.message, 2000),
            "text": printable(str(self), 2000),
        }


class DispatchError(Exception):
    """Base of every error the project raises on purpose."""

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole (its fields too), so an error raised in a worker process or on a Dask
        worker arrives as it was raised, whatever its constructor takes."""
        return _rebuild, (type(self), self.args, dict(self.__dict__))


def _rebuild(
    kind: type[DispatchError], args: tuple[object, ...], state: dict[str, object]
) -> DispatchError:
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InputError(DispatchError, ValueError):
    """The input cannot be used; ``errors`` lists every problem found, each with its place."""

    subject = "the input"

    def __init__(self, errors: Sequence[FieldError], message: str | None = None) -> None:
        self.errors = list(errors)
        if message is None:
            lines = "\n".join(f"  {e}" for e in self.errors[:MAX_LISTED])
            more = len(self.errors) - MAX_LISTED
            tail = f"\n  ... and {more} more" if more > 0 else ""
            message = f"{len(self.errors)} error(s) in {self.subject}:\n{lines}{tail}"
        super().__init__(message)


class RequestError(InputError):
    """The plan request cannot be planned; ``errors`` lists every problem found."""

    subject = "the request"


class TooLargeError(RequestError):
    """The input is over a size limit (orders, rows, unpacked bytes): none of it was used."""

    def __init__(self, error: FieldError, *, limit: int) -> None:
        super().__init__([error])
        self.limit = limit


class UnsupportedOptionError(RequestError):
    """The request asks for something its engine cannot express; ``option`` names the field."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__([FieldError("", option, message)], f"{option}: {message}")
        self.option = option


class NotFoundError(DispatchError, LookupError):
    """No ``kind`` with the key ``key``."""

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key} not found")


class ConflictError(DispatchError, ValueError):
    """The change contradicts stored data (e.g. removing a pickup point orders still use)."""
