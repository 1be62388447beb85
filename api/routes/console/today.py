"""The console's day: its orders counted, an import previewed then confirmed, the day planned
(with the job's progress), and the day's current plan."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ClockDep, Dispatcher, Principal, Reader, RunnerDep, SettingsDep, StoreDep
from api.quotas import store_job
from api.routes.console.forms import fields, form_lang, refused
from api.routes.imports import store_import
from api.schemas import ImportReport
from api.settings import Settings
from api.views.console import page_lang, render, see_other, texts, with_lang
from dispatch.errors import DispatchError, FieldError, RequestError
from dispatch.intake.imports import ImportOutcome, import_orders, read_orders
from dispatch.intake.loading import load_request
from dispatch.intake.travel_sources import check_travel_sources
from dispatch.planning.day_counts import OrderCounts, count_orders
from dispatch.planning.stored_job import stored_request
from dispatch.replan.job import is_replan
from dispatch.store import JobSource, Store, get_job, list_plans, load_network
from dispatch.store.models import Json
from dispatch.store.publishing import current_plan

router = APIRouter()

DEFAULT_ZONE = "Asia/Taipei"
DEFAULT_TIME_LIMIT_S = 10


def _today(store: Store, now: datetime) -> date:
    """Today in the stored network's time zone."""
    with store.read() as session:
        zone = load_network(session).get("timezone") or DEFAULT_ZONE
    return now.astimezone(ZoneInfo(zone)).date()


def _counts(store: Store, settings: Settings, day: date) -> tuple[OrderCounts | None, str]:
    """The day's order counts, or None with the reason they cannot be made."""
    with store.read() as session:
        try:
            document = stored_request(session, day)
        except RequestError:
            return None, ""
    try:
        return count_orders(load_request(document, max_orders=settings.max_orders)), ""
    except DispatchError as exc:
        return None, (str(exc).splitlines() or [""])[0]


@router.get("/console", response_class=HTMLResponse)
@router.get("/console/today", response_class=HTMLResponse)
def today_page(
    request: Request,
    who: Reader,
    store: StoreDep,
    settings: SettingsDep,
    clock: ClockDep,
    day: Annotated[date | None, Query(alias="date")] = None,
    lang: Annotated[str | None, Query(max_length=16)] = None,
    imported: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    """The day's orders by platform, region and temperature; import; plan; the current plan."""
    chosen = page_lang(request, lang)
    t = texts(chosen)
    day = day or _today(store, clock.now())
    counts, error = _counts(store, settings, day)
    with store.read() as session:
        current = current_plan(session, day)
        plans = list_plans(session, day=day, limit=20, offset=0).items
    return render(
        request, who, settings, "today.html", lang=chosen, title=f"{t['today']} · {day}",
        day=day.isoformat(), counts=counts, counts_error=error, current=current, plans=plans,
        time_limit=DEFAULT_TIME_LIMIT_S,
        notice=t["imported"].format(n=imported) if imported is not None else "",
    )  # fmt: skip


def _preview(
    store: Store, settings: Settings, content: bytes, filename: str | None, day: date | None
) -> tuple[ImportOutcome, list[Json]]:
    read = read_orders(content, filename=filename, default_date=day, limits=settings.import_limits)
    with store.read() as session:
        network = load_network(session)
        report = import_orders(
            session, read, points=network["pickup_points"], travel=network.get("travel"),
            actor="preview", keep_valid=True, preview=True,
        )  # fmt: skip
    return report, list(report.orders or [])


def _form_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RequestError([FieldError("form", "date", "is not a date (YYYY-MM-DD)")]) from None


@router.post("/console/imports", response_class=HTMLResponse)
async def preview(
    request: Request,
    who: Dispatcher,
    store: StoreDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
) -> HTMLResponse:
    """What the file would store and every row it would reject; stores nothing."""
    values = await fields(request)
    lang = form_lang(request, values)
    back = with_lang("/console/today", lang, date=values.get("date") or None)
    content = await file.read()
    try:
        day = _form_date(values.get("date"))
        report, kept = await run_in_threadpool(
            _preview, store, settings, content, file.filename, day
        )
    except DispatchError as exc:
        return refused(request, who, settings, lang, exc, back)
    return render(
        request, who, settings, "preview.html", lang=lang, title=texts(lang)["preview_title"],
        report=report.as_dict(), kept=kept, filename=file.filename or "",
        content=base64.b64encode(content).decode("ascii"), default_date=values.get("date"),
        back=back,
    )  # fmt: skip


@router.post("/console/imports/confirm", response_class=HTMLResponse)
async def confirm(
    request: Request, who: Dispatcher, store: StoreDep, settings: SettingsDep
) -> Response:
    """Store the previewed file (the same bytes, checked again), then show the day."""
    values = await fields(request)
    lang = form_lang(request, values)
    back = with_lang("/console/today", lang, date=values.get("date") or None)
    try:
        content = base64.b64decode(values.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        content = b""
    try:
        day = _form_date(values.get("date"))
        if not content:
            raise RequestError([FieldError("form", "content", "the previewed file is missing")])
        report = await run_in_threadpool(
            _store, store, settings, who, content, values.get("filename") or None, day,
            values.get("keep_valid") == "true",
        )  # fmt: skip
    except DispatchError as exc:
        return refused(request, who, settings, lang, exc, back)
    return see_other(with_lang("/console/today", lang, date=values.get("date") or None,
                               imported=report.stored))  # fmt: skip


def _store(
    store: Store, settings: Settings, who: Principal, content: bytes, filename: str | None,
    day: date | None, keep_valid: bool,
) -> ImportReport:  # fmt: skip
    read = read_orders(content, filename=filename, default_date=day, limits=settings.import_limits)
    with store.write() as session:
        return store_import(
            session, who, read, keep_valid=keep_valid, filename=filename, response=Response()
        )


def _request_plan(
    store: Store, settings: Settings, who: Principal, day: date, time_limit: float
) -> str:
    """A job planning the stored orders of ``day`` (the checks of ``POST /plans``)."""
    with store.read() as session:
        document = stored_request(session, day, options={"time_limit_s": time_limit})
    check_travel_sources(document, settings.travel_sources)
    plan_request = load_request(document, max_orders=settings.max_orders)
    return store_job(
        store, who, settings, document, plan_request, source=JobSource.STORED,
        action="plan.request", date=day.isoformat(),
        orders=len(plan_request.orders),
    )  # fmt: skip


@router.post("/console/plan", response_class=HTMLResponse)
async def plan_day(
    request: Request, who: Dispatcher, store: StoreDep, settings: SettingsDep, runner: RunnerDep
) -> Response:
    """Plan the stored orders of the form's date; then the job's progress page."""
    values = await fields(request)
    lang = form_lang(request, values)
    back = with_lang("/console/today", lang, date=values.get("date") or None)
    try:
        day = _form_date(values.get("date"))
        if day is None:
            raise RequestError([FieldError("form", "date", "is required")])
        try:
            seconds = float(values.get("time_limit_s") or DEFAULT_TIME_LIMIT_S)
        except ValueError:
            raise RequestError([FieldError("form", "time_limit_s", "is not a number")]) from None
        if not 1 <= seconds <= 3600:
            raise RequestError([FieldError("form", "time_limit_s", "must be 1 to 3600")])
        job_id = await run_in_threadpool(_request_plan, store, settings, who, day, seconds)
    except DispatchError as exc:
        return refused(request, who, settings, lang, exc, back)
    runner.submit(job_id)
    return see_other(with_lang(f"/console/jobs/{job_id}", lang))


@router.get("/console/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request,
    job_id: str,
    who: Reader,
    store: StoreDep,
    settings: SettingsDep,
    lang: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    """A planning job's progress: status, elapsed time and the best cost so far (polled)."""
    chosen = page_lang(request, lang)
    with store.read() as session:
        job = get_job(session, job_id[:64])
        return render(
            request, who, settings, "job.html", lang=chosen,
            title=f"{texts(chosen)['job']} · {job.plan_date}", job=job,
            anchor="#changes" if is_replan(job.request) else "",
        )  # fmt: skip
