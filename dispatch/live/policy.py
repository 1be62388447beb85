"""The live day's stored rules: the alert rules with their thresholds, and how customers are
told (language, channel, compensation), read and changed together at ``/alert-rules``."""

from __future__ import annotations

from dispatch.live.notices import NoticePolicy
from dispatch.live.rules import AlertRules


class LiveRules(AlertRules):
    """The alert rules and the notice policy, as stored (defaults until a dispatcher changes
    them)."""

    notices: NoticePolicy = NoticePolicy()
