"""The API's routers, one per resource."""

from fastapi import APIRouter

from api.routes.alerts import router as alerts
from api.routes.audit import router as audit
from api.routes.carriers import router as carriers
from api.routes.console import router as console
from api.routes.docs import router as docs
from api.routes.driver import router as driver
from api.routes.driver_links import router as driver_links
from api.routes.health import router as health
from api.routes.imports import router as imports
from api.routes.jobs import router as jobs
from api.routes.keys import router as keys
from api.routes.kpis import router as kpis
from api.routes.live import router as live
from api.routes.maps import router as maps
from api.routes.network import router as network
from api.routes.orders import router as orders
from api.routes.plans import router as plans
from api.routes.publishing import router as publishing
from api.routes.replans import router as replans
from api.routes.scenarios import router as scenarios
from api.routes.session import router as session
from api.routes.sheets import router as sheets
from api.routes.track import router as track

api_router = APIRouter()
_ROUTERS = (
    health,
    plans,
    publishing,
    replans,
    jobs,
    imports,
    orders,
    network,
    driver_links,
    live,
    carriers,
    alerts,
    kpis,
    track,
    keys,
    audit,
    driver,
    maps,
    docs,
    session,
    sheets,
    console,
    scenarios,
)
for _router in _ROUTERS:
    api_router.include_router(_router)
