"""One cache type for rendered pages and maps: bounded, least recently used out first."""

from __future__ import annotations

import gzip

from api.views.cache import Rendered, RenderedPages


def test_the_least_recently_used_page_leaves_first() -> None:
    """With room for two, reading the first keeps it and the second leaves."""
    pages: RenderedPages[str] = RenderedPages(2)
    for key in ("a", "b"):
        pages.put(key, Rendered.of(key))
    assert pages.get("a") is not None
    pages.put("c", Rendered.of("c"))
    assert (pages.get("a"), pages.get("b")) != (None, None)
    assert pages.get("b") is None
    assert len(pages) == 2


def test_pages_are_dropped_by_key() -> None:
    """A route's events change: its pages, and only its, are dropped."""
    pages: RenderedPages[tuple[int, str]] = RenderedPages(8)
    for key in ((1, "V01"), (1, "V02"), (2, "V01")):
        pages.put(key, Rendered.of(str(key)))
    assert pages.discard(lambda key: key == (1, "V01")) == 1
    assert pages.get((1, "V01")) is None
    assert len(pages) == 2


def test_a_rendered_page_keeps_its_gzip() -> None:
    """The gzip form is the same HTML."""
    page = Rendered.of("<p>台北</p>")
    assert gzip.decompress(page.gzipped) == page.html == "<p>台北</p>".encode()
