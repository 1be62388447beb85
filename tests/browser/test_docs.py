"""The API documentation page in headless Chromium: Swagger UI draws under its CSP, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import NEEDS_CHROMIUM, Browser, Service

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]


def test_swagger_ui_draws_every_tag_with_no_console_error(
    service: Service, browser: Browser, artifacts: Path
) -> None:
    page: Any = browser.context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        response = page.goto(f"{service.base_url}/docs")
        assert response is not None
        assert response.status == 200
        page.wait_for_selector(".opblock-tag", timeout=15_000)
        tags = page.locator(".opblock-tag").all_inner_texts()
        assert any(t.strip().startswith("plans") for t in tags), tags
        page.screenshot(path=str(artifacts / "api-docs.png"))
    finally:
        page.close()
    assert problems == []
    assert browser.blocked == []


REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
"""ReDoc's menu always links its maker's logo from a CDN; the policy blocks it, and only it."""


def test_redoc_draws_the_operations_with_no_console_error(
    service: Service, browser: Browser, artifacts: Path
) -> None:
    """Everything but the maker's logo loads from the service; nothing else is refused."""
    page: Any = browser.context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        response = page.goto(f"{service.base_url}/redoc")
        assert response is not None
        assert response.status == 200
        assert "script-src 'self';" in response.headers["content-security-policy"]
        page.wait_for_selector("h2:has-text('plans')", timeout=20_000)
        page.screenshot(path=str(artifacts / "api-redoc.png"))
    finally:
        page.close()
    assert [p for p in problems if REDOC_LOGO not in p] == []
    assert browser.blocked == []
