"""The stored network."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from dispatch.intake.loading import RequestError, load_request
from dispatch.store import (
    ConflictError,
    NewOrder,
    Store,
    add_batch,
    load_network,
    network_is_empty,
    record_counts,
    replace_network,
    validate_network,
)
from dispatch.store.models import ImportBatch


def test_network_round_trips_as_request_parts(store: Store, network: dict[str, Any]) -> None:
    """What is stored comes back as a request's parts that validate with a day's orders."""
    with store.read() as session:
        doc = load_network(session)
        assert record_counts(session) == {
            "depots": 1, "vehicles": 1, "pickup_points": 2, "regions": 0, "carriers": 0,
        }  # fmt: skip
    request = load_request({**doc, "date": "2026-11-11", "orders": []})
    assert [v.unit_ids() for v in request.vehicles] == [["VAN#1", "VAN#2"]]
    assert request.pickup_points[0].time_windows[0].start == 9 * 60


def test_invalid_network_lists_every_problem() -> None:
    """Unknown references and bad windows are reported together, by record and field."""
    doc = {
        "depots": [{"id": "DC", "location": {"lat": 25, "lon": 121}}],
        "vehicles": [{"id": "V", "depot": "NOPE"}],
        "pickup_points": [{"id": "P", "location": {"lat": 25, "lon": 121},
                           "time_windows": [{"start": "10:00", "end": "09:00"}]}],
        "regions": {"type": "FeatureCollection", "features": [{"type": "Feature"}]},
    }  # fmt: skip
    with pytest.raises(RequestError) as caught:
        validate_network(doc)
    fields = {(e.record, e.field) for e in caught.value.errors}
    assert ("vehicles[0]", "depot") in fields
    assert ("pickup_points[0]", "time_windows[0].end") in fields


def test_pickup_points_in_use_cannot_be_removed(store: Store, network: dict[str, Any]) -> None:
    """Replacing the network keeps stored orders' pickup points: removing one is a conflict."""
    with store.write() as session:
        batch = ImportBatch(sha256="0" * 64, format="json", mapping="contract",
                            created_by="t", received=1, stored=1, report={})  # fmt: skip
        add_batch(session, batch, [NewOrder("A-1", "line", date(2026, 11, 11), {"id": "A-1"},
                                            pickup_point="PP-1")])  # fmt: skip
    smaller = copy.deepcopy(network)
    smaller["pickup_points"] = smaller["pickup_points"][1:]
    with pytest.raises(ConflictError, match="PP-1"), store.write() as session:
        replace_network(session, validate_network(smaller))
    with store.read() as session:
        assert record_counts(session)["pickup_points"] == 2


def test_empty_until_something_is_stored(store: Store) -> None:
    """A new database is empty (the demo data is loaded only then)."""
    with store.read() as session:
        assert network_is_empty(session)
