"""A dispatcher's whole day in the console, in headless Chromium, offline, on a fresh database:
sign in, import (a bad file first), plan with progress, publish, open a driver link on a
phone, download its route sheet, correct an order, plan again, publish, and see the old
link show the new route. Every plan made is checked by the independent validator."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from api.views.console_plan import qr_maker
from dispatch.intake.loading import load_request
from dispatch.planning.validator import validate_plan
from dispatch.store import (
    Role,
    create_user,
    get_plan,
    list_orders,
    replace_network,
    validate_network,
)
from dispatch.store.models import utcnow
from tests.api.driver_data import build_app
from tests.browser.conftest import NEEDS_CHROMIUM, WATCH_CSP, Browser, Service, serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]

PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
WINDOW = [{"start": "08:00", "end": "20:00"}]
NETWORK: dict[str, Any] = {
    "timezone": "Asia/Taipei",
    "depots": [{"id": "DC-N", "name": "北區倉", "location": {"lat": 25.06, "lon": 121.52},
                "open": "06:00", "close": "22:00"}],
    "vehicles": [{"id": "VAN", "depot": "DC-N", "count": 2,
                  "capacity": {"weight_kg": 800, "volume_l": 4000, "chilled_l": 1500,
                               "frozen_l": 500},
                  "shift": {"start": "07:00", "end": "21:00"},
                  "cost": {"fixed": 800, "per_km": 9, "per_hour": 300}}],
    "pickup_points": [
        {"id": f"PP-{k}", "name": name, "location": {"lat": lat, "lon": lon},
         "time_windows": WINDOW, "service_minutes": 5}
        for k, (name, lat, lon) in enumerate(
            [("信義松仁", 25.035, 121.568), ("大安忠孝", 25.041, 121.544),
             ("中山南京", 25.052, 121.533), ("內湖瑞光", 25.078, 121.575),
             ("士林天母", 25.118, 121.530), ("板橋文化", 25.013, 121.462)], start=1)
    ],
}  # fmt: skip
LINK_KEY = "walk-the-day-link-key-0123456789abcdef"


def _csv(day: str, rows: list[str]) -> bytes:
    head = "id,platform,date,customer,pickup_point,qty,sku,temperature,weight_kg,volume_l\n"
    return (head + "".join(f"{r.format(day=day)}\n" for r in rows)).encode()


GOOD = [
    "LINE-1,line,{day},王小明,PP-1,2,tofu,chilled,0.5,0.6",
    "LINE-2,line,{day},李美玲,PP-2,1,milk,chilled,1.1,1.1",
    "WEB-3,web,{day},陳大文,PP-3,3,rice,ambient,2,2.5",
    "WEB-4,web,{day},林小華,PP-4,1,eggs,ambient,0.7,1",
    "APP-5,app,{day},張家豪,PP-5,2,fish,frozen,1,1",
    "APP-6,app,{day},黃淑芬,PP-6,4,bread,ambient,0.3,0.8",
]
BAD = [
    *GOOD[:4],
    "APP-5,app,{day},張家豪,PP-404,2,fish,ambient,1,1",
    "APP-6,app,{day},黃淑芬,PP-6,x,bread,ambient,0.3,0.8",
]
"""The good file with two bad rows: an unknown pickup point and a quantity that is no number."""


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The app on a fresh SQLite file with the link key (so the console lists live links)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("DISPATCH_TILES_URL", "")
    mp.setenv("DISPATCH_COOKIE_SECURE", "false")
    mp.setenv("DISPATCH_LINK_KEY", LINK_KEY)
    db = tmp_path_factory.mktemp("walk") / "dispatch.sqlite"
    try:
        with serving(build_app(f"sqlite:///{db}")) as service:
            yield service
    finally:
        mp.undo()


class Walk:
    """One browser tab, with what it saw go wrong, and a numbered screenshot per step."""

    def __init__(self, page: Any, base: str, artifacts: Path) -> None:
        self.page, self.base, self.folder = page, base, artifacts / "console-walk"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.errors: list[str] = []
        self.step = 0
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.add_init_script(WATCH_CSP)

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)
        assert self.page.evaluate("window.__cspViolations") == [], name

    def upload(self, content: bytes) -> None:
        self.page.goto(f"{self.base}/console")
        self.page.set_input_files(
            "#file", {"name": "orders.csv", "mimeType": "text/csv", "buffer": content}
        )
        self.page.click("#import-form button[type=submit]")
        self.page.wait_for_selector("#nothing-stored")

    def plan_day(self) -> int:
        """Plan the day from the Today page, watch the job, open and validate its plan."""
        self.page.goto(f"{self.base}/console")
        self.page.fill("#time-limit", "2")
        self.page.click("#plan-form button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/console/jobs/"))
        self.page.wait_for_selector("#job-plan:not([hidden])", timeout=120_000)
        costs = [
            float(c) for c in self.page.locator("#cost-history li").evaluate_all(
                "items => items.map(i => i.getAttribute('data-cost'))")
        ]  # fmt: skip
        assert costs, "the progress page showed no cost"
        assert costs == sorted(costs, reverse=True), costs
        self.shot("progress")
        self.page.click("#job-plan")
        self.page.wait_for_url(re.compile(r".*/console/plans/\d+"))
        found = re.search(r"/console/plans/(\d+)", self.page.url)
        assert found is not None
        return int(found.group(1))


def _sheet_cells(body: bytes) -> list[str]:
    """Every filled cell of the workbook's first sheet, as text."""
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


def _validated(service: Service, plan_id: int) -> dict[str, Any]:
    """The stored plan, after the independent validator found nothing wrong with it."""
    with service.store.read() as session:
        record = get_plan(session, plan_id)
        request, document = record.job.request, json.loads(record.document)
    assert validate_plan(load_request(request), document) == []
    return document


def _stop_names(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#stops h2").all_text_contents()]


def test_a_dispatcher_walks_the_day_in_the_console(
    service: Service, browser: Browser, artifacts: Path
) -> None:
    day = datetime.now(ZoneInfo("Asia/Taipei")).date().isoformat()
    with service.store.write() as session:
        replace_network(session, validate_network(NETWORK))
        create_user(session, "mei", PASSWORD, Role.DISPATCHER, now=utcnow())
    walk = Walk(browser.context.new_page(), service.base_url, artifacts)
    page = walk.page

    page.goto(f"{service.base_url}/console")
    page.fill("#username", "mei")
    page.fill("#password", PASSWORD)
    page.click("#sign-in button[type=submit]")
    page.wait_for_url(f"{service.base_url}/console")
    walk.shot("today-empty")

    walk.upload(_csv(day, BAD))
    rejected = page.locator("#rejected tbody tr")
    assert rejected.count() == 2
    assert [c.strip() for c in page.locator("#rejected td.field").all_text_contents()] == [
        "pickup_point", "items[0].qty",
    ]  # fmt: skip
    assert "APP-5" in rejected.nth(0).text_content()  # type: ignore[operator]
    assert "APP-6" in rejected.nth(1).text_content()  # type: ignore[operator]
    walk.shot("preview-bad-rows")
    with service.store.read() as session:
        assert list_orders(session, day=None, limit=10, offset=0).count == 0

    walk.upload(_csv(day, GOOD))
    assert page.locator("#rejected").count() == 0
    assert page.locator("#will-store tbody tr").count() == 6
    walk.shot("preview-good")
    page.click("#confirm-form button[type=submit]")
    page.wait_for_selector("#notice")
    assert page.locator("#order-total").text_content() == "6"
    walk.shot("today-imported")

    first = walk.plan_day()
    plan = _validated(service, first)
    walk.shot("plan")
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#plan-state-label.ok")
    walk.shot("plan-published")

    route = page.locator("article.route").first
    vehicle = route.get_attribute("data-vehicle")
    link = route.locator("a.driver-link").get_attribute("href")
    assert vehicle is not None
    assert link is not None
    assert link.startswith("/d/")
    assert route.locator(".qr svg").count() == (1 if qr_maker() is not None else 0)
    sheet = route.locator("a.sheet-xlsx").get_attribute("href")

    phone = browser.context.new_page()
    driver = Walk(phone, service.base_url, artifacts)
    driver.step = 50
    phone.set_viewport_size(PHONE)
    phone.goto(f"{service.base_url}{link}")
    names = next(r for r in plan["routes"] if r["vehicle"] == vehicle)["stops"]
    assert _stop_names(phone) == [s["name"] for s in names]
    assert phone.locator("#route-changed").count() == 0
    driver.shot("driver-phone")

    answer = page.request.get(f"{service.base_url}{sheet}")
    assert answer.status == 200
    cells = _sheet_cells(answer.body())
    assert any(vehicle in c for c in cells)
    assert all(any(s["name"] in c for c in cells) for s in names)

    page.goto(f"{service.base_url}/console/orders?q=LINE-1")
    page.click("#order-list a")
    page.wait_for_selector("#correct-form")
    page.select_option("#pickup-point", "PP-6")
    page.fill("#qty-0", "5")
    walk.shot("order-correct")
    page.click("#correct-form button[type=submit]")
    page.wait_for_selector("#notice")
    assert page.locator(".history-entry").count() == 2  # imported, then corrected
    assert page.locator("#replan-note").count() == 1
    walk.shot("order-corrected")

    second = walk.plan_day()
    assert second != first
    replanned = _validated(service, second)
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#plan-state-label.ok")
    walk.shot("replan-published")
    page.goto(f"{service.base_url}/console/plans/{first}")
    assert page.locator("#plan-state-label.old").count() == 1

    phone.reload()
    new_route = next((r for r in replanned["routes"] if r["vehicle"] == vehicle), None)
    if new_route is None:
        assert phone.locator("#route-replaced").count() == 1
    else:
        phone.wait_for_selector("#route-changed")
        assert _stop_names(phone) == [s["name"] for s in new_route["stops"]]
    driver.shot("driver-phone-new-route")

    page.goto(f"{service.base_url}/console/plans/{second}/live")
    walk.shot("live")
    page.goto(f"{service.base_url}/console?lang=en")
    walk.shot("today-en")
    page.set_viewport_size(PHONE)
    for name, path in (("today-phone", "/console"), ("plan-phone", f"/console/plans/{second}")):
        page.goto(f"{service.base_url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, name
        walk.shot(name)
    assert walk.errors == []
    assert driver.errors == []
    assert browser.blocked == []
