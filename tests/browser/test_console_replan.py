"""A dispatcher re-plans a day from the console in headless Chromium, offline: a van breaks
down at 10:00 (the form's time by the service's clock), the job's progress is watched, and
the new version shows what changed, its Publish button and the day's versions. The first
plan and the re-plan are both checked by the independent validator."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.app import create_app
from api.settings import Settings
from dispatch.intake.loading import load_request
from dispatch.live.wallclock import ManualClock
from dispatch.planning.day import plan_day
from dispatch.planning.validator import validate_plan, validate_replan
from dispatch.replan.job import job_state
from dispatch.store import (
    JobSource,
    Role,
    create_job,
    create_user,
    get_job,
    get_plan,
    save_plan,
    start_job,
)
from dispatch.store.models import utcnow
from tests.browser.conftest import NEEDS_CHROMIUM, WATCH_CSP, Browser, Service, serving
from tests.browser.test_console_walk import NETWORK, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, NEEDS_CHROMIUM]

DAY = date(2026, 11, 11)
NOW = datetime(2026, 11, 11, 10, 0, tzinfo=ZoneInfo("Asia/Taipei"))
ORDERS = [
    {"id": f"O-{k}-{n}", "platform": "line", "pickup_point": f"PP-{k}",
     "items": [{"sku": "rice", "qty": 1, "weight_kg": 100, "volume_l": 100}]}
    for k in range(1, 7) for n in (1, 2)
]  # fmt: skip
"""Twelve orders of 100 kg: more than one van carries, so both vans leave."""


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The app on a fresh SQLite file, on a clock standing at 10:00 of the day."""
    db = tmp_path_factory.mktemp("replan") / "dispatch.sqlite"
    settings = Settings(
        database_url=f"sqlite:///{db}", load_demo=False, workers=1, tiles_url="",
        cookie_secure=False, progress_interval_s=0.2, tick_interval_s=0,
    )  # fmt: skip
    with serving(create_app(settings, clock=ManualClock(NOW))) as service:
        yield service


def _first_plan(service: Service) -> int:
    """The day planned and checked by the validator, stored as the worker stores it."""
    document: dict[str, Any] = {
        "date": DAY.isoformat(), **NETWORK, "orders": ORDERS,
        "options": {"time_limit_s": 2, "seed": 0},
    }  # fmt: skip
    request = load_request(document)
    plan = plan_day(request)
    assert validate_plan(request, plan.document()) == []
    assert len(plan.routes) == 2
    with service.store.write() as session:
        create_user(session, "mei", PASSWORD, Role.DISPATCHER, now=utcnow())
        job = create_job(
            session, request=document, plan_date=DAY, source=JobSource.REQUEST, time_limit_s=2,
            actor="test",
        )  # fmt: skip
        start_job(session, job.id)
        return save_plan(session, job.id, plan).id


def test_a_dispatcher_replans_after_a_breakdown(
    service: Service, browser: Browser, artifacts: Path
) -> None:
    first = _first_plan(service)
    folder = artifacts / "console-replan"
    folder.mkdir(parents=True, exist_ok=True)
    page = browser.context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH_CSP)
    base = service.base_url

    page.goto(f"{base}/console/plans/{first}?lang=en")
    page.fill("#username", "mei")
    page.fill("#password", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#replan-form")
    assert page.input_value("#replan-at") == "2026-11-11T10:00"
    broken = page.locator("#vehicles-down input[type=checkbox]").first
    vehicle = broken.get_attribute("value")
    assert vehicle is not None
    broken.check()
    page.locator("#vehicles-down input[type=time]").first.fill("10:00")
    page.fill("#replan-time-limit", "2")
    page.screenshot(path=str(folder / "01-form.png"), full_page=True)
    page.click("#replan-form button[type=submit]")

    page.wait_for_url(re.compile(r".*/console/jobs/"))
    page.wait_for_selector("#job-plan:not([hidden])", timeout=120_000)
    page.screenshot(path=str(folder / "02-job.png"), full_page=True)
    job_id = page.url.split("/console/jobs/")[1].split("?")[0]
    page.click("#job-plan")
    page.wait_for_url(re.compile(r".*/console/plans/\d+\?lang=en#changes"))
    second = int(re.search(r"/console/plans/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert second != first

    with service.store.read() as session:
        request, _, state, spec, previous = job_state(session, get_job(session, job_id).request)
        new = json.loads(get_plan(session, second).document)
    assert (previous, [d.vehicle for d in spec.vehicles_down]) == (first, [vehicle])
    assert validate_replan(request, state.document(), new) == []
    assert vehicle not in {r["vehicle"] for r in new["routes"] if r["stops"]} or all(
        s["arrival"] <= "10:00" for r in new["routes"] if r["vehicle"] == vehicle
        for s in r["stops"]
    )  # fmt: skip

    moved = page.locator("#orders-moved tbody tr")
    assert moved.count() == len(new["changes"]["orders_moved"]) > 0
    assert all(vehicle in row for row in moved.all_text_contents())
    arrivals = page.locator("#arrivals-moved tbody tr")
    assert arrivals.count() == len(new["changes"]["arrivals_moved"])
    for row, move in zip(arrivals.all(), new["changes"]["arrivals_moved"], strict=True):
        texts = [c.strip() for c in row.locator("td").all_text_contents()]
        assert texts[:4] == [move["stop"], move["vehicle"], move["before"], move["after"]]
    assert page.locator("#cost-difference").text_content() == (
        f"{new['changes']['cost_difference']:+,.0f}"
    )
    assert page.locator("#publish-form").count() == 1
    assert page.locator("#versions-table tbody tr").count() == 2
    page.screenshot(path=str(folder / "03-changes.png"), full_page=True)
    assert page.evaluate("window.__cspViolations") == []

    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#plan-state-label.ok")
    page.screenshot(path=str(folder / "04-published.png"), full_page=True)
    assert errors == []
    assert browser.blocked == []
