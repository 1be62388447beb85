"""The re-plan form of the plan page and of the live page: shown to dispatchers with the
plan's vehicles and the time now by the service's clock; a refused form names its fields,
comes back to the page it was posted from and stores nothing; a planner cannot post it; a
good post starts the re-plan job, whose version passes the validator and shows what
changed, a Publish button and the day's versions."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from dispatch.live.wallclock import ManualClock
from dispatch.planning.validator import validate_replan
from dispatch.replan.job import job_state
from dispatch.store import Store, get_job, load_plan
from tests.api.job_data import wait_job
from tests.api.routes.console.conftest import cells, page, post_form
from tests.api.session_data import session_csrf, sign_in, snapshot

NOW = datetime(2026, 11, 11, 9, 30, tzinfo=ZoneInfo("Asia/Taipei"))


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The app on a clock standing at 09:30 of the plan's day."""
    return create_app(settings, clock=ManualClock(NOW))


def _form(mei: str, **values: str) -> dict[str, str]:
    return {"csrf_token": mei, "lang": "en", "at": "2026-11-11T09:30", "time_limit_s": "1",
            **values}  # fmt: skip


def test_the_form_shows_the_plans_vehicles_and_the_time_now(
    client: TestClient, mei: str, plan_id: int
) -> None:
    html = page(client, f"/console/plans/{plan_id}", lang="en").text
    form = re.search(
        r'<form method="post" action="([^"]+)" id="replan-form">(.*?)</form>', html, re.S
    )
    assert form, html
    assert form.group(1) == f"/console/plans/{plan_id}/replan"
    assert f'name="csrf_token" value="{mei}"' in form.group(2)
    assert 'name="at" type="datetime-local" value="2026-11-11T09:30"' in form.group(2)
    assert re.findall(r'name="down_(\d+)" value="([^"]+)"', form.group(2)) == [("0", "VAN#1")]
    assert 'name="keep_assignments"' in form.group(2)
    assert cells(html, "versions-table") == [[str(plan_id), cells(html, "versions-table")[0][1],
                                              "6,200", "not published"]]  # fmt: skip
    assert 'id="changes"' not in html


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"at": "09:30"}, "at", "is not a date and time"),
        ({"at": "2026-11-10T23:00"}, "at", "is before the plan&#39;s day"),
        ({"down_0": "VAN#1", "down_at_0": "25:99"}, "down_at_0", "is not a time"),
        ({"down_0": "TRUCK"}, "vehicle", "unknown vehicle &#39;TRUCK&#39;"),
        ({"cancel_orders": "A-1, NOPE-9"}, "[1]", "unknown order &#39;NOPE-9&#39;"),
        ({"carrier_0": "CAT"}, "[0]", "unknown carrier &#39;CAT&#39;"),
        ({"time_limit_s": "0"}, "time_limit_s", "must be a number from 1 to 600"),
    ],
)
def test_a_refused_form_names_its_field_and_stores_nothing(
    client: TestClient, mei: str, plan_id: int, api_store: Store, values: dict[str, str],
    field: str, message: str,
) -> None:  # fmt: skip
    before = snapshot(api_store)
    refused = post_form(client, f"/console/plans/{plan_id}/replan", _form(mei, **values))
    assert refused.status_code == 422
    errors = re.search(r'<div class="error" role="alert" id="replan-errors">(.*?)</div>',
                       refused.text, re.S)  # fmt: skip
    assert errors, refused.text
    assert f'data-field="{field}"' in errors.group(1)
    assert message in errors.group(1)
    assert 'id="replan-form"' in refused.text  # the form again, with what was posted
    for name in ("at", "down_at_0", "time_limit_s", "cancel_orders"):
        if name in values:  # what was typed is shown again
            assert f'value="{values[name]}"' in refused.text or f">{values[name]}<" in refused.text
    assert snapshot(api_store) == before


def test_a_planner_sees_no_form_and_may_not_post_it(
    client: TestClient, people: None, plan_id: int, api_store: Store
) -> None:
    sign_in(client, "pat")
    html = page(client, f"/console/plans/{plan_id}").text
    assert 'id="replan-form"' not in html
    assert "這一天的版本 (1)" in html  # the versions, in zh-TW by default
    before = snapshot(api_store)
    refused = post_form(client, f"/console/plans/{plan_id}/replan", _form(session_csrf(client)))
    assert refused.status_code == 403
    assert snapshot(api_store) == before


def test_a_post_without_the_csrf_token_changes_nothing(
    client: TestClient, mei: str, plan_id: int, api_store: Store
) -> None:
    before = snapshot(api_store)
    refused = post_form(client, f"/console/plans/{plan_id}/replan", _form("forged"))
    assert refused.status_code == 403
    assert snapshot(api_store) == before


def _job(client: TestClient, job_id: str) -> dict[str, Any]:
    answer: dict[str, Any] = client.get(f"/jobs/{job_id}").json()
    return answer


def test_a_good_post_starts_the_replan_whose_version_passes_the_validator(
    client: TestClient, mei: str, plan_id: int, api_store: Store
) -> None:
    form = _form(mei, down_0="VAN#1", down_at_0="09:30", keep_assignments="true")
    started = post_form(client, f"/console/plans/{plan_id}/replan", form)
    assert started.status_code == 303, started.text
    location = started.headers["location"]
    job_id = re.fullmatch(r"/console/jobs/([^?]+)\?lang=en", location)
    assert job_id, location
    assert 'data-anchor="#changes"' in page(client, location).text
    job = wait_job(lambda j: _job(client, j), job_id.group(1))
    assert job["status"] == "succeeded", job
    new_id = job["plan_id"]
    with api_store.read() as session:
        document = get_job(session, job_id.group(1)).request
        request, _, state, spec, previous = job_state(session, document)
        new = load_plan(session, new_id)
    assert (previous, spec.keep_assignments) == (plan_id, True)
    assert [(d.vehicle, d.at) for d in spec.vehicles_down] == [("VAN#1", NOW)]
    assert validate_replan(request, state.document(), new.document()) == []
    html = page(client, f"/console/plans/{new_id}", lang="en").text
    assert f'id="previous-version" href="/console/plans/{plan_id}?lang=en"' in html
    assert ["A-1", "VAN#1", "VAN#2"] in cells(html, "orders-moved")
    assert 'id="publish-form"' in html
    assert [row[0] for row in cells(html, "versions-table")] == [str(plan_id), str(new_id)]
    assert re.search(rf'<tr aria-current="true" class="shown"><td><a [^>]+>{new_id}<', html)


def test_the_live_page_has_the_form_and_a_refused_one_comes_back_to_it(
    client: TestClient, mei: str, plan_id: int, api_store: Store
) -> None:
    live = f"/console/plans/{plan_id}/live"
    html = page(client, live, lang="en").text
    form = re.search(r'<form method="post" action="([^"]+)" id="replan-form">(.*?)</form>',
                     html, re.S)  # fmt: skip
    assert form, html
    assert form.group(1) == f"/console/plans/{plan_id}/replan"
    assert 'name="page" value="live"' in form.group(2)
    assert 'name="at" type="datetime-local" value="2026-11-11T09:30"' in form.group(2)
    before = snapshot(api_store)
    refused = post_form(client, f"/console/plans/{plan_id}/replan",
                        _form(mei, page="live", down_0="TRUCK"))  # fmt: skip
    assert refused.status_code == 422
    assert 'id="progress"' in refused.text  # the live page again
    errors = re.search(r'id="replan-errors">(.*?)</div>', refused.text, re.S)
    assert errors
    assert "unknown vehicle &#39;TRUCK&#39;" in errors.group(1)
    assert snapshot(api_store) == before
    started = post_form(client, f"/console/plans/{plan_id}/replan",
                        _form(mei, page="live", down_0="VAN#1", down_at_0="09:30"))  # fmt: skip
    assert started.status_code == 303, started.text
    job_id = re.fullmatch(r"/console/jobs/([^?]+)\?lang=en", started.headers["location"])
    assert job_id
    job = wait_job(lambda j: _job(client, j), job_id.group(1))
    assert job["status"] == "succeeded", job


def test_a_planner_sees_the_live_page_without_the_form(
    client: TestClient, people: None, plan_id: int
) -> None:
    sign_in(client, "pat")
    html = page(client, f"/console/plans/{plan_id}/live").text
    assert 'id="progress"' in html
    assert 'id="replan-form"' not in html
