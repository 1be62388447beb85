"""Service settings from the environment (``DATABASE_URL``, ``DISPATCH_*``), injected."""

from __future__ import annotations

import os
from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.job_memory import default_job_max_mb
from dispatch.intake.imports import ImportLimits
from dispatch.intake.travel_sources import TravelSources
from dispatch.live.wallclock import SystemClock, WallClock
from dispatch.store import Role
from geo.roads.cache import DEFAULT_MAX_MB


def default_workers(cores: int | None = None) -> int:
    """Plans solved at once: one per two cores, since the default engine searches on two;
    at least one and at most two."""
    available = cores if cores is not None else os.cpu_count() or 1
    return max(1, min(2, available // 2))


class TimeLimits(BaseModel):
    """The longest search (``options.time_limit_s``, seconds) each role may ask for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    admin: float = Field(3600, gt=0, le=3600)
    dispatcher: float = Field(600, gt=0, le=3600)
    planner: float = Field(120, gt=0, le=3600)

    def of(self, role: Role) -> float:
        return float(getattr(self, role.value))


class JobLimits(BaseModel):
    """How many unfinished (queued or running) jobs one key of each role may have."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    admin: int = Field(8, ge=1, le=1000)
    dispatcher: int = Field(4, ge=1, le=1000)
    planner: int = Field(2, ge=1, le=1000)

    def of(self, role: Role) -> int:
        return int(getattr(self, role.value))


class Settings(BaseSettings):
    """Where the data lives, how many plans solve at once, and the service's limits."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        "sqlite:///dispatch.sqlite",
        validation_alias=AliasChoices("DATABASE_URL", "DISPATCH_DATABASE_URL", "database_url"),
        description="SQLAlchemy URL: a SQLite file, or postgresql://user@host/db (psycopg 3)",
    )
    workers: int = Field(default_factory=default_workers, ge=1, le=64)
    max_body_mb: float = Field(10.0, gt=0, description="Largest request body accepted, in MB")
    max_orders: int = Field(20_000, ge=1, description="Most orders in one plan request")
    max_import_rows: int = Field(
        50_000, ge=1, description="Most rows of an imported CSV or XLSX sheet, or orders of JSON"
    )
    max_import_unpacked_mb: float = Field(
        50.0, gt=0, description="Most an imported XLSX workbook may unpack to, in MB"
    )
    load_demo: bool = Field(
        True, description="Load the demo network and orders into an empty database"
    )
    demo_orders: int = Field(600, ge=0, le=20_000)
    db_pool_size: int = Field(10, ge=1, le=200)
    progress_interval_s: float = Field(
        1.0, gt=0, description="How often a running job saves its progress"
    )
    max_time_limit_s: TimeLimits = Field(
        default_factory=TimeLimits,
        description='Longest search per role, JSON: {"planner": 120, "dispatcher": 600, ...}',
    )
    max_open_jobs: JobLimits = Field(
        default_factory=JobLimits,
        description='Unfinished jobs per key, by its role, JSON: {"planner": 2, ...}',
    )
    link_key: SecretStr | None = Field(
        None,
        min_length=32,
        description="Secret (32+ characters) from which driver tokens are derived, so "
        "dispatchers can list a plan's live links again; never stored in the database. "
        "Without it a link is shown only in the answer that creates it",
    )
    cookie_secure: bool = Field(
        True,
        description="Send the session cookie only over HTTPS (as __Host-dispatch_session); "
        "false only to sign in over plain http://127.0.0.1 while developing or testing",
    )
    session_idle_minutes: float = Field(
        480, gt=0, le=7 * 24 * 60, description="A browser session unused this long ends"
    )
    session_max_hours: float = Field(
        168, gt=0, le=90 * 24, description="A browser session ends this long after sign-in"
    )
    sign_in_attempts: int = Field(
        5, ge=1, le=1000, description="Failed sign-ins per user name and address per window"
    )
    sign_in_window_minutes: float = Field(
        15, gt=0, le=24 * 60, description="The window of the failed sign-in limit"
    )
    log_level: str = "INFO"
    tiles_url: str = Field(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Background map tiles (URL template); empty for none",
    )
    osm_dirs: list[str] = Field(
        default_factory=list,
        description="Folders whose .osm.pbf extracts a request's road travel may name (JSON list)",
    )
    job_max_mb: float = Field(
        default_factory=default_job_max_mb,
        gt=0,
        description="Most memory one plan job (its worker and helper processes together) "
        "may use, in MB; a job past it fails with a message, the service goes on "
        "(default: half of this machine's memory)",
    )
    cache_max_mb: float = Field(
        DEFAULT_MAX_MB,
        gt=0,
        description="Most each folder of the road cache (networks, matrices) in "
        "DISPATCH_CACHE_DIR may hold, in MB; the files read least recently go first",
    )
    osrm_urls: list[str] = Field(
        default_factory=list,
        description="Base URLs of the OSRM servers a request's travel may name (JSON list)",
    )
    public_url: str = Field(
        "",
        max_length=200,
        description="The service's address as customers reach it (https://dispatch.example), "
        "for the tracking links in notices; empty for links relative to the service",
    )
    alert_webhook_url: str | None = Field(
        None, description="Where alerts are POSTed (signed); without it they go to the log"
    )
    notice_webhook_url: str | None = Field(
        None, description="Where notices on the webhook channel are POSTed (signed)"
    )
    webhook_secret: SecretStr | None = Field(
        None,
        min_length=16,
        description="Key of the webhooks' HMAC-SHA256 signature (X-Signature: sha256=...)",
    )
    smtp_host: str | None = Field(
        None, description="SMTP server for notices on the email channel; without it, the log"
    )
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_sender: str = Field("dispatch@localhost", description="The notices' From address")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    outbox_interval_s: float = Field(
        2.0, ge=0, description="How often the outbox is emptied; 0 stops the relay"
    )
    tick_interval_s: float = Field(
        30.0, ge=0, description="How often time-based alert rules run; 0 stops the tick"
    )

    @model_validator(mode="after")
    def _signed_webhooks(self) -> Settings:
        if (self.alert_webhook_url or self.notice_webhook_url) and self.webhook_secret is None:
            raise ValueError("a webhook URL needs DISPATCH_WEBHOOK_SECRET to sign its calls")
        return self

    carrier_secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Each carrier's secret for signing its events, JSON: "
        '{"CAT": "…", "HCT": "…"}; never stored in the database or logged',
    )
    clock: SkipJsonSchema[Any] = Field(
        default_factory=SystemClock,
        exclude=True,
        description="Where every live-day rule reads the time (a test gives a ManualClock)",
    )

    @field_validator("clock")
    @classmethod
    def _a_clock(cls, value: Any) -> Any:
        if not callable(getattr(value, "now", None)):
            raise ValueError("needs an object with now()")
        return value

    @property
    def wall_clock(self) -> WallClock:
        clock: WallClock = self.clock
        return clock

    def carrier_secret(self, carrier: str) -> str | None:
        """The secret of ``carrier``, if it has one."""
        secret = self.carrier_secrets.get(carrier)
        return None if secret is None else secret.get_secret_value()

    @property
    def travel_sources(self) -> TravelSources:
        return TravelSources(tuple(self.osm_dirs), tuple(self.osrm_urls))

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)

    @property
    def import_limits(self) -> ImportLimits:
        return ImportLimits(
            max_rows=self.max_import_rows,
            max_unpacked_bytes=int(self.max_import_unpacked_mb * 1024 * 1024),
        )

    @property
    def link_secret(self) -> bytes | None:
        """The link key as bytes, if one is set."""
        return None if self.link_key is None else self.link_key.get_secret_value().encode()
