"""Order imports: CSV, XLSX or JSON files from the sales platforms."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from api.deps import (
    Dispatcher,
    PagingDep,
    Principal,
    Reader,
    ReadSession,
    RecordId,
    SettingsDep,
    WriteSession,
)
from api.problems import problem_responses
from api.schemas import ImportBatch, ImportReport, Page
from dispatch.intake.imports import MAPPINGS, ImportOutcome, ReadResult, import_orders, read_orders
from dispatch.store import audit, get_batch, list_batches, load_network
from dispatch.text import MAX_FILENAME, text_problem

router = APIRouter(
    prefix="/imports", tags=["imports"], responses=problem_responses(400, 401, 403, 422)
)

MappingName = StrEnum("MappingName", {name: name for name in MAPPINGS})  # type: ignore[misc]

DefaultDate = Annotated[
    date | None,
    Query(
        alias="date",
        description="Delivery date of orders whose rows give none",
        examples=["2026-11-11"],
    ),
]
KeepValid = Annotated[
    bool,
    Query(description="Store the valid orders even when others are invalid (reported)"),
]
Preview = Annotated[
    bool,
    Query(description="Store nothing: answer what would be stored and every rejected row"),
]


def store_import(
    session: Session, who: Principal, read: ReadResult, *, keep_valid: bool,
    filename: str | None, response: Response, preview: bool = False,
) -> ImportReport:  # fmt: skip
    """Import what was read in the caller's transaction; 201, or 200 for a file seen before
    or a preview."""
    network = load_network(session)
    report: ImportOutcome = import_orders(
        session, read, points=network["pickup_points"], travel=network.get("travel"),
        actor=who.actor, filename=filename, keep_valid=keep_valid, preview=preview,
    )  # fmt: skip
    if report.already_imported or preview:
        response.status_code = 200
    else:
        audit(
            session, who.actor, "orders.import", f"batch:{report.batch_id}",
            stored=report.stored, duplicates=len(report.duplicates), errors=len(report.errors),
        )  # fmt: skip
    return ImportReport.model_validate(report.as_dict())


@router.post(
    "",
    status_code=201,
    responses={
        **problem_responses(404, 409, 413),
        200: {
            "model": ImportReport,
            "description": "A preview, or the same file was imported before",
        },
    },
)
def import_file(
    who: Dispatcher,
    session: WriteSession,
    settings: SettingsDep,
    response: Response,
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or Big5), XLSX, or JSON orders")],
    default_date: DefaultDate = None,
    mapping: Annotated[
        MappingName | None,
        Query(description="Column mapping (platform); told by the header row when omitted"),
    ] = None,
    keep_valid: KeepValid = False,
    preview: Preview = False,
) -> ImportReport:
    """Import orders from a file: CSV, XLSX, or JSON (a list of contract orders).

    Columns follow one of the mappings: `contract` (the contract's field names, one row
    per item), `line` (訂單編號, 團購點, 收件時段, 商品編號, 數量, 溫層, ...), `web`
    (order_no, pickup_store, slot_from, slot_to, product_code, quantity, storage, ...) or
    `app` (orderId, pickupPointId, windowStart, windowEnd, skuId, count, temp, ...).
    Invalid rows are reported with their row number and field, and nothing is stored
    unless `keep_valid=true`. Repeated orders (the same platform order id, or the same
    customer, destination, items and window from another platform) are stored once and
    reported; a row repeated inside the file is read once and reported as a duplicate,
    while one order id with different content in two places is an error naming both rows.
    The same file twice stores nothing the second time.

    With `preview=true` nothing is stored: the answer (200) says how many orders the import
    would store, lists them normalised (`orders`, each with its `date`), and names every
    rejected row with its field and reason.

    A file over the service's limits (rows, or what an XLSX workbook unpacks to) is
    answered 413 before its rows are read.

    **Roles:** admin, dispatcher.
    """
    _check_filename(file.filename)
    content = file.file.read()
    name = mapping.value if mapping is not None else None
    read = read_orders(
        content, filename=file.filename, mapping=name, default_date=default_date,
        limits=settings.import_limits,
    )  # fmt: skip
    return store_import(
        session, who, read, keep_valid=keep_valid, filename=file.filename, response=response,
        preview=preview,
    )  # fmt: skip


def _check_filename(filename: str | None) -> None:
    problem = None if filename is None else text_problem(filename, MAX_FILENAME)
    if problem is not None:
        raise RequestValidationError(
            [{"loc": ("file", "filename"), "msg": problem, "type": "value_error"}]
        )


@router.get("")
def read_batches(session: ReadSession, paging: PagingDep, _: Reader) -> Page[ImportBatch]:
    """Import batches, newest first. **Roles:** admin, dispatcher, planner."""
    page = list_batches(session, limit=paging.limit, offset=paging.offset)
    return Page(data=[ImportBatch.model_validate(b) for b in page.items], count=page.count)


@router.get("/{batch_id}", responses=problem_responses(404))
def read_batch(batch_id: RecordId, session: ReadSession, _: Reader) -> ImportReport:
    """The report of one import. **Roles:** admin, dispatcher, planner."""
    return ImportReport.model_validate(get_batch(session, batch_id).report)
