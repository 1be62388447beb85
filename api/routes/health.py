"""Liveness and metrics, open to monitoring without a key."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import StoreDep
from api.metrics import CONTENT_TYPE
from api.schemas import Health

router = APIRouter(tags=["health"])
VERSION = "0.1.0"


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database does not answer"}},
)
def health(store: StoreDep) -> Response | Health:
    """Whether the service and its database answer."""
    try:
        with store.read() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        down = Health(status="degraded", database="unavailable", version=VERSION)
        return JSONResponse(down.model_dump(), status_code=503)
    return Health(status="ok", database="ok", version=VERSION)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition",
            "content": {CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"},
                        "example": "dispatch_plan_jobs{status=\"queued\"} 0.0\n"}},
        }
    },
)  # fmt: skip
def metrics(request: Request) -> Response:
    """Prometheus metrics: jobs by status, solve seconds, HTTP latency by route template."""
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE)
