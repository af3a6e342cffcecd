"""Tables of the moderator web dashboard: signing key, used sign-in links, sessions.

They live in the database (not in memory) so that a sign-in link used once is refused by
every instance, and a session opened on one instance is valid on all of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class DashboardKey(Base):
    """A random key made on first use when no ``STUDYBOT_DASHBOARD_SECRET`` is set."""

    __tablename__ = "dashboard_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DashboardUsedToken(Base):
    """A sign-in link that has been used (its id), so it is refused the second time."""

    __tablename__ = "dashboard_used_tokens"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DashboardSession(Base):
    """A signed-in browser; only the hash of the cookie value is stored.

    ``actor`` is what the platform said about the moderator when the link was made
    (user id, name, admin flag, roles): every request re-runs the dispatcher's moderator
    rule with it against the group's current ``moderator_roles``.
    """

    __tablename__ = "dashboard_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    space_external_id: Mapped[str] = mapped_column(String(64))
    actor: Mapped[Any] = mapped_column(JSON)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
