"""Notices: when they are due, what they promise, and their words in the seeds' order."""

from __future__ import annotations

from dispatch.live.notices import (
    Audience,
    Compensation,
    CompensationKind,
    CompensationPolicy,
    Directory,
    Ledger,
    NoticeDraft,
    NoticeKind,
    NoticePolicy,
    band_of,
    language_for,
    plan_notices,
    render,
)
from dispatch.live.status import StopState
from tests.dispatch.live.days import day, route, stop, with_lateness

REQUEST = {
    "timezone": "Asia/Taipei",
    "pickup_points": [
        {"id": "PP-1", "name": "信義社區", "contact": "陳團主", "email": "leader@example.com"}
    ],
    "orders": [
        {"id": "A", "customer": "王小姐", "email": "a@example.com"},
        {"id": "B", "customer": "Ms Lee", "language": "en"},
        {"id": "P1", "pickup_point": "PP-1"},
        {"id": "P2", "pickup_point": "PP-1"},
    ],
}
DIRECTORY = Directory.of_request(REQUEST)
POLICY = NoticePolicy()


def due(status: object, ledger: Ledger | None = None) -> list[NoticeDraft]:
    return plan_notices(status, DIRECTORY, POLICY, ledger or Ledger(), notify_after=15)  # type: ignore[arg-type]


def sent(drafts: list[NoticeDraft], ledger: Ledger | None = None) -> Ledger:
    """The ledger after ``drafts`` were sent."""
    before = ledger or Ledger()
    rows = [(s, NoticeKind.DELAY.value, b) for s, b in before.delay_bands.items()]
    rows += [(s, NoticeKind.FAILED.value, 0) for s in before.failed]
    rows += [(s, NoticeKind.ARRIVED.value, 0) for s in before.arrived]
    rows += [(d.subject, d.kind.value, d.band) for d in drafts]
    return Ledger.of(rows)


def test_bands_are_the_alert_threshold_then_each_compensation_tier() -> None:
    """15 → band 1, 30 → band 2 (coupon), 120 → band 3 (fee refunded)."""
    policy = CompensationPolicy()
    assert [band_of(m, notify_after=15, policy=policy) for m in (0, 15, 16, 31, 121)] == [
        0, 0, 1, 2, 3,
    ]  # fmt: skip
    assert policy.for_lateness(20) is None
    assert policy.for_lateness(45) == Compensation(kind=CompensationKind.COUPON, amount=50)
    assert policy.for_lateness(130) == Compensation(kind=CompensationKind.DELIVERY_FEE_REFUND)


def test_a_customer_is_told_once_per_new_band_with_the_policys_compensation() -> None:
    """20 min: a notice without compensation; 25: nothing new; 45: a coupon of 50; back to
    20: nothing; 130: the delivery fee refunded."""
    base = day(route("V1", stop("S1", ("A",), late=20)))
    first = due(base)
    assert [(d.subject, d.kind, d.band, d.compensation) for d in first] == [
        ("order:A", NoticeKind.DELAY, 1, None)
    ]
    ledger = sent(first)
    assert due(with_lateness(base, {"S1": 25}), ledger) == []
    coupon = due(with_lateness(base, {"S1": 45}), ledger)
    assert [(d.band, d.compensation) for d in coupon] == [
        (2, Compensation(kind=CompensationKind.COUPON, amount=50))
    ]
    ledger = sent(coupon, ledger)
    assert due(with_lateness(base, {"S1": 20}), ledger) == []
    refund = due(with_lateness(base, {"S1": 130}), ledger)
    assert [d.compensation.kind for d in refund if d.compensation] == [
        CompensationKind.DELIVERY_FEE_REFUND
    ]


def test_a_failed_delivery_is_told_once_with_a_free_redelivery() -> None:
    """The failure's reason travels with the notice; a second look sends nothing."""
    status = day(route("V1", stop("S1", ("A",), state=StopState.FAILED, reason="nobody")))
    (notice,) = due(status)
    assert (notice.kind, notice.reason) == (NoticeKind.FAILED, "nobody")
    assert notice.compensation == Compensation(kind=CompensationKind.FREE_REDELIVERY)
    assert due(status, sent([notice])) == []


def test_a_pickup_point_tells_its_group_leader_once_not_each_buyer() -> None:
    """A late pickup point gives one group-leader notice with the order list; on delivery,
    one "arrived, ready for collection" notice."""
    status = day(route("V1", stop("PP-1", ("P1", "P2"), late=40)))
    (notice,) = due(status)
    assert (notice.to, notice.subject, notice.orders) == (
        Audience.GROUP_LEADER, "stop:V1/PP-1", ("P1", "P2"),
    )  # fmt: skip
    assert notice.recipient.email == "leader@example.com"
    ledger = sent([notice])
    assert due(status, ledger) == []
    delivered = day(route("V1", stop("PP-1", ("P1", "P2"), state=StopState.DELIVERED, late=40)))
    (arrived,) = due(delivered, ledger)
    assert (arrived.kind, arrived.to) == (NoticeKind.ARRIVED, Audience.GROUP_LEADER)
    assert due(delivered, sent([arrived], ledger)) == []


def test_language_follows_the_recipient_else_the_policy() -> None:
    """An order marked "en" is told in English; one without a language in zh-TW."""
    status = day(route("V1", stop("S1", ("A",), late=50), stop("S2", ("B",), late=50)))
    a, b = due(status)
    assert language_for(a.recipient, "zh-TW") == "zh-TW"
    assert language_for(b.recipient, "zh-TW") == "en"
    text = render(b, language="en", timezone="Asia/Taipei", tracking_link="https://x.example/t/abc")
    assert text.startswith("Dear Ms Lee,")
    assert "10:50" in text


def test_a_notice_reads_in_the_seeds_order() -> None:
    """Apology, reason, what is being done, new arrival, tracking link, compensation."""
    (draft,) = due(day(route("V1", stop("S1", ("A",), late=45))))
    text = render(
        draft, language="zh-TW", timezone="Asia/Taipei", tracking_link="https://x.example/t/abc"
    )
    marks = ["很抱歉", "延誤原因", "密切追蹤", "預計新的送達時間:10:45", "https://x.example/t/abc",
             "NT$50 購物金"]  # fmt: skip
    positions = [text.index(m) for m in marks]
    assert positions == sorted(positions)
    assert text.startswith("王小姐 您好,")


def test_the_group_leaders_notice_lists_the_orders() -> None:
    """The pickup point's name and every order are in the group leader's notice."""
    (draft,) = due(day(route("V1", stop("PP-1", ("P1", "P2"), late=40))))
    text = render(
        draft, language="zh-TW", timezone="Asia/Taipei", tracking_link=None,
        point_name="信義社區",
    )  # fmt: skip
    assert "陳團主 團主您好" in text
    assert "信義社區" in text
    assert "P1, P2" in text


def test_values_are_data_not_templates() -> None:
    """A name that looks like a placeholder or a format field is written as it is."""
    directory = Directory.of_request(
        {"orders": [{"id": "A", "customer": "$orders {0.__class__} ${late}"}]}
    )
    status = day(route("V1", stop("S1", ("A",), late=20)))
    (draft,) = plan_notices(status, directory, POLICY, Ledger(), notify_after=15)
    text = render(draft, language="en", timezone="Asia/Taipei", tracking_link=None)
    assert text.startswith("Dear $orders {0.__class__} ${late},")
