"""The stored alert rules, parsed once per change."""

from __future__ import annotations

from datetime import UTC, datetime

from dispatch.live.policy import LiveRules
from dispatch.live.rules import LateRule
from dispatch.store import KeptRules, Store, load_rules, save_rules

T1 = datetime(2026, 11, 11, 8, 0, tzinfo=UTC)


def test_kept_rules_are_the_stored_ones_after_every_change(store: Store) -> None:
    kept = KeptRules()
    with store.read() as session:
        assert kept.load(session) == LiveRules() == load_rules(session)
    for minutes in (20, 25, 20):
        rules = LiveRules(order_late=LateRule(minutes=minutes))
        with store.write() as session:
            save_rules(session, rules, actor="a", now=T1)
        with store.read() as session:
            first = kept.load(session)
            assert first == rules == load_rules(session)
            assert kept.load(session) is first
