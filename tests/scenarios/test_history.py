"""The generated order history and the campaign calendar it follows."""

from __future__ import annotations

from datetime import date, timedelta

from dispatch.forecast.campaigns import campaign_days, campaign_offset, lunar_new_year
from dispatch.forecast.history import read_history
from scenarios.history import example_history_path, generate_history, region_ids


def test_lunar_new_year_comes_from_taiwans_holiday_calendar() -> None:
    """初一 of 2025 and 2026, as the holidays package has them."""
    assert lunar_new_year(2025) == date(2025, 1, 29)
    assert lunar_new_year(2026) == date(2026, 2, 17)


def test_campaigns_are_found_with_their_offsets() -> None:
    """Double 11, two days after; 618 the day before; an ordinary day is none."""
    found = campaign_offset(date(2025, 11, 13))
    assert found is not None
    assert (found[0].key, found[1]) == ("double11", 2)
    found = campaign_offset(date(2026, 6, 17))
    assert found is not None
    assert (found[0].key, found[1]) == ("618", -1)
    assert campaign_offset(date(2025, 9, 1)) is None


def test_the_same_seed_gives_the_same_history() -> None:
    """Deterministic from the seed; another seed differs."""
    a = generate_history(5, days=60)
    assert generate_history(5, days=60) == a
    assert generate_history(6, days=60) != a


def test_the_history_covers_the_demo_regions_with_few_missing_rows() -> None:
    """Nine demo regions over two years; about 1% of rows left out, none of them zero-filled."""
    history = generate_history()
    assert history.regions == tuple(region_ids())
    rows = len(history)
    assert 0.97 * 730 * 9 < rows < 730 * 9
    assert history.first == date(2024, 11, 1)
    assert history.last == date(2026, 10, 31)
    kinds = [c.key for _, c in campaign_days(history.first, history.last)]
    assert kinds.count("double11") == 2
    assert kinds.count("618") == 2


def test_campaign_days_peak_and_lunar_new_year_dips() -> None:
    """Double 11 well above the week before it; 初一 well below the week before it."""
    history = generate_history()
    for region, s in history.series.items():
        d11, lny = date(2025, 11, 11), lunar_new_year(2026)
        week_before = [s[d] for d in s if 4 <= (d11 - d).days <= 10]
        usual = sum(week_before) / len(week_before)
        assert s.get(d11, 2 * usual) > 1.6 * usual, region
        calm = [s[d] for d in s if 22 <= (lny - d).days <= 28]
        if lny in s:
            assert s[lny] < 0.6 * min(calm), region
        assert lny - timedelta(5) in s or lny - timedelta(6) in s


def test_the_example_csv_is_the_default_generated_history() -> None:
    """scenarios/examples/order-history.csv is ``python -m scenarios.history`` unchanged."""
    assert read_history(example_history_path()) == generate_history()
