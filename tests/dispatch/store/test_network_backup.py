"""A region's backup carrier is stored in its column and given back in its feature."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from dispatch.store import Store, load_network, replace_network, validate_network
from dispatch.store.models import Region
from tests.dispatch.store.conftest import NETWORK

SQUARE = [[[121.5, 25.0], [121.6, 25.0], [121.6, 25.1], [121.5, 25.0]]]


def test_a_backup_carrier_round_trips(store: Store) -> None:
    doc: dict[str, Any] = copy.deepcopy(NETWORK)
    doc["carriers"] = [{"id": "CAT"}, {"id": "POST"}]
    doc["regions"] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "Xinyi", "backup_carrier": "POST"},
         "geometry": {"type": "Polygon", "coordinates": SQUARE}}]}  # fmt: skip
    with store.write() as session:
        replace_network(session, validate_network(doc))
    with store.read() as session:
        assert session.scalar(select(Region.backup_carrier)) == "POST"
        features = load_network(session)["regions"]["features"]
        assert features[0]["properties"]["backup_carrier"] == "POST"
