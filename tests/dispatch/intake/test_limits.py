"""Limits checked before any work starts: text lengths and characters, numbers, regions,
travel, and the size of imports."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import String

from dispatch.intake.imports import ImportLimits, read_json_orders, read_orders
from dispatch.intake.loading import RequestError, TooLargeError, load_request
from dispatch.intake.request import Order
from dispatch.store import users
from dispatch.store.models import Base
from dispatch.text import (
    MAX_ACTOR,
    MAX_FILENAME,
    MAX_ID,
    MAX_NAME,
    MAX_ORDER_ID,
    MAX_PLATFORM,
    bad_character,
)
from tests.dispatch.intake.workbooks import sheet_with_dimension, xlsx, zip_bomb

GEO_REGIONS: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"id": "NEAR"},
         "geometry": {"type": "Polygon",
                      "coordinates": [[[-10, -10], [10, -10], [10, 10], [-10, 10], [-10, -10]]]}},
    ],
}  # fmt: skip


def _errors(doc: dict[str, Any]) -> set[tuple[str, str]]:
    with pytest.raises(RequestError) as caught:
        load_request(doc)
    return {(e.record, e.field) for e in caught.value.errors}


# --- text ----------------------------------------------------------------------------------

COLUMNS = {
    "depots.id": MAX_ID, "depots.name": MAX_NAME,
    "vehicles.id": MAX_ID, "vehicles.depot_id": MAX_ID,
    "pickup_points.id": MAX_ID, "pickup_points.name": MAX_NAME,
    "regions.id": MAX_ID, "regions.name": MAX_NAME,
    "carriers.id": MAX_ID, "carriers.name": MAX_NAME,
    "orders.order_id": MAX_ORDER_ID, "orders.platform": MAX_PLATFORM,
    "orders.customer": MAX_NAME, "orders.pickup_point_id": MAX_ID,
    "import_batches.filename": MAX_FILENAME, "import_batches.created_by": MAX_ACTOR,
    "plan_jobs.created_by": MAX_ACTOR, "audit_log.actor": MAX_ACTOR,
    "plan_routes.depot": MAX_ID, "outsourced_work.region": MAX_ID,
    "outsourced_work.carrier": MAX_ID, "unserved_orders.order_id": MAX_ORDER_ID,
    "route_stops.stop": MAX_ORDER_ID, "route_stops.name": MAX_NAME,
    "api_keys.name": 100, "users.name": users.MAX_NAME,
    "tracking_events.event_id": 64, "tracking_events.recipient": MAX_NAME,
    "carrier_events.carrier": MAX_ID, "carrier_events.event_id": 64,
    "carrier_events.order_id": MAX_ORDER_ID, "carrier_events.reason": 200,
    "alert_rules.updated_by": MAX_ACTOR, "alerts.acknowledged_by": MAX_ACTOR,
    "notices.order_id": MAX_ORDER_ID, "notices.stop": MAX_ORDER_ID,
    "tracking_links.order_id": MAX_ORDER_ID, "tracking_links.stop": MAX_ORDER_ID,
    "plans.published_by": MAX_ACTOR, "regions.backup_carrier": MAX_ID,
    "scenario_runs.name": MAX_NAME, "scenario_runs.created_by": MAX_ACTOR,
}  # fmt: skip
"""Columns filled from input, and the limit the input is held to."""
INTERNAL = {
    "network_settings.key", "plans.job_id", "import_batches.sha256", "import_batches.format",
    "import_batches.mapping", "orders.fingerprint", "plan_jobs.id", "plan_jobs.status",
    "plan_jobs.source", "plans.status", "plan_routes.vehicle", "unserved_orders.code",
    "driver_links.token_hash", "driver_links.token_seed", "driver_links.vehicle",
    "tracking_events.vehicle",
    "tracking_events.stop", "tracking_events.kind", "tracking_events.reason",
    "api_keys.key_hash", "api_keys.role", "audit_log.action", "audit_log.target",
    "users.password_hash", "users.role", "user_sessions.token_hash",
    "tracking_events.body_sha256", "carrier_events.kind", "carrier_events.body_sha256",
    "event_photos.media_type", "event_photos.sha256",
    "alert_rules.key", "alerts.rule", "alerts.subject", "alerts.severity", "alerts.state",
    "notices.subject", "notices.kind", "notices.audience", "notices.vehicle", "notices.channel",
    "notices.language", "notices.compensation_kind", "tracking_links.token_hash",
    "tracking_links.vehicle", "outbox.topic", "outbox.channel", "outbox.claimed_by",
    "orders.status", "scenario_runs.id", "scenario_runs.status", "kpi_days.fingerprint",
}  # fmt: skip
"""Columns the service fills itself (hashes, enums, ids it makes, vehicle ids ≤ 64 + "#500")."""


def test_every_text_column_has_a_limit_on_its_way_in() -> None:
    """Each String(n) column is either filled by the service or guarded by a limit ≤ n."""
    lengths = {
        f"{table.name}.{column.name}": column.type.length
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, String) and column.type.length is not None
    }
    assert set(lengths) == set(COLUMNS) | INTERNAL
    assert {c: lengths[c] for c in COLUMNS} == COLUMNS


_TEXT = st.characters(blacklist_categories=("Cs", "Cc"))


@pytest.mark.parametrize(
    ("field", "limit"), [("id", MAX_ORDER_ID), ("customer", MAX_NAME), ("platform", MAX_PLATFORM)]
)
@given(data=st.data())
def test_text_up_to_the_limit_round_trips_and_longer_is_refused(
    field: str, limit: int, data: st.DataObject
) -> None:
    """Any printable text up to the limit comes back as given; one character more is refused."""
    text = data.draw(st.text(_TEXT, min_size=1, max_size=limit), label="text")
    order = Order.model_validate({"id": "A-1", field: text})
    assert getattr(Order.model_validate_json(order.model_dump_json()), field) == text
    longer = text + data.draw(st.text(_TEXT, min_size=limit + 1 - len(text), max_size=limit + 40))
    with pytest.raises(ValidationError, match=f"at most {limit} characters"):
        Order.model_validate({"id": "A-1", field: longer})


@pytest.mark.parametrize(
    ("text", "lines", "refused"),
    [("a\x00b", True, "NUL"), ("a\x1bb", True, "U+001B"), ("a\nb", False, "U+000A"),
     ("a\ud800", False, "surrogate"), ("a\nb\tc\r\n", True, None), ("王小明", False, None)],
)  # fmt: skip
def test_control_characters_are_refused(text: str, lines: bool, refused: str | None) -> None:
    """NUL, escapes and lone surrogates never; tab and line breaks only in multi-line text."""
    problem = bad_character(text, lines=lines)
    assert problem is None if refused is None else refused in str(problem)


def test_over_long_and_nul_text_name_record_and_field(doc: dict[str, Any]) -> None:
    """Every bad text of the request is reported with its record and field, unknown fields too."""
    doc["orders"][0]["id"] = "X" * 129
    doc["orders"][1]["customer"] = "C" * 201
    doc["orders"][2]["platform"] = "P" * 33
    doc["orders"][3]["customer"] = "王\x00"
    doc["orders"][4]["memo"] = "kept but not \x00"
    doc["depots"][0]["name"] = "tab\there"
    assert _errors(doc) == {
        ("orders[0]", "id"), ("orders[1]", "customer"), ("orders[2]", "platform"),
        ("orders[3]", "customer"), ("orders[4]", "memo"), ("depots[0]", "name"),
    }  # fmt: skip


def test_addresses_may_span_lines(doc: dict[str, Any]) -> None:
    doc["orders"][3]["address"] = "台北市信義區\n松仁路 100 號\t3 樓"
    assert load_request(doc).orders[3].address == "台北市信義區\n松仁路 100 號\t3 樓"


# --- numbers, travel, regions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [(("travel", "speed_kmh"), 1e-300), (("travel", "speed_kmh"), 250),
     (("policy", "unserved_penalty"), 1e300), (("policy", "max_late_minutes"), 1e9)],
)  # fmt: skip
def test_numbers_out_of_range_are_refused_up_front(
    doc: dict[str, Any], path: tuple[str, str], value: float
) -> None:
    """Values the planner cannot turn into integers are refused at load, naming the field."""
    doc.setdefault(path[0], {})[path[1]] = value
    assert _errors(doc) == {("", ".".join(path))}


def test_cost_and_capacity_bounds_name_the_vehicle(doc: dict[str, Any]) -> None:
    doc["vehicles"][0]["cost"]["fixed"] = 1e300
    doc["vehicles"][1]["capacity"]["weight_kg"] = 1e300
    doc["pickup_points"][0]["location"]["x"] = 1e300
    assert _errors(doc) == {
        ("vehicles[0]", "cost.fixed"), ("vehicles[1]", "capacity.weight_kg"),
        ("pickup_points[0]", "location"),
    }  # fmt: skip


def test_a_travel_matrix_of_absurd_values_is_refused(doc: dict[str, Any]) -> None:
    ids = ["D", "PP-A", "PP-B", "H1", "H2"]
    big = [[0.0 if i == j else 1e300 for j in range(5)] for i in range(5)]
    doc["travel"] = {"metric": "matrix", "locations": ids, "durations": big, "distances": big}
    assert _errors(doc) == {("", "travel.durations"), ("", "travel.distances")}


def test_a_pin_to_an_unknown_carrier_is_refused_at_load(doc: dict[str, Any]) -> None:
    doc["policy"]["pin"] = {"all": "NOPE"}
    assert _errors(doc) == {("", "policy.pin.all")}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.update(type="Feature"), {("", "regions")}),
        (lambda r: r["features"][0]["properties"].pop("id"),
         {("regions.features[0]", "properties.id")}),
        (lambda r: r["features"].append(copy.deepcopy(r["features"][0])),
         {("regions.features[1]", "properties.id")}),
        (lambda r: r["features"][0]["properties"].update(id="R" * 65),
         {("regions.features[0]", "properties.id")}),
        (lambda r: r["features"][0]["geometry"].update(type="Point", coordinates=[0, 0]),
         {("regions.features[0]", "geometry")}),
        (lambda r: r["features"][0]["geometry"]["coordinates"][0].__setitem__(1, [1e300, 0]),
         {("regions.features[0]", "geometry")}),
        (lambda r: r["features"][0]["geometry"].update(coordinates=[[[0, 0], [1, 1]]]),
         {("regions.features[0]", "geometry")}),
        (lambda r: r.update(features=r["features"] * 1001), {("", "regions.features")}),
    ],
    ids=["not a collection", "no id", "duplicate id", "long id", "a point", "huge coordinate",
         "not a ring", "too many"],
)  # fmt: skip
def test_bad_regions_are_refused_at_load(doc: dict[str, Any], change: Any, expected: Any) -> None:
    """Region problems come out of load_request, by feature and field, not out of the job."""
    doc["regions"] = copy.deepcopy(GEO_REGIONS)
    load_request(doc)
    change(doc["regions"])
    assert _errors(doc) == expected


def test_a_request_over_max_orders_is_too_large_unread(doc: dict[str, Any]) -> None:
    doc["orders"] = [{"broken": True}] * 6
    with pytest.raises(TooLargeError, match="6 orders; at most 5") as caught:
        load_request(doc, max_orders=5)
    assert (caught.value.errors[0].field, caught.value.limit) == ("orders", 5)


# --- imports ---------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_at_once() -> None:
    """66 MB unpacked from 230 KB: refused by its ZIP directory, in well under a second."""
    content = zip_bomb()
    started = time.perf_counter()
    with pytest.raises(TooLargeError) as caught:
        read_orders(content, filename="bomb.xlsx")
    assert time.perf_counter() - started < 0.5
    (error,) = caught.value.errors
    assert (error.record, error.field) == ("bomb.xlsx", "xl/worksheets/sheet1.xml")
    assert "unpacks to 62.9 MB; at most 50.0 MB" in error.message


def test_a_highly_compressed_sheet_is_refused_below_the_size_limit() -> None:
    """40 MB packed 300 times: the ratio gives it away."""
    with pytest.raises(TooLargeError, match="times its packed size"):
        read_orders(zip_bomb(600_000), filename="bomb.xlsx")


@pytest.mark.parametrize(
    ("dimension", "rows", "message"),
    [("A1:B1000000", 2, "the sheet declares 1,000,000 rows"),
     ("A1:B3", 200, "more than 101 rows")],
    ids=["declared", "the dimension lies"],
)  # fmt: skip
def test_sheet_rows_are_capped(dimension: str, rows: int, message: str) -> None:
    """By the declared dimension first, then while streaming (the dimension may lie)."""
    with pytest.raises(TooLargeError, match=message) as caught:
        read_orders(sheet_with_dimension(dimension, rows), limits=ImportLimits(max_rows=100))
    assert caught.value.errors[0].field == "rows"


def test_rows_past_a_small_dimension_are_still_read() -> None:
    read = read_orders(sheet_with_dimension("A1:B3", 50), limits=ImportLimits(max_rows=100))
    assert (read.rows, len(read.candidates)) == (50, 50)


def test_csv_and_json_imports_are_capped() -> None:
    limits = ImportLimits(max_rows=3)
    csv = "id,qty\n" + "".join(f"A-{n},1\n" for n in range(4))
    with pytest.raises(TooLargeError, match="more than 4 rows"):
        read_orders(csv.encode(), filename="o.csv", limits=limits)
    assert read_orders(csv.encode()[: csv.rindex("A-3")], limits=limits).rows == 3
    with pytest.raises(TooLargeError, match="4 orders; at most 3"):
        read_json_orders([{"id": f"A-{n}"} for n in range(4)], limits=limits)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_platform_prefix_counts_toward_the_id_limit(kind: str) -> None:
    """A web order number of 128 characters becomes WEB- + 128: refused, saying why."""
    rows = [["order_no", "quantity", "customer_email"], ["9" * 128, "1", "a@b"]]
    content = xlsx(rows) if kind == "xlsx" else "\n".join(",".join(r) for r in rows).encode()
    (candidate,) = read_orders(content, mapping="web").candidates
    (error,) = [e for e in candidate.errors if e.field == "id"]
    assert error.record == "row 2"
    assert "132 characters long with the platform prefix 'WEB-'" in error.message


def test_the_fleet_is_capped(doc: dict[str, Any]) -> None:
    """11 entries of 500 vehicles are 5,500 vehicles: more than one request may plan."""
    doc["vehicles"] = [{**doc["vehicles"][0], "id": f"V{k}", "count": 500} for k in range(11)]
    assert _errors(doc) == {("", "vehicles")}


def test_windows_and_items_per_order_are_capped(doc: dict[str, Any]) -> None:
    """51 windows, 1,001 item lines: each refused by its record and field."""
    windows = [{"start": f"{h:02d}:00", "end": f"{h:02d}:10"} for h in range(17)]
    doc["orders"][3]["time_windows"] = windows * 3
    doc["orders"][0]["items"] = doc["orders"][0]["items"] * 1001
    assert _errors(doc) == {("orders[3]", "time_windows"), ("orders[0]", "items")}
