"""The dispatcher's console: server-rendered pages under ``/console`` and their forms.

Every page needs a reader (a session, or a key); every form post needs a dispatcher or an
admin and, with a session, its CSRF token (checked by :func:`api.deps.current_principal`
before anything is read). Form posts answer 303 to the page that shows their result.
"""

from fastapi import APIRouter

from api.routes.console.live import router as live
from api.routes.console.orders import router as orders
from api.routes.console.plans import router as plans
from api.routes.console.replans import router as replans
from api.routes.console.today import router as today

router = APIRouter(include_in_schema=False)
for _part in (today, plans, replans, orders, live):
    router.include_router(_part)
