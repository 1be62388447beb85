"""Rewrite the column tables of ``docs/imports.md`` from the import mappings in the code.

python scripts/import_docs.py
"""

from __future__ import annotations

from pathlib import Path

from dispatch.intake.imports.formats import with_columns

DOC = Path(__file__).resolve().parent.parent / "docs" / "imports.md"


def main() -> None:
    DOC.write_text(with_columns(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{DOC} updated")


if __name__ == "__main__":
    main()
