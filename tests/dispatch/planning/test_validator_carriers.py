"""The validator's carrier rules on a hand-priced plan where carriers take every order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dispatch.intake.loading import load_request
from dispatch.planning.validator import validate_plan

Doc = dict[str, Any]


def square(x0: float, y0: float, x1: float, y1: float) -> Doc:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


# PP-A (10, 0) is in EAST, PP-B (0, 20) in NORTH, the homes at (5, 5) in MID;
# EAST and MID share the border y = 4.5 for 5 <= x <= 8.
REGIONS: Doc = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"id": rid}, "geometry": geometry}
        for rid, geometry in (
            ("EAST", square(5, -5, 30, 4.5)),
            ("NORTH", square(-5, 15, 5, 25)),
            ("MID", square(0, 4.5, 8, 10)),
        )
    ],
}
CAT: Doc = {
    "id": "CAT",
    "regions": ["*"],
    "handles": {"temperatures": ["ambient", "chilled", "frozen"]},
    "price": {"per_order": 95, "per_kg": 4, "cold_surcharge_per_order": 60},
    "delivers_by": "12:00",
    "on_time_rate": 0.96,
}
HCT: Doc = {
    "id": "HCT",
    "regions": ["NORTH"],
    "price": {"per_order": 70, "min_charge_per_region": 600},
    "delivers_by": "17:00",
    "on_time_rate": 0.93,
    "max_orders": 1,
}
POST: Doc = {
    "id": "POST",
    "handles": {"temperatures": ["ambient", "chilled"]},
    "price": {"per_order": 50},
}

# CAT, 8 lateness per order: O1 95 + 4 × 10 = 135, O2 95 + 4 × 4 + 60 = 171 → 322;
# H1 99, H2 103 → 218. HCT: O3 70, minimum 600, lateness 14 → 614.
ENTRIES: list[Doc] = [
    {"region": "EAST", "carrier": "CAT", "orders": ["O1", "O2"], "cost": 322.0},
    {"region": "NORTH", "carrier": "HCT", "orders": ["O3"], "cost": 614.0},
    {"region": "MID", "carrier": "CAT", "orders": ["H1", "H2"], "cost": 218.0},
]
# EAST split: CAT keeps O1 (135 + 8), POST (50 per order, always on time) takes O2.
EAST_O1 = ENTRIES[0] | {"orders": ["O1"], "cost": 143.0}
SPLIT = [
    EAST_O1,
    {"region": "EAST", "carrier": "POST", "orders": ["O2"], "cost": 50.0},
    *ENTRIES[1:],
]


def request_doc(doc: Doc) -> Doc:
    """The small euclidean day with regions, CAT, HCT and POST, outsourcing per region."""
    doc["regions"] = REGIONS
    doc["carriers"] = [dict(CAT), dict(HCT), dict(POST)]
    doc["policy"] |= {"outsourcing": "region", "carrier_late_penalty_per_order": 200}
    return doc


def plan_of(entries: list[Doc], unserved: tuple[str, ...] = ()) -> Doc:
    carriers = round(sum(e["cost"] for e in entries), 2)
    penalties = 5000.0 * len(unserved)
    return {
        "status": "partial" if unserved else "complete",
        "objective": {
            "total": carriers + penalties,
            "own_fleet": 0.0,
            "carriers": carriers,
            "penalties": penalties,
        },
        "routes": [],
        "outsourced": entries,
        "unserved": [{"order": o, "reason": "CAT does not handle it"} for o in unserved],
    }


def rules(doc: Doc, plan: Doc) -> set[str]:
    return {v.rule for v in validate_plan(load_request(doc), plan)}


def test_a_correct_plan_passes(doc: Doc) -> None:
    """The hand-priced plan breaks no rule."""
    assert validate_plan(load_request(request_doc(doc)), plan_of(ENTRIES)) == []


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    """A change to the request: ``carriers.0.delivers_by`` style paths."""

    def change(doc: Doc) -> None:
        *keys, last = path.split(".")
        target: Any = doc
        for key in keys:
            target = target[int(key)] if key.isdigit() else target[key]
        target[last] = value

    return change


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (_set("carriers.1.regions", ["EAST"]), "carrier"),
        (_set("carriers.0.handles", {"temperatures": ["ambient"]}), "carrier"),
        (_set("carriers.0.delivers_by", "13:00"), "carrier"),
        (_set("carriers.0.max_orders", 3), "capacity"),
        (_set("policy.pin", {"EAST": "own"}), "pin"),
        (_set("policy.pin", {"NORTH": "CAT"}), "pin"),
        (_set("policy.outsourcing", "none"), "policy"),
    ],
    ids=[
        "region-not-served",
        "temperature",
        "delivers-by",
        "max-orders",
        "pin-own",
        "pin-carrier",
        "policy-none",
    ],
)
def test_request_rules(doc: Doc, change: Callable[[Doc], None], rule: str) -> None:
    """The same plan breaks a rule once the request asks for something else."""
    request_doc(doc)
    change(doc)
    assert rule in rules(doc, plan_of(ENTRIES))


def test_fragile_goods_need_a_carrier_that_handles_them(doc: Doc) -> None:
    """O1's rice marked fragile: CAT does not handle fragile goods."""
    request_doc(doc)["orders"][0]["items"][0]["fragile"] = True
    found = validate_plan(load_request(doc), plan_of(ENTRIES))
    assert [v.message for v in found] == ["CAT does not carry fragile goods"]


@pytest.mark.parametrize(
    ("entries", "rule"),
    [
        ([ENTRIES[0] | {"carrier": "DHL"}, *ENTRIES[1:]], "carrier"),
        ([ENTRIES[0] | {"region": "MID"}, *ENTRIES[1:]], "region"),
        ([ENTRIES[0] | {"cost": 300.0}, *ENTRIES[1:]], "cost"),
        ([ENTRIES[0], ENTRIES[1] | {"cost": 84.0}, ENTRIES[2]], "cost"),
        ([EAST_O1, SPLIT[1] | {"carrier": "CAT", "cost": 179.0}, *ENTRIES[1:]], "carrier"),
        (SPLIT, "region_split"),
    ],
    ids=["unknown-carrier", "wrong-region", "cost", "min-charge", "two-entries", "split"],
)
def test_plan_rules(doc: Doc, entries: list[Doc], rule: str) -> None:
    """Entries that misname, misprice or split a region are caught."""
    assert rule in rules(request_doc(doc), plan_of(entries))


def test_carriers_objective_must_sum_the_entries(doc: Doc) -> None:
    """objective.carriers is the sum of the entries' costs."""
    plan = plan_of(ENTRIES)
    plan["objective"]["carriers"] = 1000.0
    assert rules(request_doc(doc), plan) == {"cost"}


def test_split_is_fine_per_order_and_for_unserved_orders(doc: Doc) -> None:
    """Per order, EAST may use two carriers; per region, an unserved order is no split."""
    request_doc(doc)["policy"]["outsourcing"] = "order"
    assert rules(doc, plan_of(SPLIT)) == set()
    doc["policy"]["outsourcing"] = "region"
    assert rules(doc, plan_of([EAST_O1, *ENTRIES[1:]], unserved=("O2",))) == set()


def test_regions_come_from_explicit_fields_and_polygons(doc: Doc) -> None:
    """``order.region`` wins; a border point belongs to the first polygon listed."""
    request_doc(doc)["orders"][2]["region"] = "EAST"
    moved = [ENTRIES[0], ENTRIES[1] | {"region": "EAST"}, ENTRIES[2]]
    assert "region" in rules(doc, plan_of(ENTRIES))
    assert "region" not in rules(doc, plan_of(moved))
    doc["orders"][2].pop("region")
    doc["pickup_points"][1]["location"] = {"x": 6, "y": 4.5}
    o3 = 95 + 4 + 8
    east = [ENTRIES[0] | {"orders": ["O1", "O2", "O3"], "cost": 322.0 + o3}, ENTRIES[2]]
    mid = [ENTRIES[0], ENTRIES[2] | {"orders": ["O3", "H1", "H2"], "cost": 218.0 + o3}]
    assert rules(doc, plan_of(east)) == set()
    assert "region" in rules(doc, plan_of(mid))
