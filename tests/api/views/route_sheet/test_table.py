"""The CSV sheet's cells are never formulas to a spreadsheet."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.views.route_sheet.table import FORMULA_STARTS, as_text


@given(st.text(max_size=20))
def test_no_cell_starts_as_a_formula(value: str) -> None:
    shown = as_text(value)
    assert shown == ("'" + value if value.startswith(FORMULA_STARTS) else value)
    assert not str(shown).startswith(FORMULA_STARTS)
