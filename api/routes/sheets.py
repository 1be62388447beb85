"""Route sheets for drivers without a phone: a route's stops as PDF, XLSX or CSV."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy.orm import Session

from api.deps import PlanId, Reader, ReadSession, SettingsDep
from api.problems import problem_responses
from api.views.pages import choose_lang
from api.views.route_sheet import build_sheet, sheet_csv, sheet_pdf, sheet_xlsx
from dispatch.live.tracking import driver_link
from dispatch.store import Role, get_plan, live_driver_links, load_plan

router = APIRouter(tags=["route sheets"], responses=problem_responses(400, 401, 403, 404, 422))


class SheetFormat(StrEnum):
    pdf = "pdf"
    xlsx = "xlsx"
    csv = "csv"


MEDIA = {
    SheetFormat.pdf: "application/pdf",
    SheetFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    SheetFormat.csv: "text/csv; charset=utf-8",
}
_CSV_EXAMPLE = (
    "順序,預計到達,時段,站點,名稱,地址,聯絡人,電話,訂單,訂購人,商品,數量,溫層\r\n"
    "1,09:05,09:00-12:00,PP-017,信義團購點,臺北市信義區松仁路100號,林小姐,'+886 2 2345 6789,"
    "LINE-88123,王小明,鮮乳 1L,6,冷藏\r\n"
)
WRITERS = {SheetFormat.pdf: sheet_pdf, SheetFormat.xlsx: sheet_xlsx, SheetFormat.csv: sheet_csv}


@router.get(
    "/plans/{plan_id}/routes/{vehicle}/sheet.{kind}",
    response_class=Response,
    responses={
        200: {
            "description": "The sheet, as an attachment",
            "content": {
                MEDIA[SheetFormat.pdf]: {"schema": {"type": "string", "format": "binary"}},
                MEDIA[SheetFormat.xlsx]: {"schema": {"type": "string", "format": "binary"}},
                MEDIA[SheetFormat.csv]: {"example": _CSV_EXAMPLE},
            },
        }
    },
)
def route_sheet(
    plan_id: PlanId,
    vehicle: Annotated[str, Path(min_length=1, max_length=80, description="The route's vehicle")],
    kind: SheetFormat,
    request: Request,
    session: ReadSession,
    settings: SettingsDep,
    who: Reader,
    lang: Annotated[str | None, Query(max_length=16, description="zh-TW (default) or en")] = None,
) -> Response:
    """A route's sheet: stops in order with planned arrival and window, name, address,
    contact and phone, and the orders to unload (items, quantities, temperature class). The
    PDF carries a QR code of the route's driver link when the service can show the link
    (`DISPATCH_LINK_KEY` set, a live link) and the caller may see it (admin, dispatcher).

    **Roles:** admin, dispatcher, planner.
    """
    plan = load_plan(session, plan_id)
    request_doc = get_plan(session, plan_id).job.request
    link = None
    if kind is SheetFormat.pdf and who.role in (Role.ADMIN, Role.DISPATCHER):
        base = settings.public_url or str(request.base_url)
        link = _live_link(session, plan_id, vehicle, base, settings.link_secret)
    sheet = build_sheet(
        plan, plan_id, vehicle, request_doc,
        lang=choose_lang(lang, request.headers.get("accept-language")), link=link,
    )  # fmt: skip
    name = f"route-{plan_id}-{re.sub(r'[^A-Za-z0-9_.-]', '_', vehicle)}.{kind.value}"
    return Response(
        WRITERS[kind](sheet),
        media_type=MEDIA[kind],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _live_link(
    session: Session, plan_id: int, vehicle: str, base: str, key: bytes | None
) -> str | None:
    """The absolute address of the vehicle's live driver link, when the key shows it."""
    if key is None:
        return None
    for link in live_driver_links(session, plan_id, key=key):
        if link.vehicle == vehicle and link.token is not None:
            return base.rstrip("/") + driver_link(link.token)
    return None
