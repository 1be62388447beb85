"""Markup, script and template payloads, and a request whose every text field carries one.

Each text field gets one payload appended, taken in turn, so every kind of field (ids,
names, customers, addresses, item names, carriers, regions) carries each payload somewhere;
ids are renamed consistently, so every reference still holds.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from typing import Any

PAYLOADS = (
    "{{7*7}}",
    "{% raw %}",
    "${alert(1)}",
    "`+alert(1)+`",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
)
"""Jinja expressions and blocks, JavaScript template strings, script and attribute breakouts."""

EVALUATED = ("49", "alert(1)</script><", "<img src=x")
"""What a page would show, or hold as markup, had a payload been evaluated."""

Json = dict[str, Any]


class _Poison:
    """Appends the payloads in turn; the same original id always gets the same new id."""

    def __init__(self) -> None:
        self._next: Iterator[str] = itertools.cycle(PAYLOADS)
        self.ids: dict[tuple[str, str], str] = {}

    def text(self, value: str) -> str:
        return f"{value} {next(self._next)}"

    def id(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self.ids:
            self.ids[key] = f"{value}{next(self._next)}"
        return self.ids[key]


def poisoned_request(request: Json) -> Json:
    """A copy of ``request`` whose every id and free text carries a payload."""
    doc = copy.deepcopy(request)
    p = _Poison()
    for depot in doc.get("depots", []):
        depot["id"] = p.id("depot", depot["id"])
        depot["name"] = p.text(depot.get("name") or "depot")
    for vehicle in doc.get("vehicles", []):
        vehicle["id"] = p.id("vehicle", vehicle["id"])
        vehicle["depot"] = p.id("depot", vehicle["depot"])
        if vehicle.get("end_depot"):
            vehicle["end_depot"] = p.id("depot", vehicle["end_depot"])
    for point in doc.get("pickup_points", []):
        point["id"] = p.id("point", point["id"])
        for key in ("name", "contact", "address"):
            point[key] = p.text(point.get(key) or key)
    for order in doc.get("orders", []):
        order["id"] = p.id("order", order["id"])
        if order.get("pickup_point"):
            order["pickup_point"] = p.id("point", order["pickup_point"])
        for key in ("customer", "address"):
            order[key] = p.text(order.get(key) or key)
        for item in order.get("items", []):
            item["sku"] = p.text(item.get("sku") or "sku")
            item["name"] = p.text(item.get("name") or "item")
    for feature in (doc.get("regions") or {}).get("features", []):
        props = feature["properties"]
        props["id"] = p.id("region", props["id"])
        props["name"] = p.text(props.get("name") or "region")
    for carrier in doc.get("carriers", []):
        carrier["id"] = p.id("carrier", carrier["id"])
        carrier["name"] = p.text(carrier.get("name") or "carrier")
        carrier["regions"] = [r if r == "*" else p.id("region", r) for r in carrier["regions"]]
    return doc
