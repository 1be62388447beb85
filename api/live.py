"""The live day inside the service: the outbox relay and the tick, started and stopped with
the app, and the senders built from the settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from api.settings import Settings
from dispatch.kpis.refresh import refresh_days
from dispatch.kpis.report import local_day
from dispatch.live.outbox import Loop, Relay
from dispatch.live.senders import LogSender, Sender, Senders, SmtpConfig, SmtpSender, WebhookSender
from dispatch.live.status import DayStatus
from dispatch.live.tick import StatusOf, tick
from dispatch.live.wallclock import WallClock
from dispatch.store import Store

log = logging.getLogger("dispatch.api")


def no_status(session: Session, plan_id: int, now: datetime) -> DayStatus | None:
    """The status provider until one is given: no status, so the tick has nothing to judge
    and the tracking page shows the plan's times."""
    return None


def senders(settings: Settings, clock: WallClock) -> Senders:
    """The sender of each channel the settings configure (the others go to the log)."""
    by_channel: dict[str, Sender] = {}
    secret = settings.webhook_secret.get_secret_value().encode() if settings.webhook_secret else b""
    if settings.alert_webhook_url:
        by_channel["webhook"] = WebhookSender(settings.alert_webhook_url, secret)
    by_channel["notice:webhook"] = (
        WebhookSender(settings.notice_webhook_url, secret)
        if settings.notice_webhook_url
        else LogSender()
    )
    if settings.smtp_host:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        config = SmtpConfig(
            settings.smtp_host, settings.smtp_port, sender=settings.smtp_sender,
            username=settings.smtp_username, password=password, starttls=settings.smtp_starttls,
        )  # fmt: skip
        by_channel["email"] = SmtpSender(config, clock=clock)
    return Senders(by_channel)


@dataclass
class LiveDay:
    """The relay and the tick of one app."""

    store: Store
    settings: Settings
    clock: WallClock
    status_of: StatusOf = no_status
    loops: list[Loop] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.relay = Relay(self.store, senders(self.settings, self.clock), self.clock)

    def tick(self) -> None:
        """The time-based rules, then the KPI counts of the recent days that changed."""
        tick(self.store, self.clock, self.status_of, public_url=self.settings.public_url)
        refresh_days(self.store, local_day(self.clock.now()))

    def start(self) -> LiveDay:
        if self.settings.outbox_interval_s > 0:
            self.loops.append(
                Loop("outbox", self.relay.drain, self.settings.outbox_interval_s).start()
            )
        if self.settings.tick_interval_s > 0:
            self.loops.append(Loop("tick", self.tick, self.settings.tick_interval_s).start())
        return self

    def stop(self) -> None:
        for loop in self.loops:
            loop.stop()
        self.loops.clear()
