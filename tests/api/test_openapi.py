"""The OpenAPI document: examples and roles for every operation, and a schemathesis run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from api.app import create_app
from api.settings import Settings
from dispatch.store import Role, Store, create_key, replace_network, validate_network
from tests.api.conftest import live_server
from tests.dispatch.store.conftest import NETWORK

CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
    checks.status_code_conformance,
]


def _operations(app: FastAPI) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _has_example(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    def media_examples(content: dict[str, Any]) -> bool:
        for media in content.values():
            if "example" in media or "examples" in media:
                return True
            ref = media.get("schema", {}).get("$ref", "")
            schema = components.get(ref.rsplit("/", 1)[-1], {})
            if "examples" in schema:
                return True
        return False

    body = operation.get("requestBody", {}).get("content", {})
    ok = operation["responses"].get(
        next(c for c in operation["responses"] if c.startswith("2")), {}
    )
    return media_examples(body) or media_examples(ok.get("content", {}))


def test_every_operation_is_documented_with_an_example() -> None:
    """Each operation has a summary, an example, and (but /health, /metrics) its roles."""
    app = create_app(Settings(database_url="sqlite:///unused.sqlite", load_demo=False))
    components = app.openapi()["components"]["schemas"]
    for path, method, operation in _operations(app):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        if path.startswith("/d/") or path.startswith("/maps"):
            continue
        assert _has_example(operation, components), f"{where} has no example"
        if path not in ("/health", "/metrics"):
            assert "**Roles:**" in operation.get("description", ""), where
            assert "401" in operation["responses"], where


@pytest.mark.slow
def test_api_never_fails_and_keeps_its_schema(database_url: str) -> None:
    """Generated valid and invalid calls to every operation, with an admin key: no 500, and
    every answer matches the documented status codes, media types and schemas."""
    app = create_app(Settings(database_url=database_url, load_demo=False, workers=1))
    with live_server(app) as base:
        store: Store = app.state.store
        with store.write() as session:
            headers = {"Authorization": f"Bearer {create_key(session, Role.ADMIN)[1]}"}
            replace_network(session, validate_network(NETWORK))
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
        schema.config.update(base_url=base)
        for result in schema.get_all_operations():
            operation = result.ok()
            cases = st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE),
                operation.as_strategy(GenerationMode.NEGATIVE),
            )

            @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck),
                      database=None)  # fmt: skip
            @given(cases)
            def call(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            call()
