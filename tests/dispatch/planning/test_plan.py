"""The plan is one frozen, strict model; the store reads older documents through an upgrade."""

from __future__ import annotations

import copy
import json

import pydantic
import pytest

from dispatch.planning.plan import Cargo, Plan
from dispatch.store.plans import read_plan_document, upgrade_document
from tests.dispatch.store.conftest import PLAN


def test_unknown_fields_are_refused() -> None:
    """A field the plan does not know is an error, wherever it is."""
    doc = copy.deepcopy(PLAN)
    doc["routes"][0]["driver_link"] = "/d/secret"
    with pytest.raises(pydantic.ValidationError, match="driver_link"):
        Plan.model_validate(doc)


def test_a_plan_cannot_be_changed() -> None:
    """Frozen: a reader cannot alter the plan it was given."""
    plan = Plan.model_validate(PLAN)
    with pytest.raises(pydantic.ValidationError):
        plan.status = "complete"  # type: ignore[misc]


def test_the_document_round_trips() -> None:
    """The JSON the store keeps reads back as the same plan, with the service's fields."""
    plan = Plan.model_validate(PLAN)
    again = read_plan_document(json.dumps(plan.document()))
    assert again == plan
    assert (again.version, again.timezone) == (1, "Asia/Taipei")


def test_an_old_document_is_upgraded_by_the_store_only() -> None:
    """A document stored before versions (a route with its driver link, nulls) reads back;
    the same document is refused by the model itself."""
    old = copy.deepcopy(PLAN)
    old["routes"][0]["driver_link"] = None
    old["date"] = None
    with pytest.raises(pydantic.ValidationError):
        Plan.model_validate(old)
    plan = read_plan_document(json.dumps(old))
    assert plan.route("VAN#1") is not None
    assert "driver_link" not in json.dumps(upgrade_document(old))


def test_ambient_volume_is_the_rest_of_the_volume() -> None:
    """Ambient = volume less chilled and frozen, never below zero."""
    assert Cargo(volume_l=40, chilled_l=12, frozen_l=6).ambient_l == 22
    assert Cargo(volume_l=5, chilled_l=6).ambient_l == 0
