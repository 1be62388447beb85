"""The demo day replayed through the HTTP API with the injectable clock: drivers and carriers
post their events, the tick runs every five minutes, one route goes silent, one stop fails,
one cold stop is held up; every order ends delivered, failed with a reason or delivered by its
carrier, and the alerts, notices and webhook calls are exactly those computed apart in
:mod:`tests.api.live_day_expected`. Once more with a restart of the service in the middle."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from dispatch.intake.loading import load_request
from dispatch.live.live_day import LiveDay, LiveRoute, LiveStop, prepare_day
from dispatch.live.simulate import Delays, Incidents, SimEvent, simulate_day
from dispatch.live.wallclock import ManualClock
from dispatch.planning.plan import Plan
from dispatch.planning.validator import validate_plan
from dispatch.store import Role, Store, create_key, get_plan
from dispatch.store.outbox import OutboxMessage
from scenarios.demo import demo_request
from tests.api.live_day_expected import Expected

pytestmark = pytest.mark.slow

ORDERS = 200
HOOK_SECRET = "webhook-secret-for-tests"
TICK = timedelta(minutes=5)
CARRIER_SECRETS = {
    c["id"]: f"{c['id']}-secret-for-tests" for c in demo_request(orders=0)["carriers"]
}


class Hook:
    """A local webhook receiver that records every call (after checking its signature)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.bad: list[str] = []
        lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                expected = (
                    "sha256=" + hmac.new(HOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
                )
                with lock:
                    if not hmac.compare_digest(expected, self.headers.get("X-Signature", "")):
                        hook.bad.append(self.path)
                    hook.calls.append((self.path, self.headers["Idempotency-Key"], json.loads(raw)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[Hook]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


@contextmanager
def service(
    database_url: str, clock: ManualClock, hook: Hook, relay_s: float
) -> Iterator[TestClient]:
    """The service on ``database_url`` with the demo day; its relay runs every ``relay_s``
    seconds (0: only when the test drains it); its tick only when the test calls it."""
    settings = Settings(
        database_url=database_url, load_demo=True, demo_orders=ORDERS, workers=1, clock=clock,
        carrier_secrets=CARRIER_SECRETS, alert_webhook_url=f"{hook.url}/alerts",
        notice_webhook_url=f"{hook.url}/notices", webhook_secret=HOOK_SECRET,
        outbox_interval_s=relay_s, tick_interval_s=0,
    )  # fmt: skip
    with TestClient(create_app(settings)) as client:
        yield client


def _store(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def plan_demo_day(client: TestClient, headers: dict[str, str], day: str) -> int:
    accepted = client.post("/plans", json={"date": day, "options": {"time_limit_s": 2}},
                           headers=headers)  # fmt: skip
    assert accepted.status_code == 202, accepted.text
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(accepted.json()["status_url"], headers=headers).json()
        if job["status"] == "succeeded":
            return int(job["plan_id"])
        assert job["status"] in ("queued", "running"), job
        time.sleep(0.3)
    raise AssertionError("the plan job did not finish")


def incidents(day: LiveDay) -> Incidents:
    """A route silent for 50 min after its second stop, a failed stop on another, and a jam
    before the oldest cold stop of a third (or of any route but the silent one, when the
    plan has few routes) whose goods then pass the vehicle's limit by 25 min."""
    routes = sorted((r for r in day.routes if len(r.stops) >= 3), key=lambda r: -len(r.stops))
    assert len(routes) >= 2, "the demo plan has fewer than two routes of three stops"
    silent, failing = routes[0], routes[1]

    def cold_stops(among: list[LiveRoute]) -> list[tuple[LiveRoute, LiveStop]]:
        return [(lr, s) for lr in among for s in lr.stops[1:] if s.cold_limit is not None]

    cold = cold_stops(routes[2:]) or cold_stops(routes[1:])
    assert cold, "the demo plan has no cold stop after a route's first"
    lr, stop = max(cold, key=lambda c: c[1].arrival - c[0].departure)
    assert stop.cold_limit is not None
    hold = int(stop.cold_limit - (stop.arrival - lr.departure)) + 25
    return Incidents(
        silent={silent.route.vehicle: (silent.stops[1].visit.stop, 50)},
        failed={(failing.route.vehicle, failing.stops[2].visit.stop): "nobody"},
        held={(lr.route.vehicle, stop.visit.stop): hold},
    )


def _signed(body: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Signature": f"sha256={signature}", "Content-Type": "application/json"}


def post(client: TestClient, tokens: dict[str, str], event: SimEvent) -> None:
    if event.vehicle is not None:
        response = client.post(f"/d/{tokens[event.vehicle]}/events", json=dict(event.body))
    else:
        assert event.carrier is not None
        raw, headers = _signed(dict(event.body), CARRIER_SECRETS[event.carrier])
        response = client.post(f"/carriers/{event.carrier}/events", content=raw, headers=headers)
    assert response.status_code == 201, response.text


def every(client: TestClient, path: str, plan_id: int, headers: dict[str, str]) -> list[Any]:
    """All the plan's items of a paged list."""
    items: list[Any] = []
    while True:
        params = {"plan_id": plan_id, "limit": 500, "offset": len(items)}
        page = client.get(path, params=params, headers=headers).json()
        items += page["data"]
        if len(items) >= page["count"]:
            return items


@pytest.mark.parametrize("restart", [False, True], ids=["one-run", "restart-midday"])
def test_demo_day_raises_exactly_the_expected_alerts_and_notices(
    tmp_path: Path, restart: bool
) -> None:
    database_url = f"sqlite:///{tmp_path}/live-day.sqlite"
    day_text = demo_request(orders=0)["date"]
    clock = ManualClock(datetime.fromisoformat(f"{day_text}T06:00:00+08:00"))
    hook = Hook()
    with hook.running(), service(database_url, clock, hook, 0.05 if restart else 0) as client:
        store = _store(client)
        with store.write() as session:
            headers = {"Authorization": f"Bearer {create_key(session, Role.DISPATCHER)[1]}"}
        plan_id = plan_demo_day(client, headers, day_text)
        with store.read() as session:
            request = dict(get_plan(session, plan_id).job.request)
        plan_doc = client.get(f"/plans/{plan_id}", headers=headers).json()
        assert validate_plan(load_request(request), plan_doc) == []
        links = client.post(f"/plans/{plan_id}/driver-links", headers=headers).json()["links"]
        tokens = {v: link.rsplit("/", 1)[-1] for v, link in links.items()}
        rules = client.get("/alert-rules", headers=headers).json()
        rules["notices"]["channel"] = "webhook"
        assert client.put("/alert-rules", json=rules, headers=headers).status_code == 200

        day = prepare_day(Plan.model_validate(plan_doc), request, plan_id=plan_id)
        trouble = incidents(day)
        timeline = simulate_day(day, Delays(seed=21), trouble)
        expected = Expected(plan_doc, request)
        halfway = timeline[len(timeline) // 2].sent_at
        restarted = not restart
        next_tick = clock.now() + TICK
        for event in timeline:
            while next_tick <= event.sent_at:
                clock.set(next_tick)
                client.app.state.live.tick()  # type: ignore[attr-defined]
                expected.judge(next_tick)
                next_tick += TICK
            if not restarted and event.sent_at >= halfway:
                assert hook.calls, "the relay sent nothing before the restart"
                client.__exit__(None, None, None)
                client = TestClient(create_app(client.app.state.settings))  # type: ignore[attr-defined]
                client.__enter__()
                restarted = True
            clock.set(event.sent_at)
            post(client, tokens, event)
            if event.vehicle is not None:
                expected.receive(event.vehicle, event.body)
            expected.judge(event.sent_at)
        client.app.state.live.relay.drain()  # type: ignore[attr-defined]
        status = client.get(f"/plans/{plan_id}/status", headers=headers).json()
        alerts = every(client, "/alerts", plan_id, headers)
        notices = every(client, "/notices", plan_id, headers)
        events = every(client, f"/plans/{plan_id}/events", plan_id, headers)
        with _store(client).read() as session:
            unsent = session.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).count()
        client.__exit__(None, None, None)

    for source, sent in (("driver", lambda e: e.vehicle), ("carrier", lambda e: e.carrier)):
        listed = sorted(e["event_id"] for e in events if e["source"] == source)
        assert listed == sorted(e.body["event_id"] for e in timeline if sent(e) is not None)
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    failed_stops = {stop for _, stop in trouble.failed}
    unserved = {u["order"] for u in plan_doc["unserved"]}
    states = Counter(o["state"] for o in status["orders"] if o["order"] not in unserved)
    assert set(states) <= {"delivered", "failed", "carrier_delivered"}, states
    assert {o["order"] for o in status["orders"] if o["state"] == "unserved"} == unserved
    for order in status["orders"]:
        if order["state"] == "failed":
            assert (order["stop"], order["reason"]) in {(s, "nobody") for s in failed_stops}
    assert states["failed"] == sum(
        len(s.visit.orders) for lr in day.routes for s in lr.stops if s.visit.stop in failed_stops
    )
    assert states["carrier_delivered"] == sum(len(w.orders) for w in day.plan.outsourced)

    got_alerts = Counter((a["rule"], a["subject"], a["severity"], a["state"]) for a in alerts)
    assert got_alerts == Counter(expected.alerts)
    rules_raised = {rule for rule, *_ in expected.alerts}
    assert {"order_late", "stop_failed", "cold_chain", "route_silent"} <= rules_raised
    silent_vehicle = next(iter(trouble.silent))
    assert ("route_silent", f"route:{silent_vehicle}", "critical", "closed") in expected.alerts

    def subject(n: dict[str, Any]) -> str:
        if n["to"] == "customer":
            return f"order:{n['order']}"
        return f"stop:{n['vehicle']}/{n['stop']}"

    def promise(n: dict[str, Any]) -> tuple[str, float | None] | None:
        c = n["compensation"]
        return None if c is None else (c["kind"], c["amount"])

    got_notices = Counter((n["to"], subject(n), n["kind"], promise(n)) for n in notices)
    assert got_notices == Counter(expected.notices)
    assert any(kind == "delay" and p == ("coupon", 50.0) for _, _, kind, p in expected.notices)
    assert all(n["sent_at"] is not None for n in notices)

    assert hook.bad == []
    assert unsent == 0
    keys = [key for _, key, _ in hook.calls]
    assert len(keys) == len(set(keys)), "a message was sent twice"
    sent_alerts = Counter(
        (c["document"]["rule"], c["document"]["subject"], c["document"]["event"])
        for path, _, c in hook.calls
        if path == "/alerts"
    )
    assert sent_alerts == Counter(expected.transitions)
    sent_notices = sorted(c["document"]["id"] for path, _, c in hook.calls if path == "/notices")
    assert sent_notices == sorted(n["id"] for n in notices)
