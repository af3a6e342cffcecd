"""The durable inbox's table (migration 0007): acknowledged commands until answered.

See :mod:`bot.core.inbox` for the life of an entry. The key is the platform's idempotency
key, so a redelivered command cannot be stored (or run) twice; the index on
``(status, lease_until)`` is what the recovery sweep reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class InboxRow(Base):
    """One acknowledged command from Slack or Discord."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_status_lease", "status", "lease_until"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reply: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
