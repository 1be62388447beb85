"""The scenario report opened from disk in headless Chromium with no network: charts drawn."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, WATCH_CSP
from tests.scenarios.report_data import HOSTILE, tiny_result

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture(scope="module")
def offline_page() -> Iterator[tuple[Any, list[str]]]:
    """A Chromium page that may load local files only; other requests are refused and kept."""
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tempfile.mkdtemp(prefix="dispatch-chromium-")
    blocked: list[str] = []
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip

        def gate(route: Any) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        try:
            yield context.new_page(), blocked
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def test_report_draws_its_charts_offline(
    offline_page: tuple[Any, list[str]], artifacts: Path, tmp_path: Path
) -> None:
    page, blocked = offline_page
    result = tiny_result(str(tmp_path))
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(WATCH_CSP)
    page.goto(Path(str(result["report"])).as_uri())
    page.wait_for_function("document.body.dataset.charts !== undefined", timeout=15_000)
    assert page.evaluate("document.body.dataset.charts") == "5"
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas')).map((c) => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let ink = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) ink++; }
            return ink; })"""
    )
    assert len(drawn) == 5
    assert all(ink > 500 for ink in drawn), drawn
    assert HOSTILE in page.locator("#comparison").text_content()
    page.screenshot(path=str(artifacts / "scenario-report.png"), full_page=True)
    assert errors == []
    assert dialogs == []
    assert blocked == []
    assert page.evaluate("window.__cspViolations") == []
