"""What every page of the service shares: its language, and the versioned URLs of its files."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape

STATIC = Path(__file__).resolve().parent.parent / "static"
"""The service's own page files, served under ``/static/app``."""

Lang = Literal["zh-TW", "en"]


def choose_lang(lang: str | None, accept_language: str | None) -> Lang:
    """``?lang=`` when given, else the best of zh-TW/en in Accept-Language; zh-TW by default."""
    if lang:
        return "en" if lang.lower().startswith("en") else "zh-TW"
    best: tuple[float, Lang] = (0.0, "zh-TW")
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        tag = tag.strip().lower()
        code: Lang | None = (
            "en" if tag.startswith("en") else "zh-TW" if tag.startswith("zh") else None
        )
        score = quality - position * 1e-3
        if code is not None and score > best[0]:
            best = (score, code)
    return best[1]


def app_asset_url(asset_base: str, path: str) -> str:
    """URL of one of the service's own files under ``/static/app``, with a content version."""
    return f"{asset_base.rstrip('/')}/app/{path}?v={_fingerprint(path)}"


@cache
def _fingerprint(path: str) -> str:
    return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:10]


TEMPLATES = STATIC.parent / "templates"
"""The service's page templates and their words per language."""


@cache
def templates() -> Environment:
    """The one template environment of the pages: HTML autoescaped, data never a template."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def page_texts(page: str) -> dict[str, dict[str, Any]]:
    """The words of ``page`` (``TEMPLATES/<page>.i18n.json``) per language."""
    data: dict[str, dict[str, Any]] = json.loads(
        (TEMPLATES / f"{page}.i18n.json").read_text(encoding="utf-8")
    )
    return data
