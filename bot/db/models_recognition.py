"""Tables of recognition (issue 15): earned awards and Discord role rewards.

``awards`` holds one row per member and milestone (the UNIQUE key makes earning
idempotent: a retried check-in, a replay, two instances all insert the same key once).
Linked Discord and Slack accounts are one member, so a group earns each milestone once
per person. ``post_id`` points at the posts-ledger row that announces the award; the
award and that row are written in one transaction, which is what makes a celebration
exactly-once (see :mod:`bot.features.awards.celebrate`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class Award(Base):
    """A milestone a member earned, once, with when, how and how it is announced.

    ``state`` is ``pending`` (to be announced), ``queued`` (a ledger row owns it:
    ``post_id``) or ``silent`` (never announced). ``roles`` is ``pending`` while a Discord
    role reward is still to be granted, else ``NULL``/``done``/``failed``.
    """

    __tablename__ = "awards"
    __table_args__ = (
        UniqueConstraint("member_id", "milestone"),
        Index("ix_awards_group_state", "group_id", "state"),
        Index("ix_awards_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    milestone: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(Integer, default=0)
    earned_on: Mapped[date] = mapped_column(Date)
    earned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="SET NULL"))
    announce: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(8))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    roles: Mapped[str | None] = mapped_column(String(8))


class RewardRole(Base):
    """A Discord role granted when a milestone is earned (``/admin rewards role``).

    ``error`` keeps the last refusal (403: missing Manage Roles, or the role is above the
    bot's) for ``/admin rewards`` and ``/admin schedule``; a later success clears it.
    """

    __tablename__ = "reward_roles"
    __table_args__ = (UniqueConstraint("space_id", "milestone"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    milestone: Mapped[str] = mapped_column(String(40))
    role_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
