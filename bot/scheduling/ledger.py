"""The post ledger's SQL moved to :mod:`bot.db.repositories.posts_ledger`; this re-exports it.

Kept for ``bot/features/schedule/commands.py``, which another change in flight is editing;
new code imports the repository directly.
"""

from __future__ import annotations

from bot.db.repositories.posts_ledger import (
    Claim,
    begin_attempt,
    claim,
    find,
    finish,
    mark_retry,
    mark_sent,
    record_final,
    retake,
    take_over,
)

__all__ = [
    "Claim",
    "begin_attempt",
    "claim",
    "find",
    "finish",
    "mark_retry",
    "mark_sent",
    "record_final",
    "retake",
    "take_over",
]
