"""A dispatcher signs in through the form in headless Chromium and lands on the console."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dispatch.store import Role, create_user
from dispatch.store.models import utcnow
from tests.browser.conftest import NEEDS_CHROMIUM, WATCH_CSP, Browser, Service

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]

PASSWORD = "correct horse battery"


@pytest.fixture
def page(browser: Browser) -> Iterator[Any]:
    p = browser.context.new_page()
    yield p
    p.close()


def test_a_dispatcher_signs_in_and_out_through_the_form(
    service: Service, browser: Browser, page: Any, artifacts: Path
) -> None:
    """Opening the console leads to the sign-in form; signing in there leads back to the
    console, which names the person and role; signing out ends it. No console errors, no
    policy violations, nothing fetched from outside, and the cookie is out of scripts' reach."""
    with service.store.write() as session:
        create_user(session, "mei", PASSWORD, Role.DISPATCHER, now=utcnow())
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH_CSP)

    page.goto(f"{service.base_url}/console")
    assert page.url == f"{service.base_url}/sign-in?next=%2Fconsole"
    assert page.locator("html").get_attribute("lang") == "zh-TW"
    page.fill("#username", "Mei")
    page.fill("#password", PASSWORD)
    page.screenshot(path=str(artifacts / "sign-in.png"), full_page=True)
    page.click("#sign-in button[type=submit]")
    page.wait_for_url(f"{service.base_url}/console")

    assert page.locator("#user-name").text_content() == "mei"
    assert page.locator("#user-role").text_content() == "調度員"
    assert page.evaluate("document.cookie") == ""
    cookies = {c["name"]: c for c in browser.context.cookies(service.base_url)}
    session = cookies["dispatch_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    page.screenshot(path=str(artifacts / "console.png"), full_page=True)

    page.click("#sign-out button[type=submit]")
    page.wait_for_url(f"{service.base_url}/sign-in?signed_out=1&lang=zh-TW")
    assert "您已登出" in (page.locator("[role=status]").text_content() or "")
    assert "dispatch_session" not in {c["name"] for c in browser.context.cookies()}
    page.goto(f"{service.base_url}/console")
    assert page.url.startswith(f"{service.base_url}/sign-in?next=")

    assert errors == []
    assert page.evaluate("window.__cspViolations") == []
    assert browser.blocked == []
