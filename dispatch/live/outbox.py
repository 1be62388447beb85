"""The relay that empties the outbox: claim due messages, send each, record the outcome.

Each round claims a batch under a lease (one committed transaction), sends outside any
transaction, then records every outcome in its own transaction: sent (once; the notice's
``sent_at`` with it), or failed and due again after an exponential back-off, or given up
after the last attempt. A process that stops mid-round leaves its claims to expire; the
next relay (after a restart, or another process) takes them then. A message is marked
sent at most once; a stop between handing a message over and recording it means it is
handed over again, with the same idempotency key.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from dispatch.live.senders import Outgoing, SendError, Senders
from dispatch.live.wallclock import WallClock
from dispatch.store import Claimed, Store, claim, mark_failed, mark_sent

log = logging.getLogger("dispatch.live.outbox")


@dataclass(frozen=True, slots=True)
class RelayPolicy:
    """How the relay claims and retries."""

    lease: timedelta = timedelta(seconds=60)
    batch: int = 50
    max_attempts: int = 10
    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        """The wait before attempt ``attempts + 1``: doubling from ``first_delay``."""
        return min(self.first_delay * (2 ** max(attempts - 1, 0)), self.max_delay)


@dataclass(frozen=True, slots=True)
class Round:
    sent: int = 0
    failed: int = 0
    lost_lease: int = 0


class Relay:
    """Sends the outbox's messages with ``senders``, reading the time from ``clock``."""

    def __init__(
        self,
        store: Store,
        senders: Senders,
        clock: WallClock,
        *,
        policy: RelayPolicy | None = None,
        worker: str | None = None,
    ) -> None:
        self.store, self.senders, self.clock = store, senders, clock
        self.policy = policy or RelayPolicy()
        self.worker = worker or uuid.uuid4().hex
        self._one_batch = threading.Lock()

    def run_once(self) -> Round:
        """Claim one batch of due messages and send them; what happened. One batch at a time
        per relay: a drain called beside the relay's loop waits for the loop's batch, so a
        lease that ran out on a clock moved forward is never taken again by the same relay
        while its messages are being sent."""
        with self._one_batch:
            return self._run_once()

    def _run_once(self) -> Round:
        with self.store.write() as session:
            batch = claim(
                session,
                worker=self.worker,
                now=self.clock.now(),
                lease=self.policy.lease,
                limit=self.policy.batch,
            )
        sent = failed = lost = 0
        for message in batch:
            outcome = self._send(message)
            if outcome is None:
                sent += 1
            elif outcome:
                failed += 1
            else:
                lost += 1
        return Round(sent, failed, lost)

    def drain(self, *, rounds: int = 100) -> Round:
        """Run rounds until one has nothing to send (or ``rounds`` were run)."""
        total = Round()
        for _ in range(rounds):
            done = self.run_once()
            total = Round(
                total.sent + done.sent,
                total.failed + done.failed,
                total.lost_lease + done.lost_lease,
            )
            if not (done.sent or done.failed or done.lost_lease):
                break
        return total

    def _send(self, message: Claimed) -> bool | None:
        """None when sent and recorded; True when it failed and was recorded; False when
        the lease was lost before the outcome could be recorded."""
        outgoing = Outgoing.of(message.id, message.topic, message.channel, message.payload)
        try:
            self.senders.for_channel(message.channel, message.topic).send(outgoing)
        except SendError as exc:
            return self._failed(message, str(exc))
        except Exception as exc:  # a sender's bug must not stop the relay
            log.exception("sender raised", extra={"outbox": message.id})
            return self._failed(message, f"{type(exc).__name__}: {exc}")
        with self.store.write() as session:
            kept = mark_sent(
                session,
                message.id,
                worker=self.worker,
                now=self.clock.now(),
                payload=_without_secrets(message),
            )
        return None if kept else False

    def _failed(self, message: Claimed, error: str) -> bool:
        now = self.clock.now()
        last = message.attempts >= self.policy.max_attempts
        retry_at = None if last else now + self.policy.delay(message.attempts)
        log.warning(
            "outbox message not sent",
            extra={"outbox": message.id, "attempts": message.attempts, "error": error},
        )
        with self.store.write() as session:
            return mark_failed(
                session, message.id, worker=self.worker, now=now, error=error, retry_at=retry_at
            )


def _without_secrets(message: Claimed) -> dict[str, object] | None:
    """A notice's payload once sent: its text (with the tracking token) is dropped; the
    notice row keeps the text with the token shortened."""
    if message.topic != "notice":
        return None
    document = message.payload.get("document") or {}
    return {"subject": message.payload.get("subject"), "notice_id": document.get("id")}


class Loop:
    """Calls ``step`` every ``interval_s`` seconds in a daemon thread until stopped."""

    def __init__(self, name: str, step: Callable[[], object], interval_s: float) -> None:
        self._step, self.interval_s = step, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Loop:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception:  # keep the loop alive; the next round tries again
                log.exception("background step failed", extra={"loop": self._thread.name})
            self._stop.wait(self.interval_s)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
