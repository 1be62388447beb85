"""Reading a history CSV: every problem named by its line and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dispatch.forecast.history import HistoryError, parse_history, read_history, write_history


def test_a_history_is_read_with_extra_columns_ignored() -> None:
    """The contract's columns in any order, extra ones allowed."""
    history = parse_history("region,date,platform,orders\nXinyi,2024-11-11,line,412\n")
    assert history.series == {"Xinyi": {date(2024, 11, 11): 412.0}}


def test_every_bad_cell_is_reported_at_once_with_line_and_column() -> None:
    """A bad date, a negative count, an empty count and a word: four problems, one error."""
    text = (
        "date,region,orders\n"
        "2024-13-01,Xinyi,5\n"
        "2024-11-02,Xinyi,-3\n"
        "2024-11-03,Xinyi,\n"
        "2024-11-04,,many\n"
    )
    with pytest.raises(HistoryError) as caught:
        parse_history(text)
    said = [str(p) for p in caught.value.problems]
    assert said[0].startswith("line 2, column date: '2024-13-01'")
    assert said[1].startswith("line 3, column orders: '-3'")
    assert said[2].startswith("line 4, column orders: empty")
    assert "line 5, column region: empty" in said[3]
    assert "line 5, column orders: 'many' is not a number" in said[4]


def test_a_repeated_day_and_region_names_both_lines() -> None:
    """The same region twice on a day is refused, naming the first line."""
    text = "date,region,orders\n2024-11-01,A,1\n2024-11-01,B,1\n2024-11-01,A,2\n"
    with pytest.raises(
        HistoryError, match="line 4, column date: 2024-11-01 for region 'A' already given on line 2"
    ):
        parse_history(text)


def test_a_missing_column_is_named() -> None:
    """Without ``orders`` the header is refused, showing what it holds."""
    with pytest.raises(HistoryError, match="line 1, column orders: missing"):
        parse_history("date,region,count\n2024-11-01,A,1\n")


@pytest.mark.parametrize("text", ["", "\n", "date,region,orders\n"])
def test_an_empty_history_is_refused(text: str) -> None:
    """No header or no rows: a clear error, not an empty forecast."""
    with pytest.raises(HistoryError):
        parse_history(text)


def test_a_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are named as such."""
    path = tmp_path / "h.csv"
    path.write_bytes(b"date,region,orders\n\xff\xfe,1,2\n")
    with pytest.raises(HistoryError, match="not UTF-8"):
        read_history(path)


def test_written_histories_read_back_the_same(tmp_path: Path) -> None:
    """write_history then read_history is the identity."""
    history = parse_history("date,region,orders\n2024-11-02,B,3\n2024-11-01,A,1\n2024-11-01,B,2\n")
    assert read_history(write_history(history, tmp_path / "h.csv")) == history
