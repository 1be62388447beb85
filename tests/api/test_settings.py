import pytest

from api.settings import default_workers


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 1), (3, 1), (4, 2), (16, 2)])
def test_two_cores_per_plan_job(cores: int, workers: int) -> None:
    """The portfolio searches on two cores, so a job gets two; one job runs on any machine."""
    assert default_workers(cores) == workers
