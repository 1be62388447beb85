"""One error taxonomy: every refusal is a DispatchError of a few kinds, each naming its place."""

from __future__ import annotations

import copy
import pickle

import pytest

from dispatch.errors import (
    ConflictError,
    DispatchError,
    FieldError,
    InputError,
    NotFoundError,
    RequestError,
    TooLargeError,
    UnsupportedOptionError,
)
from dispatch.intake.imports import ImportRejectedError, UnreadableFileError
from dispatch.intake.loading import load_request
from dispatch.planning.own_fleet import route_own_fleet
from dispatch.store import JobNotRunningError
from tests.api.routes.test_plans import SCENARIO


def _lateness(engine: str) -> dict[str, object]:
    doc = copy.deepcopy(SCENARIO)
    doc["options"] = {"time_limit_s": 1, "engine": engine}
    doc["policy"] = {"late_penalty_per_minute": 5, "max_late_minutes": 30}
    return doc


@pytest.mark.parametrize(
    "kind",
    [
        InputError, RequestError, TooLargeError, UnsupportedOptionError, NotFoundError,
        ConflictError, JobNotRunningError, UnreadableFileError, ImportRejectedError,
    ],
)  # fmt: skip
def test_every_kind_shares_the_base(kind: type[Exception]) -> None:
    """Each of the project's errors is a DispatchError, so one handler maps them all."""
    assert issubclass(kind, DispatchError)


def test_an_input_error_names_record_and_field() -> None:
    """The message lists each problem with its record, id and field."""
    error = RequestError([FieldError("orders[3]", "items[0].qty", "must be > 0", "A-1")])
    line = "orders[3] (id A-1): items[0].qty: must be > 0"
    assert str(error) == f"1 error(s) in the request:\n  {line}"
    assert isinstance(error, ValueError)


def test_pyvrp_with_paid_lateness_is_refused_naming_the_option() -> None:
    """PyVRP alone cannot plan paid lateness: the request is refused when it is loaded."""
    with pytest.raises(UnsupportedOptionError) as caught:
        load_request(_lateness("pyvrp"))
    assert caught.value.option == "options.engine"
    assert [e.field for e in caught.value.errors] == ["options.engine"]
    assert "paid lateness" in str(caught.value)


def test_other_engines_plan_paid_lateness() -> None:
    """The same request with an engine that expresses lateness loads."""
    assert load_request(_lateness("ortools")).options.engine == "ortools"


def test_a_solve_that_hits_the_engine_limit_says_so() -> None:
    """Past the up-front check, the optimizer's refusal comes back as the same kind of error."""
    request = load_request(_lateness("ortools"))
    pyvrp = request.model_copy(
        update={"options": request.options.model_copy(update={"engine": "pyvrp"})}
    )
    with pytest.raises(UnsupportedOptionError, match=r"options\.engine: 'pyvrp' cannot plan"):
        route_own_fleet(pyvrp)


@pytest.mark.parametrize(
    "error",
    [
        RequestError([FieldError("orders[3]", "qty", "must be positive", "A-1")]),
        TooLargeError(FieldError("request", "orders", "over 5 orders"), limit=5),
        UnsupportedOptionError("options.engine", "cannot express two windows"),
        NotFoundError("plan", 7),
    ],
    ids=lambda e: type(e).__name__,
)
def test_an_error_from_another_process_arrives_whole(error: DispatchError) -> None:
    """Pickled, as a process pool or Dask sends it back: same kind, message and fields."""
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert vars(back) == vars(error)
