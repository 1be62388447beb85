"""Alert rules, alerts, acknowledgement, notices and the customer tracking page over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from dispatch.live.watch import react
from dispatch.store import Store, create_tracking_link
from tests.api.conftest import Keys, assert_problem
from tests.dispatch.live.days import at, day, route, stop


def _late(api_store: Store, plan_id: int, late: int = 40) -> None:
    """The tiny plan's pickup point predicted ``late`` minutes late, reacted to."""
    status = day(
        route("VAN#1", stop("PP-1", ("A-1", "A-2"), late=late, planned="09:00"), heard="09:00")
    )
    with api_store.write() as session:
        react(session, plan_id, status, at("09:05"), public_url="https://d.example")


def test_every_role_reads_the_rules_and_only_dispatchers_change_them(
    client: TestClient, keys: Keys
) -> None:
    """Defaults first; a dispatcher's PUT is kept; a planner's is refused; bad values are 422."""
    rules = client.get("/alert-rules", headers=keys.planner).json()
    assert rules["order_late"]["minutes"] == 15
    assert rules["notices"]["compensation"]["late"][0] == {
        "kind": "coupon", "amount": 50.0, "over_minutes": 30,
    }  # fmt: skip
    changed: dict[str, Any] = {**rules, "order_late": {**rules["order_late"], "minutes": 25}}
    assert_problem(client.put("/alert-rules", json=changed, headers=keys.planner), 403)
    answer = client.put("/alert-rules", json=changed, headers=keys.dispatcher)
    assert answer.status_code == 200, answer.text
    assert client.get("/alert-rules", headers=keys.admin).json()["order_late"]["minutes"] == 25
    wrong = {**rules, "route_silent": {"minutes": -1}}
    body = assert_problem(client.put("/alert-rules", json=wrong, headers=keys.admin), 422)
    assert "route_silent" in str(body["errors"])


def test_alerts_are_listed_filtered_and_acknowledged(
    client: TestClient, keys: Keys, api_store: Store, plan_id: int
) -> None:
    """The contract's fields; ``state=open`` filters; ack moves an alert to acknowledged."""
    _late(api_store, plan_id)
    page = client.get(f"/alerts?plan_id={plan_id}&state=open", headers=keys.planner).json()
    assert page["count"] == 2
    alert = page["data"][0]
    assert {"id", "rule", "subject", "severity", "state", "raised_at", "updated_at", "message",
            "plan_id"} <= alert.keys()  # fmt: skip
    assert (alert["rule"], alert["state"], alert["plan_id"]) == ("order_late", "open", plan_id)
    assert_problem(client.post(f"/alerts/{alert['id']}/ack", headers=keys.planner), 403)
    acked = client.post(f"/alerts/{alert['id']}/ack", headers=keys.dispatcher)
    assert acked.status_code == 200
    assert acked.json()["state"] == "acknowledged"
    listed = client.get("/alerts?state=acknowledged", headers=keys.admin).json()
    assert [a["id"] for a in listed["data"]] == [alert["id"]]
    assert client.get("/alerts?state=open", headers=keys.admin).json()["count"] == 1
    assert_problem(client.post("/alerts/999/ack", headers=keys.admin), 404)
    assert_problem(client.get("/alerts?state=lost", headers=keys.admin), 422)
    assert_problem(client.get("/alerts?plan_id=999", headers=keys.admin), 404)


def test_notices_show_what_they_promised(
    client: TestClient, keys: Keys, api_store: Store, plan_id: int
) -> None:
    """One group-leader notice for the pickup point, with its orders and its coupon."""
    _late(api_store, plan_id)
    page = client.get(f"/notices?plan_id={plan_id}", headers=keys.planner).json()
    assert page["count"] == 1
    (notice,) = page["data"]
    assert {"id", "to", "channel", "language", "text", "new_arrival", "reason", "compensation",
            "created_at", "sent_at"} <= notice.keys()  # fmt: skip
    assert (notice["stop"], notice["to"], notice["orders"]) == (
        "PP-1", "group_leader", ["A-1", "A-2"],
    )  # fmt: skip
    assert notice["compensation"] == {"kind": "coupon", "amount": 50.0}
    assert notice["language"] == "zh-TW"
    assert "https://d.example/t/" in notice["text"]
    assert datetime.fromisoformat(notice["new_arrival"]) == at("09:40")


def test_the_tracking_page_answers_a_live_token_only(
    client: TestClient, api_store: Store, plan_id: int
) -> None:
    """A live token gets the page under a strict CSP, never cached or indexed; an unknown
    or expired one the bare 404."""
    now = datetime.now(UTC)
    with api_store.write() as session:
        live = create_tracking_link(
            session, plan_id, stop="PP-1", vehicle="VAN#1", expires_at=now + timedelta(hours=1)
        )
        old = create_tracking_link(
            session, plan_id, order="A-1", vehicle="VAN#1", expires_at=now - timedelta(hours=1)
        )
    page = client.get(f"/t/{live}?lang=en")
    assert page.status_code == 200
    assert "Pickup point" in page.text
    assert "A-1, A-2" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["cache-control"] == "private, no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-robots-tag"] == "noindex, nofollow"
    assert client.get("/t/" + "x" * 43).status_code == 404
    assert client.get(f"/t/{old}").status_code == 404


def test_the_plan_list_counts_open_alerts(
    client: TestClient, keys: Keys, api_store: Store, plan_id: int
) -> None:
    """`open_alerts` per plan in the list and the summary; an acknowledged one is not open."""
    assert client.get("/plans", headers=keys.planner).json()["data"][0]["open_alerts"] == 0
    _late(api_store, plan_id)
    listed = client.get("/plans", headers=keys.planner).json()["data"]
    assert [(p["id"], p["open_alerts"]) for p in listed] == [(plan_id, 2)]
    alert = client.get(f"/alerts?plan_id={plan_id}", headers=keys.planner).json()["data"][0]
    assert client.post(f"/alerts/{alert['id']}/ack", headers=keys.dispatcher).status_code == 200
    summary = client.get(f"/plans/{plan_id}/summary", headers=keys.planner).json()
    assert summary["open_alerts"] == 1
