"""What the console's form posts share: their fields, and refusals shown as a page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.deps import Principal
from api.session import form_fields
from api.settings import Settings
from api.views.console import page_lang, render, texts
from api.views.pages import Lang
from dispatch.errors import ConflictError, DispatchError, InputError, NotFoundError

MAX_FIELD = 10_000


async def fields(request: Request) -> dict[str, str]:
    """The form's text fields, each cut to a sane length."""
    return {k: v[:MAX_FIELD] for k, v in (await form_fields(request)).items()}


def form_lang(request: Request, values: dict[str, str]) -> Lang:
    return page_lang(request, values.get("lang"))


def refused(
    request: Request, who: Principal, settings: Settings, lang: Lang, exc: DispatchError,
    back: str,
) -> HTMLResponse:  # fmt: skip
    """A page naming why the form's change was refused (nothing was changed)."""
    status = (
        404 if isinstance(exc, NotFoundError)
        else 409 if isinstance(exc, ConflictError)
        else 422 if isinstance(exc, InputError)
        else 400
    )  # fmt: skip
    errors = getattr(exc, "errors", ())
    return render(
        request, who, settings, "problem.html", lang=lang, title=texts(lang)["problem_title"],
        status=status, detail=(str(exc).splitlines() or [""])[0], errors=errors, back=back,
    )  # fmt: skip
