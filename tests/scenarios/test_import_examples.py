"""Each platform's sample file under scenarios/examples/imports imports cleanly into the demo
network: every order stored, no error, nothing reported as a duplicate."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dispatch.intake.imports import MAPPINGS, import_orders, read_orders
from dispatch.store import Store, orders_on, pickup_points, replace_network, validate_network
from scenarios.demo import demo_request

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "imports"
DAY = date(2026, 11, 11)


def test_there_is_a_sample_per_platform() -> None:
    assert sorted(p.stem for p in EXAMPLES.iterdir()) == sorted(MAPPINGS)


@pytest.mark.parametrize("platform", sorted(MAPPINGS))
def test_each_sample_imports_cleanly(store: Store, platform: str) -> None:
    (path,) = EXAMPLES.glob(f"{platform}.*")
    network = demo_request(7, orders=1, date=DAY.isoformat())
    network.pop("orders")
    read = read_orders(path.read_bytes(), filename=path.name)
    assert read.mapping == platform
    with store.write() as session:
        replace_network(session, validate_network(network))
        report = import_orders(session, read, points=pickup_points(session), actor="test")
    assert (report.errors, report.duplicates) == ([], [])
    assert report.stored == len(read.candidates) >= 2
    with store.read() as session:
        stored = orders_on(session, DAY)
    assert {o["id"] for o in stored} == {c.order["id"] for c in read.candidates}
    prefix = MAPPINGS[platform].id_prefix
    assert all(o["id"].startswith(prefix) for o in stored)
