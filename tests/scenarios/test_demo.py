"""The built-in demo day and the small example request."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dispatch.clock import parse_clock
from dispatch.intake.loading import load_request, read_request
from dispatch.intake.request import Request, Temperature
from geo.regions import assign, regions_from_geojson
from scenarios.demo import demo_day, demo_request, example_path, write_demo

Json = dict[str, Any]


@pytest.fixture(scope="module")
def demo() -> Json:
    """The default demo document (seed 7, 600 orders)."""
    return demo_request()


@pytest.fixture(scope="module")
def request_(demo: Json) -> Request:
    """The default demo, validated."""
    return load_request(demo)


def item_lines(doc: Json) -> list[Json]:
    return [item for order in doc["orders"] for item in order["items"]]


def test_same_seed_same_document() -> None:
    """The document is a pure function of the seed and options."""
    assert demo_request(3) == demo_request(3)
    assert demo_request(3, orders=40) == demo_request(3, orders=40)


def test_seeds_differ() -> None:
    """Another seed gives other orders and pickup points."""
    one, two = demo_request(1), demo_request(2)
    assert one["orders"] != two["orders"]
    assert one["pickup_points"] != two["pickup_points"]


def test_plain_json(demo: Json) -> None:
    """Only JSON types: a dump and load round trip is lossless."""
    assert json.loads(json.dumps(demo, ensure_ascii=False)) == demo


def test_loads_as_a_request(request_: Request) -> None:
    """The contract loader accepts the demo without a single error."""
    assert str(request_.date) == demo_day()
    assert request_.policy.outsourcing == "region"


def test_the_demo_day_is_today_in_taipei() -> None:
    """Late on the 7th in UTC is already the 8th in Taipei; a given date is kept."""
    late = datetime(2026, 12, 7, 17, 30, tzinfo=UTC)
    assert demo_day(late) == "2026-12-08"
    assert demo_day(datetime(2026, 12, 7, 15, 59, tzinfo=UTC)) == "2026-12-07"
    assert demo_request(orders=3, date="2026-11-11")["date"] == "2026-11-11"


@pytest.mark.parametrize("orders", [0, 1, 7, 120])
def test_any_size_loads(orders: int) -> None:
    """Small and empty days are valid requests too, with exactly the orders asked for."""
    assert len(load_request(demo_request(5, orders=orders)).orders) == orders


def test_negative_orders_rejected() -> None:
    """A negative order count is a caller error."""
    with pytest.raises(ValueError, match="orders must be >= 0"):
        demo_request(orders=-1)


def test_counts(demo: Json, request_: Request) -> None:
    """2 depots, 12 vehicles of 3 kinds, 60 pickup points, 600 orders, 3 carriers, ~8 regions."""
    assert [d["id"] for d in demo["depots"]] == ["DC-N", "DC-S"]
    assert sum(len(v.unit_ids()) for v in request_.vehicles) == 12
    assert {v.kind for v in request_.vehicles} == {"ambient-van", "reefer-van", "truck"}
    assert {v.depot for v in request_.vehicles} == {"DC-N", "DC-S"}
    assert len(demo["pickup_points"]) == 60
    assert len(demo["orders"]) == 600
    assert [c["id"] for c in demo["carriers"]] == ["CAT", "HCT", "POST"]
    assert 7 <= len(demo["regions"]["features"]) <= 10


def test_pickup_points(demo: Json) -> None:
    """Ids PP-001..PP-060, Chinese names, a contact, a phone, an address and 1-2 windows."""
    points = demo["pickup_points"]
    assert [p["id"] for p in points] == [f"PP-{k:03d}" for k in range(1, 61)]
    assert len({p["name"] for p in points}) == 60
    for p in points:
        assert p["name"].endswith("團購站")
        assert re.fullmatch(r"09\d\d-\d{3}-\d{3}", p["phone"])
        assert p["contact"]
        assert re.match(r"(臺北市|新北市)..區", p["address"])
        assert 1 <= len(p["time_windows"]) <= 2
        assert 5 <= p["service_minutes"] <= 10


def test_every_pickup_order_has_its_point(demo: Json) -> None:
    """Each order's pickup point exists; about 75% of orders go to one."""
    points = {p["id"] for p in demo["pickup_points"]}
    to_points = [o["pickup_point"] for o in demo["orders"] if "pickup_point" in o]
    assert set(to_points) <= points
    assert len(to_points) == 450
    for order in demo["orders"]:
        if "pickup_point" in order:
            assert order["service_minutes"] in (1, 2)


def test_some_points_are_much_busier(demo: Json) -> None:
    """The busiest pickup point has several times the median load."""
    counts = Counter(o["pickup_point"] for o in demo["orders"] if "pickup_point" in o)
    assert max(counts.values()) >= 3 * statistics.median(counts.values())


def test_platforms_and_ids(demo: Json) -> None:
    """Three platforms with their id formats; ids unique."""
    patterns = {"line": r"LINE-\d{5}", "web": r"WEB-\d{4}", "app": r"APP-\d{4}"}
    ids = [o["id"] for o in demo["orders"]]
    assert len(set(ids)) == len(ids)
    assert {o["platform"] for o in demo["orders"]} == set(patterns)
    for order in demo["orders"]:
        assert re.fullmatch(patterns[order["platform"]], order["id"])


def test_home_orders(demo: Json) -> None:
    """Home deliveries: own place and address, one 2-4 h window in 09:00-21:00, 2-4 min."""
    homes = [o for o in demo["orders"] if "pickup_point" not in o]
    assert len(homes) == 150
    for order in homes:
        assert order["address"]
        assert order["location"]
        (window,) = order["time_windows"]
        start, end = parse_clock(window["start"]), parse_clock(window["end"])
        assert start >= 9 * 60
        assert end <= 21 * 60
        assert 120 <= end - start <= 240
        assert 2 <= order["service_minutes"] <= 4


def test_a_few_home_orders_share_address_and_window(demo: Json) -> None:
    """Some home orders go to the very same place in the same window, to be merged."""
    homes = [o for o in demo["orders"] if "pickup_point" not in o]
    places = Counter(
        (o["location"]["lat"], o["location"]["lon"], o["address"], str(o["time_windows"]))
        for o in homes
    )
    shared = [n for n in places.values() if n > 1]
    assert 1 <= len(shared) <= 10


@pytest.mark.parametrize("seed", [0, 1, 7, 42])
def test_cold_shares(seed: int) -> None:
    """About 20% of item lines are chilled and 8% frozen, and likewise by quantity."""
    items = item_lines(demo_request(seed))
    for weight in (lambda i: 1, lambda i: i["qty"]):
        total = sum(weight(i) for i in items)
        share = {
            t: sum(weight(i) for i in items if i["temperature"] == t) / total
            for t in ("chilled", "frozen")
        }
        assert share["chilled"] == pytest.approx(0.20, abs=0.035)
        assert share["frozen"] == pytest.approx(0.08, abs=0.025)


def test_catalogue_flags(demo: Json) -> None:
    """Eggs are fragile and chilled, rice is bulky, dumplings frozen: one SKU, one definition."""
    by_sku: dict[str, set[str]] = {}
    for item in item_lines(demo):
        key = json.dumps({k: v for k, v in item.items() if k != "qty"}, sort_keys=True)
        by_sku.setdefault(item["sku"], set()).add(key)
    assert all(len(v) == 1 for v in by_sku.values())
    first = {item["sku"]: item for item in item_lines(demo)}
    assert first["eggs-10"]["fragile"]
    assert first["eggs-10"]["temperature"] == "chilled"
    assert first["rice-5kg"]["bulky"]
    assert first["dumplings-frozen"]["temperature"] == "frozen"


def test_vehicle_kinds(request_: Request) -> None:
    """Ambient vans carry no cold goods; reefers and trucks have both compartments and limits."""
    for v in request_.vehicles:
        cold = v.capacity.chilled_l > 0 and v.capacity.frozen_l > 0
        assert cold == (v.kind != "ambient-van")
        if cold:
            assert (v.max_cold_minutes.chilled, v.max_cold_minutes.frozen) == (240, 180)
        assert 1200 <= v.cost.fixed <= 2200
        assert 8 <= v.cost.per_km <= 12
        assert 250 <= v.cost.per_hour <= 350
        assert 0.9 <= v.speed_factor <= 1.1


def test_demand_fits_the_fleet(request_: Request) -> None:
    """Tight but plausible: demand within the fleet's capacity, every order fits some vehicle."""
    fleet = [v for v in request_.vehicles for _ in range(v.count)]
    weight = sum(o.weight() for o in request_.orders)
    volume = sum(o.volume() for o in request_.orders)
    assert 0.35 <= weight / sum(v.capacity.weight_kg for v in fleet) <= 0.8
    assert volume / sum(v.capacity.volume_l for v in fleet) <= 0.5
    for temperature, field in (
        (Temperature.CHILLED, "chilled_l"),
        (Temperature.FROZEN, "frozen_l"),
    ):
        demand = sum(o.volume(temperature) for o in request_.orders)
        assert demand <= 0.5 * sum(getattr(v.capacity, field) for v in fleet)
    biggest = max(v.capacity.weight_kg for v in fleet)
    assert all(o.weight() <= biggest for o in request_.orders)


def test_every_place_lies_in_one_region(demo: Json) -> None:
    """Non-overlapping regions cover the depots, pickup points and home deliveries."""
    regions = regions_from_geojson(demo["regions"])
    assert regions.warnings == ()
    places = [r["location"] for r in demo["depots"] + demo["pickup_points"]]
    places += [o["location"] for o in demo["orders"] if "pickup_point" not in o]
    found = assign(regions, [p["lon"] for p in places], [p["lat"] for p in places])
    assert "unassigned" not in found
    assert {"Beitou", "Xindian"} <= set(found)


def test_far_regions_can_go_to_the_carrier(demo: Json, request_: Request) -> None:
    """Beitou and Xindian orders all end their windows after CAT's delivers_by: outsourceable."""
    regions = regions_from_geojson(demo["regions"])
    orders = demo["orders"]
    found = assign(
        regions, [o["location"]["lon"] for o in orders], [o["location"]["lat"] for o in orders]
    )
    delivers_by = request_.carriers[0].delivers_by
    assert delivers_by is not None
    far = [o for o, region in zip(orders, found, strict=True) if region in ("Beitou", "Xindian")]
    assert len(far) >= 20
    for order in far:
        assert parse_clock(order["time_windows"][-1]["end"]) >= delivers_by


def test_carriers(demo: Json, request_: Request) -> None:
    """CAT serves everywhere at all temperatures; HCT ambient in some regions; POST is slow."""
    cat, hct, post = request_.carriers
    assert cat.regions == ("*",)
    assert set(cat.handles.temperatures) == set(Temperature)
    assert hct.handles.temperatures == (Temperature.AMBIENT,)
    assert hct.handles.bulky
    assert set(hct.regions) <= set(regions_from_geojson(demo["regions"]).ids)
    assert hct.price.min_charge_per_region == 600
    assert post.delivers_by == parse_clock("17:00")
    assert post.on_time_rate == 0.9


def test_without_carriers() -> None:
    """carriers_enabled=False: no carriers and no outsourcing; the rest unchanged."""
    doc = demo_request(7, carriers_enabled=False)
    assert doc["carriers"] == []
    assert doc["policy"]["outsourcing"] == "none"
    assert doc["orders"] == demo_request(7)["orders"]
    load_request(doc)


def test_write_demo(tmp_path: Path) -> None:
    """The written file reads back as the same request."""
    path = write_demo(tmp_path / "demo.json", seed=3, orders=30, date="2026-12-24")
    assert json.loads(path.read_text(encoding="utf-8")) == demo_request(
        3, orders=30, date="2026-12-24"
    )
    assert str(read_request(path).date) == "2026-12-24"


def test_small_example() -> None:
    """The hand-written example: 1 depot, 2 vehicles (one reefer), 8 orders, 3 points."""
    request = read_request(example_path("small"))
    assert len(request.depots) == 1
    assert [v.kind for v in request.vehicles] == ["ambient-van", "reefer-van"]
    assert len(request.orders) == 8
    assert {o.pickup_point for o in request.orders} - {None} == {"PP-001", "PP-002", "PP-003"}
    assert len(request.carriers) == 1
    assert request.regions is not None
    assert regions_from_geojson(request.regions).ids == ("Songde",)
