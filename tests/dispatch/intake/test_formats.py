"""The import formats' documentation is the mapping code written out, and stays so."""

from __future__ import annotations

from pathlib import Path

from dispatch.intake.imports import MAPPINGS
from dispatch.intake.imports.formats import END, FIELD_NOTES, START, with_columns

DOC = Path(__file__).resolve().parents[3] / "docs" / "imports.md"


def test_the_docs_page_holds_the_columns_of_the_code() -> None:
    """docs/imports.md is what ``scripts/import_docs.py`` writes from the mappings now."""
    text = DOC.read_text(encoding="utf-8")
    assert with_columns(text) == text, "run: python scripts/import_docs.py"


def test_every_column_of_every_platform_is_documented() -> None:
    """Each mapping's columns appear in the page's table with a note on their field."""
    section = DOC.read_text(encoding="utf-8").partition(START)[2].partition(END)[0]
    for name, mapping in MAPPINGS.items():
        assert f"`--platform {name}`" in section
        for column, field in mapping.columns.items():
            assert f"| `{column}` | `{field}` " in section
            assert FIELD_NOTES[field]


def test_the_readme_links_the_page() -> None:
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/imports.md" in readme
