"""Structured request logs: JSON lines, no Authorization values, driver tokens redacted."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from api.logs import JsonFormatter, redact_path
from tests.api.conftest import Keys


def test_driver_tokens_are_redacted() -> None:
    assert redact_path("/d/kq1J0vSECRET") == "/d/***"
    assert redact_path("/d/kq1J0vSECRET/events") == "/d/***/events"
    assert redact_path("/plans/3") == "/plans/3"


def test_request_logs_hold_no_secrets(
    client: TestClient, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    """One JSON line per request with route template and status; no key, no token."""
    secret = keys.admin["Authorization"].removeprefix("Bearer ")
    with caplog.at_level(logging.INFO, logger="dispatch.access"):
        client.get("/plans/7", headers=keys.admin)
        client.get("/d/SECRET-TOKEN-123", headers=keys.admin)
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "dispatch.access"]
    entries = [json.loads(line) for line in lines]
    assert entries[0] | {"duration_ms": 0, "time": ""} == {
        "time": "", "level": "info", "logger": "dispatch.access", "message": "request",
        "method": "GET", "path": "/plans/7", "route": "/plans/{plan_id}", "status": 404,
        "duration_ms": 0,
    }  # fmt: skip
    assert entries[1]["path"] == "/d/***"
    assert secret not in "".join(lines)
    assert "SECRET-TOKEN-123" not in "".join(lines)
