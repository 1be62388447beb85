"""Which road extracts and OSRM servers a request from outside may name.

A request's ``travel.osm_file`` is a path the service opens and ``travel.url`` an address it
calls, so a request that arrives over the network may name only extracts inside the
configured folders and servers under the configured base URLs; anything else is refused,
before the path is looked at, with the same message whether or not it exists.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dispatch.errors import FieldError, RequestError


@dataclass(frozen=True, slots=True)
class TravelSources:
    """The folders road extracts may come from and the base URLs of usable OSRM servers."""

    osm_dirs: tuple[str, ...] = ()
    osrm_urls: tuple[str, ...] = ()

    def allows_file(self, path: str) -> bool:
        real = os.path.realpath(path)
        return any(
            os.path.commonpath([real, os.path.realpath(d)]) == os.path.realpath(d)
            for d in self.osm_dirs
        )

    def allows_url(self, url: str) -> bool:
        return any(url == base or url.startswith(base.rstrip("/") + "/") for base in self.osrm_urls)


def check_travel_sources(document: Mapping[str, Any], sources: TravelSources) -> None:
    """Raise RequestError when the document's travel names a file or server not allowed."""
    travel = document.get("travel")
    if not isinstance(travel, Mapping):
        return
    errors: list[FieldError] = []
    osm_file = travel.get("osm_file")
    if isinstance(osm_file, str) and not sources.allows_file(osm_file):
        errors.append(FieldError("", "travel.osm_file", _not_allowed("extract", sources.osm_dirs)))
    url = travel.get("url")
    if isinstance(url, str) and not sources.allows_url(url):
        errors.append(FieldError("", "travel.url", _not_allowed("server", sources.osrm_urls)))
    if errors:
        raise RequestError(errors)


def _not_allowed(what: str, allowed: Sequence[str]) -> str:
    if not allowed:
        return f"this service takes no {what} from a request; its administrator allows them"
    return f"is not one of the {what}s this service may use"
