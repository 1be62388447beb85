"""Signing in and out in the browser: the cookie, the form, expiry, redirects, keys and roles."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.app import create_app
from api.session import SignInLimiter, safe_next
from api.settings import Settings
from dispatch.store import (
    Role,
    Store,
    create_user,
    disable_user,
    list_audit,
)
from dispatch.store.models import UserSession, utcnow
from tests.api.conftest import Keys, assert_problem
from tests.api.session_data import (
    COOKIE,
    HTML,
    LINKS,
    PASSWORD,
    form_token,
    plain_http_settings,
    session_csrf,
    sign_in,
    snapshot,
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return plain_http_settings(database_url)


@pytest.fixture
def people(api_store: Store) -> None:
    """One person per role, named after it."""
    with api_store.write() as session:
        for role in Role:
            create_user(session, role.value, PASSWORD, role, now=utcnow())


@pytest.fixture
def admin_person(api_store: Store) -> None:
    """Just the admin (each Argon2 hash takes a noticeable fraction of a second)."""
    with api_store.write() as session:
        create_user(session, "admin", PASSWORD, Role.ADMIN, now=utcnow())


# --- the sign-in page and form ------------------------------------------------------------


def test_the_sign_in_page_is_fixed_markup_in_zh_tw_or_english(client: TestClient) -> None:
    """No script, forms post only here, and zh-TW unless English is asked for."""
    page = client.get("/sign-in")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "form-action 'self'" in csp
    assert "<script" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert 'lang="zh-TW"' in page.text
    assert "密碼" in page.text
    assert 'lang="en"' in client.get("/sign-in?lang=en").text
    english = client.get("/sign-in", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Password" in english.text


def test_a_person_signs_in_and_lands_on_the_console(client: TestClient, people: None) -> None:
    """A good name and password set the session cookie and lead to the console."""
    response = sign_in(client, "Dispatcher")
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/"} <= flags
    assert not any(f.startswith("domain") for f in flags)
    console = client.get("/console")
    assert console.status_code == 200
    assert "dispatcher" in console.text
    assert 'id="user-role">調度員<' in console.text
    english = client.get("/console?lang=en")
    signed_in_as = r"Signed in as <strong[^>]*>dispatcher</strong>\s*\(<span[^>]*>dispatcher<"
    assert re.search(signed_in_as, english.text)
    assert client.get("/plans").status_code == 200


def test_the_cookie_is_secure_and_host_only_by_default(database_url: str) -> None:
    """By default (HTTPS) the cookie is ``__Host-dispatch_session``, Secure, and works."""
    app = create_app(Settings(database_url=database_url, load_demo=False, workers=1))
    with TestClient(app, base_url="https://testserver") as client:
        with app.state.store.write() as session:
            create_user(session, "alice", PASSWORD, Role.PLANNER, now=utcnow())
        response = sign_in(client, "alice")
        assert response.status_code == 303, response.text
        cookie = next(
            c for c in response.headers.get_list("set-cookie")
            if c.startswith("__Host-dispatch_session=")
        )  # fmt: skip
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "samesite=strict", "path=/"} <= flags
        console = client.get("/console")
        assert console.status_code == 200
        assert ">alice<" in console.text
        assert ">規劃員<" in console.text


@pytest.mark.parametrize(
    ("name", "password"),
    [("dispatcher", "wrong password!"), ("nobody", PASSWORD), ("dispatcher\x00", PASSWORD)],
)
def test_a_wrong_name_or_password_is_refused_alike(
    client: TestClient, people: None, name: str, password: str
) -> None:
    """A wrong password and an unknown name get the same page; no cookie is set."""
    response = sign_in(client, name, password)
    assert response.status_code == 401
    assert "帳號或密碼錯誤" in response.text
    assert COOKIE not in client.cookies


def test_failed_sign_ins_are_limited_per_name_and_address(client: TestClient, people: None) -> None:
    """After 5 failures the name is refused (429, Retry-After) even with the right password;
    another name from the same address is not."""
    for _ in range(5):
        assert sign_in(client, "admin", "wrong password!").status_code == 401
    refused = sign_in(client, "admin")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60
    assert COOKIE not in client.cookies
    assert sign_in(client, "planner").status_code == 303


def test_the_limit_slides_with_the_clock() -> None:
    """Failures older than the window no longer count; a success clears the count."""
    limiter = SignInLimiter(3, timedelta(minutes=15))
    t0 = datetime(2026, 11, 11, 8, tzinfo=UTC)
    key = ("admin", "10.0.0.1")
    for k in range(3):
        assert limiter.retry_after(key, t0 + timedelta(minutes=k)) is None
        limiter.failed(key, t0 + timedelta(minutes=k))
    assert limiter.retry_after(key, t0 + timedelta(minutes=5)) == 10 * 60
    assert limiter.retry_after(key, t0 + timedelta(minutes=15)) is None
    limiter.failed(key, t0 + timedelta(minutes=16))
    limiter.succeeded(key)
    assert limiter.retry_after(key, t0 + timedelta(minutes=16)) is None


def test_the_sign_in_form_needs_its_own_token_and_this_site(
    client: TestClient, people: None, api_store: Store
) -> None:
    """Without the pre-session token, with another one, or from another site: refused."""
    before = snapshot(api_store)
    data = {"username": "admin", "password": PASSWORD}
    assert client.post("/sign-in", data=data, follow_redirects=False).status_code == 403
    token = form_token(client.get("/sign-in"))
    wrong = {**data, "csrf_token": token[:-2] + "xx"}
    assert client.post("/sign-in", data=wrong, follow_redirects=False).status_code == 403
    good = {**data, "csrf_token": token}
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = client.post("/sign-in", data=good, headers=headers, follow_redirects=False)
        assert response.status_code == 403
    assert snapshot(api_store) == before
    assert COOKIE not in client.cookies


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
     "evil.example", "/%0d%0aSet-Cookie:x=1", "\x00/plans", "/sign-in?next=//evil.example"],
)  # fmt: skip
def test_sign_in_leads_only_to_this_site(client: TestClient, people: None, target: str) -> None:
    """``next`` that is not a path on this site leads to the console instead."""
    response = sign_in(client, "admin", next_=target)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location in ("/console", target)
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert safe_next(target) in ("/console", "/%0d%0aSet-Cookie:x=1")


def test_a_page_asked_for_without_a_session_leads_through_sign_in(
    client: TestClient, people: None, plan_id: int
) -> None:
    """A browser opening the plan map is sent to sign in and then back to the map; a
    program gets 401."""
    response = client.get(f"/plans/{plan_id}/map", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/sign-in?next=%2Fplans%2F{plan_id}%2Fmap"
    assert_problem(client.get(f"/plans/{plan_id}/map"), 401)
    assert_problem(client.get("/console"), 401)
    page = client.get(response.headers["location"])
    assert f'name="next" value="/plans/{plan_id}/map"' in page.text
    signed_in = sign_in(client, "planner", next_=f"/plans/{plan_id}/map")
    assert signed_in.headers["location"] == f"/plans/{plan_id}/map"
    assert client.get(f"/plans/{plan_id}/map", headers=HTML).status_code == 200


# --- sessions --------------------------------------------------------------------------


def test_a_session_expires_when_idle(client: TestClient, people: None, api_store: Store) -> None:
    """Past its idle expiry the session no longer signs anyone in."""
    sign_in(client, "dispatcher")
    with api_store.write() as session:
        session.execute(update(UserSession).values(idle_expires_at=utcnow() - timedelta(seconds=1)))
    assert_problem(client.get("/plans"), 401)
    response = client.get("/console", headers=HTML, follow_redirects=False)
    assert response.headers["location"] == "/sign-in?next=%2Fconsole"


def test_use_renews_the_session(client: TestClient, people: None, api_store: Store) -> None:
    """A request moves the idle expiry on from now (8 h by default)."""
    sign_in(client, "dispatcher")
    earlier = utcnow() - timedelta(hours=2)
    with api_store.write() as session:
        idle = earlier + timedelta(hours=8)
        session.execute(update(UserSession).values(last_seen_at=earlier, idle_expires_at=idle))
    assert client.get("/plans").status_code == 200
    with api_store.read() as session:
        row = session.scalar(select(UserSession))
        assert row is not None
        assert row.idle_expires_at > utcnow() + timedelta(hours=7, minutes=59)


def test_signing_out_ends_the_session_on_the_server(
    client: TestClient, people: None, api_store: Store
) -> None:
    """Sign-out deletes the session; its token no longer works even if kept."""
    sign_in(client, "admin")
    token = client.cookies[COOKIE]
    console = client.get("/console")
    response = client.post(
        "/sign-out", data={"csrf_token": form_token(console)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?signed_out=1")
    with api_store.read() as session:
        assert session.scalar(select(UserSession)) is None
        entries = list_audit(session, limit=10, offset=0).items
        assert [e.action for e in entries][:2] == ["session.end", "session.start"]
        assert entries[0].actor.endswith("(admin)")
    client.cookies.set(COOKIE, token)
    assert_problem(client.get("/plans"), 401)


def test_disabling_a_person_ends_their_session(
    client: TestClient, people: None, api_store: Store
) -> None:
    sign_in(client, "dispatcher")
    with api_store.write() as session:
        disable_user(session, "dispatcher", now=utcnow())
    assert_problem(client.get("/plans"), 401)
    assert sign_in(client, "dispatcher").status_code == 401


# --- keys keep working; keys exchanged for sessions ---------------------------------------


def test_bearer_keys_need_no_csrf_token(client: TestClient, keys: Keys, plan_id: int) -> None:
    """Programs with a key change things as before, without a CSRF token."""
    assert client.get("/plans", headers=keys.planner).status_code == 200
    response = client.post(f"/plans/{plan_id}/driver-links", headers=keys.dispatcher, json=LINKS)
    assert response.status_code == 201, response.text


def test_a_key_is_exchanged_once_for_a_session(
    client: TestClient, keys: Keys, plan_id: int
) -> None:
    """``POST /session`` with a key sets the cookie and gives the CSRF token; the cookie
    then works with that token, with the key's role."""
    response = client.post("/session", headers=keys.dispatcher)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["role"] == "dispatcher"
    assert body["csrf_token"] == session_csrf(client)
    assert client.post(f"/plans/{plan_id}/driver-links").status_code == 403
    created = client.post(
        f"/plans/{plan_id}/driver-links", headers={"X-CSRF-Token": body["csrf_token"]}, json=LINKS
    )
    assert created.status_code == 201, created.text


def test_a_key_signs_in_through_the_form(client: TestClient, keys: Keys) -> None:
    """The form's API key field starts a session with the key's role."""
    token = form_token(client.get("/sign-in"))
    key = keys.planner["Authorization"].removeprefix("Bearer ")
    response = client.post(
        "/sign-in", data={"api_key": key, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert ">規劃員<" in client.get("/console").text
    wrong = client.post(
        "/sign-in", data={"api_key": "dk_wrong", "csrf_token": form_token(client.get("/sign-in"))}
    )
    assert wrong.status_code == 401


# --- roles --------------------------------------------------------------------------------


def test_a_planner_cannot_do_dispatchers_work(
    client: TestClient, people: None, plan_id: int, api_store: Store
) -> None:
    """A planner's session, with a good CSRF token, is refused driver links (403)."""
    sign_in(client, "planner")
    before = snapshot(api_store)
    response = client.post(
        f"/plans/{plan_id}/driver-links", headers={"X-CSRF-Token": session_csrf(client)}
    )
    assert_problem(response, 403)
    assert snapshot(api_store) == before
