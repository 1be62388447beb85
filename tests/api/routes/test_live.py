"""Driver and carrier events over HTTP, the plan's events and its status (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from dispatch.live.wallclock import ManualClock
from dispatch.store import Role, Store, create_key, list_events
from tests.api.conftest import assert_problem
from tests.api.driver_data import StoredPlan, make_plan, make_request, store_plan, today

TZ = ZoneInfo("Asia/Taipei")
SECRET = "carrier-secret-for-tests-only"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def at(hh_mm: str) -> datetime:
    h, m = map(int, hh_mm.split(":"))
    return datetime.combine(today(), time(h, m), tzinfo=TZ)


@pytest.fixture
def clock() -> ManualClock:
    """The service's clock, standing at 08:00 of the plan day."""
    return ManualClock(at("08:00"))


@pytest.fixture
def client(database_url: str, clock: ManualClock) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url, load_demo=False, workers=1, clock=clock,
        carrier_secrets={"CAT": SECRET},
    )  # fmt: skip
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def store(client: TestClient) -> Store:
    s: Store = client.app.state.store  # type: ignore[attr-defined]
    return s


@pytest.fixture
def reader(store: Store) -> dict[str, str]:
    with store.write() as session:
        return {"Authorization": f"Bearer {create_key(session, Role.PLANNER)[1]}"}


@pytest.fixture
def stored(store: Store) -> StoredPlan:
    """V01 (stops PP-101..103 at 09:30, 09:55, 10:20) and V02; orders W-1, W-2 to CAT."""
    plan = make_plan()
    plan["outsourced"] = [{"region": "Xinyi", "carrier": "CAT", "orders": ["W-1", "W-2"],
                           "cost": 80.0}]  # fmt: skip
    return store_plan(store, plan, make_request(plan))


def post(client: TestClient, stored: StoredPlan, body: dict[str, Any], vehicle: str = "V01") -> Any:
    return client.post(f"/d/{stored.tokens[vehicle]}/events", json=body)


def status(client: TestClient, stored: StoredPlan, reader: dict[str, str]) -> dict[str, Any]:
    response = client.get(f"/plans/{stored.plan_id}/status", headers=reader)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_same_event_id_is_stored_once(
    client: TestClient, store: Store, stored: StoredPlan, clock: ManualClock
) -> None:
    """The same event twice: 201 then 200 with the stored event; one row."""
    clock.set(at("10:00"))
    body = {"event_id": "c0a8-17", "kind": "delivered", "stop": "PP-101",
            "at": at("09:31").isoformat(), "orders": ["O-101-1"], "recipient": "王小姐",
            "lat": 25.004, "lon": 121.51}  # fmt: skip
    first = post(client, stored, body)
    assert first.status_code == 201, first.text
    again = post(client, stored, body)
    assert again.status_code == 200
    assert again.json() == first.json()
    stored_event = first.json()
    assert stored_event["at"] == f"{today().isoformat()}T09:31:00+08:00"
    assert (stored_event["orders"], stored_event["recipient"]) == (["O-101-1"], "王小姐")
    with store.read() as session:
        assert list_events(session, stored.plan_id, limit=10, offset=0).count == 1


def test_same_event_id_with_another_body_is_a_conflict(
    client: TestClient, store: Store, stored: StoredPlan
) -> None:
    """The same id with a different body: 409 naming event_id, nothing stored."""
    assert (
        post(client, stored, {"event_id": "e-1", "kind": "arrived", "stop": "PP-101"}).status_code
        == 201
    )
    conflict = post(client, stored, {"event_id": "e-1", "type": "arrived", "stop": "PP-102"})
    problem = assert_problem(conflict, 409)
    assert [e["field"] for e in problem["errors"]] == ["event_id"]
    with store.read() as session:
        assert list_events(session, stored.plan_id, limit=10, offset=0).count == 1


def test_type_is_another_name_for_kind(client: TestClient, stored: StoredPlan) -> None:
    """`type` alone works; `type` and `kind` that differ are refused naming `type`."""
    assert post(client, stored, {"type": "departed"}).json()["kind"] == "departed"
    problem = assert_problem(post(client, stored, {"type": "departed", "kind": "arrived"}), 422)
    assert [e["field"] for e in problem["errors"]] == ["type"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "teleported"}, "kind"),
        ({}, "kind"),
        ({"kind": "position"}, "lat"),
        ({"kind": "position", "lat": 95, "lon": 121.5}, "lat"),
        ({"kind": "position", "lat": 25.0, "lon": 121.5, "stop": "PP-101"}, "stop"),
        ({"kind": "delivered"}, "stop"),
        ({"kind": "failed", "stop": "PP-101"}, "reason"),
        ({"kind": "arrived", "stop": "PP-999"}, "stop"),
        ({"kind": "delivered", "stop": "PP-101", "orders": ["O-201-1"]}, "orders"),
        ({"kind": "delivered", "stop": "PP-101", "orders": []}, "orders"),
        ({"kind": "arrived", "stop": "PP-101", "at": "2026-12-08T10:00:00"}, "at"),
        ({"kind": "arrived", "stop": "PP-101", "at": "yesterday"}, "at"),
        ({"kind": "arrived", "stop": "PP-101", "recipient": "王"}, "recipient"),
        ({"kind": "arrived", "stop": "PP-101", "event_id": "a b"}, "event_id"),
        ({"kind": "arrived", "stop": "PP-101", "colour": "red"}, "colour"),
    ],
)
def test_malformed_events_name_the_field(
    client: TestClient, store: Store, stored: StoredPlan, body: dict[str, Any], field: str
) -> None:
    """Each malformed event is 422 naming its field, and stores nothing."""
    problem = assert_problem(post(client, stored, body), 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    with store.read() as session:
        assert list_events(session, stored.plan_id, limit=10, offset=0).count == 0


def test_at_far_in_the_future_or_before_the_day_is_refused(
    client: TestClient, stored: StoredPlan, clock: ManualClock
) -> None:
    """`at` more than 5 minutes ahead of the clock, or before the plan day: 422 naming `at`;
    4 minutes ahead is accepted (a phone's clock may run fast)."""
    ahead = clock.now() + timedelta(minutes=6)
    for when in (ahead, at("00:00") - timedelta(minutes=1)):
        body = {"kind": "departed", "at": when.isoformat()}
        problem = assert_problem(post(client, stored, body), 422)
        assert [e["field"] for e in problem["errors"]] == ["at"]
    fast = {"kind": "departed", "at": (clock.now() + timedelta(minutes=4)).isoformat()}
    assert post(client, stored, fast).status_code == 201


def test_at_defaults_to_the_clock(
    client: TestClient, stored: StoredPlan, clock: ManualClock
) -> None:
    """Without `at` the event happened when the service received it, by its clock."""
    clock.set(at("08:07"))
    assert post(client, stored, {"kind": "departed"}).json()["at"].endswith("T08:07:00+08:00")


def test_forged_or_expired_token_is_404(
    client: TestClient, store: Store, stored: StoredPlan
) -> None:
    """A token that is not a live link gets a bare 404, whatever the body."""
    response = client.post("/d/not-a-token/events", json={"kind": "departed"})
    assert_problem(response, 404)
    response = client.post("/d/not-a-token/events", content=b"{broken")
    assert_problem(response, 404)
    with store.read() as session:
        assert list_events(session, stored.plan_id, limit=10, offset=0).count == 0


def test_photo_is_stored_apart_and_checked_by_its_bytes(
    client: TestClient, stored: StoredPlan, reader: dict[str, str]
) -> None:
    """A JPEG or PNG (base64, a data: URL allowed) up to 5 MB is kept with the event and
    served back; anything else, whatever it claims, is 422 naming `photo`."""
    body = {"event_id": "p1", "kind": "delivered", "stop": "PP-101", "recipient": "王小姐",
            "photo": base64.b64encode(JPEG).decode()}  # fmt: skip
    created = post(client, stored, body)
    assert created.status_code == 201, created.text
    url = created.json()["photo"]
    photo = client.get(url, headers=reader)
    assert (photo.status_code, photo.headers["content-type"], photo.content) == (
        200, "image/jpeg", JPEG,
    )  # fmt: skip
    png = "data:image/jpeg;base64," + base64.b64encode(PNG).decode()
    body = {"event_id": "p2", "kind": "delivered", "stop": "PP-102", "photo": png}
    assert (
        client.get(post(client, stored, body).json()["photo"], headers=reader).headers[
            "content-type"
        ]
        == "image/png"
    )
    for bad in (
        "data:image/jpeg;base64," + base64.b64encode(b"GIF89a" + b"\x00" * 20).decode(),
        "not base64!",
        base64.b64encode(b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024)).decode(),
    ):
        body = {"kind": "delivered", "stop": "PP-103", "photo": bad}
        problem = assert_problem(post(client, stored, body), 422)
        assert [e["field"] for e in problem["errors"]] == ["photo"], problem["errors"]
    assert (
        client.get(f"/plans/{stored.plan_id}/events/999/photo", headers=reader).status_code == 404
    )


def test_events_are_listed_oldest_at_first_and_paged(
    client: TestClient, stored: StoredPlan, reader: dict[str, str], clock: ManualClock
) -> None:
    """Events sent out of order are listed in `at` order, paged like other lists."""
    clock.set(at("10:00"))
    for n, when in enumerate(("09:40", "08:10", "09:31")):
        kind = "departed" if when == "08:10" else "arrived"
        body = {"event_id": f"e{n}", "kind": kind, "at": at(when).isoformat()}
        if kind == "arrived":
            body["stop"] = "PP-102" if when == "09:40" else "PP-101"
        assert post(client, stored, body).status_code == 201
    listed = client.get(f"/plans/{stored.plan_id}/events", headers=reader).json()
    assert listed["count"] == 3
    assert [e["event_id"] for e in listed["data"]] == ["e1", "e2", "e0"]
    page = client.get(f"/plans/{stored.plan_id}/events?limit=1&offset=1", headers=reader).json()
    assert [e["event_id"] for e in page["data"]] == ["e2"]
    assert client.get(f"/plans/{stored.plan_id}/events").status_code == 401


def test_status_hand_checked(
    client: TestClient, stored: StoredPlan, reader: dict[str, str], clock: ManualClock
) -> None:
    """Departed 08:10, stop 1 arrived 09:45 and partly delivered 09:50, stop 2 failed 10:20:
    stop 3 is predicted at 10:37 (17 minutes' drive), orders in their states."""
    before = status(client, stored, reader)
    assert before["routes"][0]["stops"][0]["predicted_arrival"].endswith("T09:30:00+08:00")
    assert {o["state"] for o in before["orders"]} == {"planned", "outsourced"}
    events = [
        {"event_id": "1", "kind": "departed", "at": at("08:10").isoformat()},
        {"event_id": "2", "kind": "arrived", "stop": "PP-101", "at": at("09:45").isoformat()},
        {"event_id": "3", "kind": "delivered", "stop": "PP-101", "at": at("09:50").isoformat(),
         "orders": ["O-101-1", "O-101-2"], "recipient": "陳先生"},
        {"event_id": "4", "kind": "failed", "stop": "PP-102", "reason": "nobody",
         "at": at("10:20").isoformat()},
    ]  # fmt: skip
    clock.set(at("10:21"))
    for body in events:
        assert post(client, stored, body).status_code == 201
    now = status(client, stored, reader)
    assert now["as_of"].endswith("T10:21:00+08:00")
    v01 = now["routes"][0]
    assert v01["vehicle"] == "V01"
    assert v01["departed_at"].endswith("T08:10:00+08:00")
    assert v01["last_event"]["event_id"] == "4"
    assert v01["position"]["lat"] == 25.008
    s1, s2, s3 = v01["stops"]
    assert (s1["state"], s1["actual_arrival"][11:16], s1["predicted_arrival"]) == (
        "partly_delivered", "09:45", None,
    )  # fmt: skip
    assert (s2["state"], s2["reason"]) == ("failed", "nobody")
    assert (s3["state"], s3["predicted_arrival"][11:19]) == ("planned", "10:37:00")
    assert s3["planned_arrival"].endswith("T10:20:00+08:00")
    assert s3["predicted_late_minutes"] == 0
    assert s3["predicted_cold_minutes"] == 147
    states = {o["order"]: o["state"] for o in now["orders"]}
    assert states["O-101-1"] == "delivered"
    assert states["O-101-3"] == "out_for_delivery"
    assert states["O-102-2"] == "failed"
    assert states["O-201-1"] == "planned"
    assert states["W-1"] == "outsourced"
    assert client.get(f"/plans/{stored.plan_id}/status").status_code == 401
    assert client.get("/plans/999/status", headers=reader).status_code == 404


def test_out_of_order_events_give_the_same_status(
    client: TestClient, store: Store, reader: dict[str, str], clock: ManualClock
) -> None:
    """The same events sent in two orders to two copies of a plan: the same status."""
    clock.set(at("11:00"))
    events = [
        {"event_id": "a", "kind": "departed", "at": at("08:05").isoformat()},
        {"event_id": "b", "kind": "position", "lat": 25.002, "lon": 121.51,
         "at": at("09:20").isoformat()},
        {"event_id": "c", "kind": "delivered", "stop": "PP-101", "at": at("09:40").isoformat()},
        {"event_id": "d", "kind": "arrived", "stop": "PP-102", "at": at("10:02").isoformat()},
    ]  # fmt: skip
    bodies = []
    for order in (events, events[::-1]):
        copy = store_plan(store)
        for body in order:
            assert post(client, copy, body).status_code == 201
            assert post(client, copy, body).status_code == 200
        got = status(client, copy, reader)
        bodies.append({k: v for k, v in got.items() if k != "plan_id"})
    for body in bodies:
        for route in body["routes"]:
            if route["last_event"]:
                route["last_event"].pop("received_at")
    assert bodies[0] == bodies[1]


def _signed(body: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Signature": f"sha256={signature}", "Content-Type": "application/json"}


def test_carrier_events_are_signed_idempotent_and_fresh(
    client: TestClient, stored: StoredPlan, reader: dict[str, str], clock: ManualClock
) -> None:
    """A signed event is stored once (201, then 200); unsigned or wrongly signed 401; the
    same id with another body, or a stale `at`, 409; an order not the carrier's 422."""
    clock.set(at("15:00"))
    body = {"event_id": "cat-1", "kind": "delivered", "order": "W-1",
            "at": at("14:58").isoformat()}  # fmt: skip
    raw, headers = _signed(body)
    path = "/carriers/CAT/events"
    assert_problem(
        client.post(path, content=raw, headers={"Content-Type": "application/json"}), 401
    )
    _, wrong = _signed(body, "not-the-secret")
    assert_problem(client.post(path, content=raw, headers=wrong), 401)
    assert_problem(client.post("/carriers/HCT/events", content=raw, headers=headers), 401)
    created = client.post(path, content=raw, headers=headers)
    assert created.status_code == 201, created.text
    assert (created.json()["plan_id"], created.json()["order"]) == (stored.plan_id, "W-1")
    again = client.post(path, content=raw, headers=headers)
    assert (again.status_code, again.json()) == (200, created.json())
    other, other_headers = _signed({**body, "kind": "failed"})
    problem = assert_problem(client.post(path, content=other, headers=other_headers), 409)
    assert [e["field"] for e in problem["errors"]] == ["event_id"]
    stale, stale_headers = _signed({**body, "event_id": "cat-2", "at": at("14:54").isoformat()})
    problem = assert_problem(client.post(path, content=stale, headers=stale_headers), 409)
    assert [e["field"] for e in problem["errors"]] == ["at"]
    for order in ("O-101-1", "W-404"):
        raw2, h2 = _signed({**body, "event_id": f"x-{order}", "order": order})
        problem = assert_problem(client.post(path, content=raw2, headers=h2), 422)
        assert [e["field"] for e in problem["errors"]] == ["order"]
    raw3, h3 = _signed({"event_id": "cat-3", "kind": "lost", "order": "W-2"})
    fields = {
        e["field"]
        for e in assert_problem(client.post(path, content=raw3, headers=h3), 422)["errors"]
    }
    assert fields == {"kind", "at"}
    states = {o["order"]: o["state"] for o in status(client, stored, reader)["orders"]}
    assert (states["W-1"], states["W-2"]) == ("carrier_delivered", "outsourced")


def test_an_old_page_event_without_id_still_works(client: TestClient, stored: StoredPlan) -> None:
    """Today's fields alone (stop, kind) are still an event; each such post is a new one."""
    for _ in range(2):
        assert post(client, stored, {"stop": "PP-102", "kind": "delivered"}).status_code == 201


def test_carrier_events_are_listed_beside_the_drivers(
    client: TestClient, stored: StoredPlan, reader: dict[str, str], clock: ManualClock
) -> None:
    """The plan's events merge drivers' and carriers' in `at` order, each with its `source`;
    a vehicle's list has only that driver's."""
    clock.set(at("10:00"))
    body = {"event_id": "d1", "kind": "departed", "at": at("08:10").isoformat()}
    assert post(client, stored, body).status_code == 201
    raw, headers = _signed({"event_id": "cat-1", "kind": "picked_up", "order": "W-2",
                            "at": at("09:58").isoformat()})  # fmt: skip
    assert client.post("/carriers/CAT/events", content=raw, headers=headers).status_code == 201
    body = {"event_id": "d2", "kind": "arrived", "stop": "PP-101", "at": at("09:59").isoformat()}
    assert post(client, stored, body).status_code == 201
    listed = client.get(f"/plans/{stored.plan_id}/events", headers=reader).json()
    assert listed["count"] == 3
    assert [(e["source"], e["event_id"], e["vehicle"], e["carrier"]) for e in listed["data"]] == [
        ("driver", "d1", "V01", None),
        ("carrier", "cat-1", None, "CAT"),
        ("driver", "d2", "V01", None),
    ]
    assert listed["data"][1]["orders"] == ["W-2"]
    assert listed["data"][1]["time"] == "09:58"
    page = client.get(f"/plans/{stored.plan_id}/events?limit=1&offset=1", headers=reader).json()
    assert [e["event_id"] for e in page["data"]] == ["cat-1"]
    mine = client.get(f"/plans/{stored.plan_id}/events?vehicle=V01", headers=reader).json()
    assert [e["event_id"] for e in mine["data"]] == ["d1", "d2"]


def test_the_map_follows_the_live_feed(
    client: TestClient, stored: StoredPlan, reader: dict[str, str], clock: ManualClock
) -> None:
    """The map page names its feed; the feed gives each stop's state and the van's pin."""
    page = client.get(f"/plans/{stored.plan_id}/map", headers=reader)
    assert f'"live":{{"url":"/plans/{stored.plan_id}/map/live","every_s":15}}' in page.text
    clock.set(at("09:40"))
    body = {"event_id": "f1", "kind": "delivered", "stop": "PP-101", "at": at("09:38").isoformat(),
            "lat": 25.004, "lon": 121.51}  # fmt: skip
    assert post(client, stored, body).status_code == 201
    feed = client.get(f"/plans/{stored.plan_id}/map/live", headers=reader)
    assert feed.status_code == 200
    assert feed.headers["cache-control"] == "no-store"
    states = {m["key"]: m["state"] for m in feed.json()["markers"]}
    assert states == {"V01/PP-101": "delivered", "V01/PP-102": "planned",
                      "V01/PP-103": "planned", "V02/PP-201": "planned",
                      "V02/PP-202": "planned"}  # fmt: skip
    assert [(v["key"], v["at"]) for v in feed.json()["vehicles"]] == [("V01", [25.004, 121.51])]
    assert client.get(f"/plans/{stored.plan_id}/map/live").status_code == 401
    assert client.get("/plans/999/map/live", headers=reader).status_code == 404
