"""The console's live page: progress, open alerts acknowledged from it, notices, events."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dispatch.live.watch import react
from dispatch.store import Store
from tests.api.routes.console.conftest import page, post_form
from tests.dispatch.live.days import at, day, route, stop


def test_open_alerts_are_acknowledged_from_the_live_page(
    client: TestClient, mei: str, api_store: Store, plan_id: int
) -> None:
    status = day(
        route("VAN#1", stop("PP-1", ("A-1", "A-2"), late=40, planned="09:00"), heard="09:00")
    )
    with api_store.write() as session:
        react(session, plan_id, status, at("09:05"), public_url="https://d.example")
    html = page(client, f"/console/plans/{plan_id}/live", lang="en").text
    assert 'class="route-progress" data-vehicle="VAN#1"' in html
    assert html.count('class="ack-form"') == 2
    assert "Notices sent (" in html
    action = html.split('<form method="post" action="', 2)[2].split('"')[0]
    assert action.startswith("/console/alerts/")
    done = post_form(client, action, {"csrf_token": mei, "lang": "en"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/console/plans/{plan_id}/live?lang=en"
    assert page(client, f"/console/plans/{plan_id}/live").text.count('class="ack-form"') == 1
