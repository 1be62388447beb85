"""Storage: the network, orders and import batches, plan jobs and plans, driver links,
tracking events, API keys, people and their sessions, and the audit log, on SQLite or PostgreSQL.

Every function takes a :class:`~sqlalchemy.orm.Session` from :meth:`Store.write` or
:meth:`Store.read` and works inside that session's transaction.
"""

from dispatch.store.audit import audit, list_audit
from dispatch.store.db import Store, database_url
from dispatch.store.documents import non_finite
from dispatch.store.errors import ConflictError, JobNotRunningError, NotFoundError
from dispatch.store.jobs import (
    cancel_job,
    create_job,
    fail_job,
    get_job,
    interrupt_jobs,
    job_counts,
    list_jobs,
    open_jobs,
    report_progress,
    start_job,
)
from dispatch.store.keys import authenticate, create_key, list_keys, revoke_key
from dispatch.store.links import (
    LiveLink,
    create_driver_link,
    live_driver_links,
    replace_driver_links,
    resolve_driver_link,
    revoke_driver_links,
)
from dispatch.store.models import EventKind, JobSource, JobStatus, Role
from dispatch.store.network import (
    load_network,
    network_is_empty,
    pickup_points,
    record_counts,
    replace_network,
    validate_network,
)
from dispatch.store.orders import (
    NewOrder,
    add_batch,
    batch_by_hash,
    get_batch,
    list_batches,
    list_orders,
    orders_by_fingerprint,
    orders_by_id,
    orders_on,
)
from dispatch.store.paging import Page
from dispatch.store.plans import (
    get_plan,
    list_plans,
    load_plan,
    plan_document,
    read_plan_document,
    save_plan,
)
from dispatch.store.tracking import list_events, record_event
from dispatch.store.users import (
    InvalidUserError,
    SessionPolicy,
    SignedIn,
    authenticate_user,
    create_user,
    disable_user,
    end_session,
    list_users,
    needs_renewal,
    purge_sessions,
    renew_session,
    resolve_session,
    start_session,
)

__all__ = [
    "ConflictError",
    "EventKind",
    "InvalidUserError",
    "JobNotRunningError",
    "JobSource",
    "JobStatus",
    "LiveLink",
    "NewOrder",
    "NotFoundError",
    "Page",
    "Role",
    "SessionPolicy",
    "SignedIn",
    "Store",
    "add_batch",
    "audit",
    "authenticate",
    "authenticate_user",
    "batch_by_hash",
    "cancel_job",
    "create_driver_link",
    "create_job",
    "create_key",
    "create_user",
    "database_url",
    "disable_user",
    "end_session",
    "fail_job",
    "get_batch",
    "get_job",
    "get_plan",
    "interrupt_jobs",
    "job_counts",
    "list_audit",
    "list_batches",
    "list_events",
    "list_jobs",
    "list_keys",
    "list_orders",
    "list_plans",
    "list_users",
    "live_driver_links",
    "load_network",
    "load_plan",
    "needs_renewal",
    "network_is_empty",
    "non_finite",
    "open_jobs",
    "orders_by_fingerprint",
    "orders_by_id",
    "orders_on",
    "pickup_points",
    "plan_document",
    "purge_sessions",
    "read_plan_document",
    "record_counts",
    "record_event",
    "renew_session",
    "replace_driver_links",
    "replace_network",
    "report_progress",
    "resolve_driver_link",
    "resolve_session",
    "revoke_driver_links",
    "revoke_key",
    "save_plan",
    "start_job",
    "start_session",
    "validate_network",
]
