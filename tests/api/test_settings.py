import pytest
from pydantic import ValidationError

from api.settings import Settings, default_workers


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 1), (3, 1), (4, 2), (16, 2)])
def test_two_cores_per_plan_job(cores: int, workers: int) -> None:
    """The portfolio searches on two cores, so a job gets two; one job runs on any machine."""
    assert default_workers(cores) == workers


def test_a_webhook_needs_a_secret_to_sign_with() -> None:
    """An alert or notice webhook without DISPATCH_WEBHOOK_SECRET is refused at start-up."""
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        Settings(alert_webhook_url="https://hooks.example/alerts")
    signed = Settings(alert_webhook_url="https://hooks.example/alerts", webhook_secret="s" * 16)
    assert signed.webhook_secret is not None
