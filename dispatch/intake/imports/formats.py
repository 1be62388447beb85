"""The platforms' import columns written out as Markdown, from :data:`MAPPINGS` itself, so the
documentation (``docs/imports.md``, between its markers) never drifts from the code."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dispatch.intake.imports.platforms import ITEM_FIELDS, MAPPINGS, ORDER_FIELDS

FIELD_NOTES: Mapping[str, str] = MappingProxyType(
    {
        "id": "order id (required); the platform's prefix is added when missing",
        "platform": "the platform the order came from",
        "date": "delivery date, YYYY-MM-DD (or the import's default date)",
        "customer": "who ordered (name, member id or e-mail); finds the same purchase twice",
        "pickup_point": "pickup point (團購點) id of the stored network; none for a home delivery",
        "lat": "latitude of a home delivery",
        "lon": "longitude of a home delivery",
        "address": "address of a home delivery",
        "region": "region id, when the platform knows it",
        "window_start": "start of the delivery window, HH:MM",
        "window_end": "end of the delivery window, HH:MM",
        "time_windows": 'delivery windows "HH:MM-HH:MM", several split by ; , or 、',
        "service_minutes": "minutes to unload at the door or pickup point",
        "sku": "item code",
        "name": "item name",
        "qty": "quantity (required), a whole number",
        "weight_kg": "weight of one unit, kg",
        "volume_l": "volume of one unit, litres",
        "temperature": "ambient / chilled / frozen (常溫 / 冷藏 / 冷凍, room / fridge / freezer)",
        "fragile": "true / false (also 是 / 否)",
        "bulky": "true / false (also 是 / 否)",
    }
)
"""What each contract field of an import holds; every field of the mappings has a note."""

START = "<!-- columns: generated from dispatch/intake/imports/platforms.py -->"
END = "<!-- /columns -->"

_TITLES = MappingProxyType(
    {"line": "LINE 團購", "web": "Web shop", "app": "App", "contract": "The contract's own columns"}
)


def columns_markdown() -> str:
    """A section per mapping: its platform, id prefix and a table of its columns."""
    parts = []
    first = [n for n in ("line", "web", "app") if n in MAPPINGS]
    for name in first + [n for n in MAPPINGS if n not in first]:
        mapping = MAPPINGS[name]
        prefix = f"`{mapping.id_prefix}`" if mapping.id_prefix else "none"
        platform = f"`{mapping.platform}`" if mapping.platform else "the `platform` column"
        lines = [
            f"### {_TITLES.get(name, name)} (`--platform {name}`, `mapping={name}`)",
            "",
            f"Platform {platform}; order id prefix {prefix}.",
            "",
            "| column | field | what |",
            "| --- | --- | --- |",
        ]
        order = {f: k for k, f in enumerate(ORDER_FIELDS + ITEM_FIELDS)}
        for column, field in sorted(mapping.columns.items(), key=lambda cf: order[cf[1]]):
            per = "item" if field in ITEM_FIELDS else "order"
            lines.append(f"| `{column}` | `{field}` ({per}) | {FIELD_NOTES[field]} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def with_columns(document: str) -> str:
    """``document`` with the text between its column markers replaced by the current columns."""
    head, start, rest = document.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the document has no {START} … {END} section")
    return f"{head}{START}\n\n{columns_markdown()}\n\n{END}{tail}"
