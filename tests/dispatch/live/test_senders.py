"""The senders against real local receivers: an SMTP server (aiosmtpd) and an HTTP server
that checks the webhook's signature."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller

from api.launch import free_port
from dispatch.live.outbox import Relay
from dispatch.live.senders import (
    SIGNATURE_HEADER,
    Outgoing,
    SendError,
    Senders,
    SmtpConfig,
    SmtpSender,
    WebhookSender,
    verify_signature,
)
from dispatch.live.wallclock import ManualClock
from dispatch.store import Store, enqueue
from tests.dispatch.live.days import at

SECRET = b"a-webhook-secret-of-the-tests"
NOTICE = Outgoing(
    id=7, topic="notice", channel="email", subject="配送延誤通知",
    body="王小姐 您好,很抱歉,您的訂單 H-1 將延誤約 50 分鐘送達。", document={"id": 3},
    to_name="王小姐", to_email="wang@example.com",
)  # fmt: skip


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mail = message_from_bytes(envelope.content, policy=email_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), mail))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_smtp_sends_the_notice_as_plain_text_utf8(smtp_server: tuple[int, Inbox]) -> None:
    """The recipient, subject and body arrive intact; the Message-ID is the outbox key."""
    port, inbox = smtp_server
    sender = SmtpSender(
        SmtpConfig("127.0.0.1", port, sender="dispatch@shop.example"),
        clock=ManualClock(at("09:00")),
    )
    sender.send(NOTICE)
    ((mail_from, to, mail),) = inbox.messages
    assert (mail_from, to) == ("dispatch@shop.example", ["wang@example.com"])
    assert mail["Subject"] == "配送延誤通知"
    assert mail["Message-ID"] == "<outbox-7@shop.example>"
    assert "延誤約 50 分鐘" in mail.get_content()


def test_smtp_refuses_a_message_without_an_address_or_server() -> None:
    """Either is a SendError the relay retries (or gives up on)."""
    sender = SmtpSender(SmtpConfig("127.0.0.1", free_port(), timeout_s=2))
    with pytest.raises(SendError, match="no e-mail address"):
        sender.send(Outgoing(1, "notice", "email", "s", "b", {}))
    with pytest.raises(SendError, match="SMTP"):
        sender.send(NOTICE)


class Receiver(BaseHTTPRequestHandler):
    """Answers 204 to a correctly signed body, 401 otherwise, and keeps what it accepted."""

    accepted: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    refused = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if verify_signature(SECRET, body, self.headers.get(SIGNATURE_HEADER)):
            Receiver.accepted.append((self.headers["Idempotency-Key"], json.loads(body)))
            self.send_response(204)
        else:
            Receiver.refused += 1
            self.send_response(401)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.accepted, Receiver.refused = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_the_webhook_body_is_signed_with_hmac_sha256(receiver: str) -> None:
    """The receiver verifies ``X-Signature: sha256=…`` over the raw body; a wrong secret is
    refused and becomes a SendError."""
    WebhookSender(receiver, SECRET).send(NOTICE)
    ((key, body),) = Receiver.accepted
    assert key == "outbox-7"
    assert body == {"id": "outbox-7", "topic": "notice", "document": {"id": 3}}
    with pytest.raises(SendError, match="401"):
        WebhookSender(receiver, b"another secret").send(NOTICE)
    assert Receiver.refused == 1


def test_the_relay_pushes_alerts_to_the_webhook(store: Store, receiver: str) -> None:
    """An alert in the outbox reaches the webhook once, through the relay."""
    clock = ManualClock(at("09:00"))
    with store.write() as session:
        enqueue(
            session, topic="alert", channel="webhook", now=clock.now(),
            payload={"subject": "late", "body": "", "document": {"id": 1, "rule": "order_late"}},
        )  # fmt: skip
    relay = Relay(store, Senders({"webhook": WebhookSender(receiver, SECRET)}), clock)
    assert relay.drain().sent == 1
    assert [doc["document"]["rule"] for _, doc in Receiver.accepted] == ["order_late"]
