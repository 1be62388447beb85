"""The built-in demo data, loaded into an empty database on first start."""

from __future__ import annotations

import logging
from datetime import date

from dispatch.intake.imports import import_orders, read_json_orders
from dispatch.store import (
    Store,
    audit,
    network_is_empty,
    pickup_points,
    replace_network,
    validate_network,
)
from scenarios.demo import demo_request

log = logging.getLogger("dispatch.demo")


def load_demo(store: Store, *, orders: int = 600) -> bool:
    """Store the demo network and the demo day's orders if the database is empty."""
    doc = demo_request(orders=orders)
    with store.write() as session:
        if not network_is_empty(session):
            return False
        counts = replace_network(session, validate_network(doc))
        read = read_json_orders(doc["orders"], default_date=date.fromisoformat(doc["date"]))
        report = import_orders(
            session, read, points=pickup_points(session), travel=doc["travel"], actor="demo",
            filename="demo", keep_valid=True,
        )  # fmt: skip
        audit(session, "demo", "network.replace", "network", **counts)
        audit(session, "demo", "orders.import", f"batch:{report.batch_id}", stored=report.stored)
    log.info("demo data loaded", extra={"date": doc["date"], "orders": report.stored, **counts})
    return True
