"""The app and small stored plans with driver links, for the driver-page tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from dispatch.store import Store, create_driver_link
from scenarios.driver_plans import (
    DEPOT,
    TZ,
    StoredPlan,
    make_plan,
    make_request,
    store_plan,
    today,
)

__all__ = [
    "DEPOT",
    "TZ",
    "StoredPlan",
    "build_app",
    "expired_token",
    "make_plan",
    "make_request",
    "store_plan",
    "today",
]


def build_app(database_url: str) -> FastAPI:
    """The service app on ``database_url``, without the demo data."""
    return create_app(Settings(database_url=database_url, load_demo=False, workers=1))


def expired_token(store: Store, stored: StoredPlan, vehicle: str) -> str:
    """A link for ``vehicle`` that expired an hour ago."""
    past = datetime.now(ZoneInfo("UTC")) - timedelta(hours=1)
    with store.write() as session:
        return create_driver_link(session, stored.plan_id, vehicle, past)
