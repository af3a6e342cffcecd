"""The vocabulary of scheduled posting, re-exported from :mod:`bot.core.posts`.

It moved to the core so the ledger's repository in ``bot/db`` can use it without
importing the scheduler; scheduling code and features keep importing it from here.
"""

from __future__ import annotations

from bot.core.posts import (
    CHANNEL_KINDS,
    IN_FLIGHT,
    PostKey,
    PostKind,
    PostStatus,
    celebration_channel,
    reminder_channel,
    reminder_member,
)

__all__ = [
    "CHANNEL_KINDS",
    "IN_FLIGHT",
    "PostKey",
    "PostKind",
    "PostStatus",
    "celebration_channel",
    "reminder_channel",
    "reminder_member",
]
