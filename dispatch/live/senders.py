"""Senders behind one interface: the log (the default), a webhook (HMAC-SHA256-signed body) and
e-mail over SMTP.

A sender gets an :class:`Outgoing` message and either returns (it was handed over) or
raises :class:`SendError`. Each message carries the outbox row's id as its idempotency key
(``Idempotency-Key`` header, e-mail ``Message-ID``), so a receiver can drop the copy that a
crash between sending and recording the send may cause.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

import httpx

from dispatch.live.wallclock import SystemClock, WallClock

log = logging.getLogger("dispatch.live.senders")

SIGNATURE_HEADER = "X-Signature"


class SendError(Exception):
    """The message was not handed over; the relay tries again later."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message of the outbox, as a sender sees it."""

    id: int
    topic: str
    channel: str
    subject: str
    body: str
    document: Mapping[str, Any]
    to_name: str | None = None
    to_email: str | None = None

    @property
    def key(self) -> str:
        """The idempotency key: the same for every attempt at this message."""
        return f"outbox-{self.id}"

    @classmethod
    def of(cls, message_id: int, topic: str, channel: str, payload: Mapping[str, Any]) -> Outgoing:
        return cls(
            id=message_id,
            topic=topic,
            channel=channel,
            subject=str(payload.get("subject") or ""),
            body=str(payload.get("body") or ""),
            document=dict(payload.get("document") or {}),
            to_name=payload.get("to_name"),
            to_email=payload.get("to_email"),
        )


class Sender(Protocol):
    name: str

    def send(self, message: Outgoing) -> None:
        """Hand the message over, or raise :class:`SendError`."""
        ...


class LogSender:
    """Writes each message to the service's log (structured, one line)."""

    name = "log"

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or log

    def send(self, message: Outgoing) -> None:
        self._log.info(
            "%s %s: %s",
            message.topic,
            message.key,
            message.subject,
            extra={"outbox": message.id, "topic": message.topic, "document": message.document},
        )


def signature(secret: bytes, body: bytes) -> str:
    """The ``X-Signature`` header value: ``sha256=`` and the hex HMAC-SHA256 of ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` (compared in constant time)."""
    return header is not None and hmac.compare_digest(signature(secret, body), header)


class WebhookSender:
    """POSTs ``{"id", "topic", "document"}`` as JSON, signed with the shared secret."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        timeout_s: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.url, self._secret = url, secret
        self._client = client or httpx.Client(timeout=timeout_s, follow_redirects=False)

    def body(self, message: Outgoing) -> bytes:
        doc = {"id": message.key, "topic": message.topic, "document": dict(message.document)}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def send(self, message: Outgoing) -> None:
        body = self.body(message)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(self._secret, body),
            "Idempotency-Key": message.key,
        }
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SendError(f"webhook unreachable: {type(exc).__name__}") from exc
        if not response.is_success:
            raise SendError(f"webhook answered {response.status_code}")

    def close(self) -> None:
        self._client.close()


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    sender: str = "dispatch@localhost"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout_s: float = 10.0


class SmtpSender:
    """Sends each message as a plain-text e-mail to its recipient's address."""

    name = "email"

    def __init__(self, config: SmtpConfig, *, clock: WallClock | None = None) -> None:
        self.config = config
        self._clock = clock or SystemClock()

    def email(self, message: Outgoing) -> EmailMessage:
        if not message.to_email:
            raise SendError("the message has no e-mail address")
        mail = EmailMessage()
        mail["From"] = self.config.sender
        mail["To"] = message.to_email
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(self._clock.now())
        domain = self.config.sender.rpartition("@")[2] or "localhost"
        mail["Message-ID"] = f"<{message.key}@{domain}>"
        mail.set_content(message.body)
        return mail

    def send(self, message: Outgoing) -> None:
        mail = self.email(message)
        c = self.config
        try:
            with smtplib.SMTP(c.host, c.port, timeout=c.timeout_s) as smtp:
                if c.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if c.username:
                    smtp.login(c.username, c.password or "")
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"SMTP: {type(exc).__name__}: {exc}") from exc


class Senders:
    """The sender of each channel, or of a topic's channel (key ``"<topic>:<channel>"``, e.g.
    ``notice:webhook`` beside ``webhook``); a channel without one goes to the log."""

    def __init__(self, by_channel: Mapping[str, Sender] | None = None) -> None:
        self._by_channel = dict(by_channel or {})
        self._log = LogSender()

    def for_channel(self, channel: str, topic: str | None = None) -> Sender:
        if topic is not None and f"{topic}:{channel}" in self._by_channel:
            return self._by_channel[f"{topic}:{channel}"]
        return self._by_channel.get(channel, self._log)
