"""The font a route sheet's PDF is written in: Noto Sans CJK (Debian's ``fonts-noto-cjk``),
its Traditional Chinese face, found at run time among the usual places, and cut down to the
characters of one sheet before the PDF writer reads it (the whole face has 65,000 glyphs
and takes seconds to read; a sheet's few hundred take a fraction of that)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEARCH = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKtc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansCJKtc-Regular.otf",
    "/Library/Fonts/NotoSansCJKtc-Regular.otf",
)
"""Where the font is looked for, after ``DISPATCH_SHEET_FONT`` (a .ttc/.otf/.ttf path)."""


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    index: int = 0
    """The face within a collection (.ttc)."""


@cache
def cjk_font() -> FontFile | None:
    """The first CJK font found (its Traditional Chinese face in a collection), or None."""
    given = os.environ.get("DISPATCH_SHEET_FONT")
    for name in ((given,) if given else ()) + SEARCH:
        path = Path(name)
        if path.is_file():
            return FontFile(path, _tc_face(path) if path.suffix.lower() == ".ttc" else 0)
    return None


def font_for(text: str, font: FontFile, directory: Path) -> Path:
    """An OpenType file in ``directory`` with the glyphs of ``text`` only (and no layout
    tables: a sheet is set left to right without ligatures)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    face = TTFont(str(font.path), fontNumber=font.index, lazy=True, recalcBBoxes=False)
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(face)
    path = directory / "sheet.otf"
    face.save(str(path))
    face.close()
    return path


def _tc_face(path: Path) -> int:
    """The index of the collection's Traditional Chinese (``TC``) face; 0 when it has none."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        for k, face in enumerate(collection.fonts):
            family = face["name"].getDebugName(1) or ""
            if family.endswith(" TC") and "Mono" not in family:
                return k
    finally:
        collection.close()
    return 0
