"""Security headers: nosniff everywhere, a CSP on every HTML page, and the self-hosted docs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.headers import STRICT_CSP


def test_every_response_refuses_mime_sniffing(client: TestClient) -> None:
    for path in ("/health", "/openapi.json", "/plans", "/no-such-page"):
        assert client.get(path).headers["x-content-type-options"] == "nosniff", path


def test_the_docs_page_is_fixed_markup_under_a_csp_without_inline_script(
    client: TestClient,
) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "script-src 'self';" in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "<script>" not in response.text
    assert 'data-openapi="/openapi.json"' in response.text
    assert "cdn" not in response.text.lower()


def test_the_docs_assets_come_from_the_service(client: TestClient) -> None:
    for path in ("/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-ui/swagger-ui.css",
                 "/static/app/docs/docs.js"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
        assert len(response.content) > 10
    assert client.get("/static/swagger-ui/index.html").status_code == 404
    assert client.get("/static/swagger-ui/redoc.standalone.js").status_code == 200


def test_an_html_page_without_a_policy_of_its_own_gets_the_strictest(client: TestClient) -> None:
    """A route that sends HTML and says nothing of its policy still gets one."""
    from fastapi.responses import HTMLResponse

    client.app.add_api_route(  # type: ignore[attr-defined]
        "/bare", lambda: HTMLResponse("<p>bare</p>"), include_in_schema=False
    )
    response = client.get("/bare")
    assert response.headers["content-security-policy"] == STRICT_CSP
    assert response.headers["x-frame-options"] == "DENY"
