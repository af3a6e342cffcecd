"""The tables of the domain model (see ARCHITECTURE.md, "Domain model").

Groups own spaces (a Discord guild, a Slack workspace, the console) and members; a member
is reached through identities ``(space, platform user id)``, never by a platform id alone.
Check-ins are the source of truth for streaks; ``member_stats`` is their denormalised
summary, updated in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime

ID = Integer


class Group(Base):
    """A study group: one settings set, one rotation, one leaderboard."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Space(Base):
    """A Discord guild, Slack workspace or console session attached to a group."""

    __tablename__ = "spaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Member(Base):
    """A person in a group, whichever platforms they use."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Identity(Base):
    """Maps a platform user in one space to a member."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("space_id", "platform_user_id"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CheckIn(Base):
    """One counted day of practice: unique per member and local date."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("member_id", "local_date"),
        Index("ix_checkins_group_date", "group_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(20))
    challenge_id: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))


class MemberStats(Base):
    """Denormalised streak summary of a member, kept in step with their check-ins.

    The displayed current streak is computed on read from ``run``, ``run_end`` and today,
    so it is never stale; ``alive_until`` is the last local date on which ``run`` would
    still display (boards and recaps compare it with their day).
    """

    __tablename__ = "member_stats"
    __table_args__ = (
        # Leaderboard indexes (migration 0002, replacing 0001's board_run/longest/total):
        # equality on (group, hidden), then the score, then the tie order; member_id last
        # so PostgreSQL can answer from the index alone. Each index costs every check-in
        # an update, so there are only as many as the boards need.
        Index(
            "ix_member_stats_rank_streak", "group_id", "hidden", "live_run", "last_day", "member_id"
        ),
        Index(
            "ix_member_stats_rank_longest", "group_id", "hidden", "longest", "last_day", "member_id"
        ),
        Index("ix_member_stats_rank_total", "group_id", "hidden", "total", "last_day", "member_id"),
        Index(
            "ix_member_stats_rank_recent", "group_id", "hidden", "recent", "last_day", "member_id"
        ),
        Index("ix_member_stats_rank_week", "group_id", "hidden", "week_n", "last_day", "member_id"),
        Index(
            "ix_member_stats_rank_month", "group_id", "hidden", "month_n", "last_day", "member_id"
        ),
    )

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    run: Mapped[int] = mapped_column(Integer, default=0)
    run_end: Mapped[date | None] = mapped_column(Date)
    alive_until: Mapped[date | None] = mapped_column(Date)
    longest: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    freezes: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    freezes_used: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_tz: Mapped[str | None] = mapped_column(String(64))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Added by migration 0002 for the leaderboards (see bot/db/repositories/leaderboard.py):
    # the latest check-in's local date, the run as the boards show it on the group's board
    # day (0 once broken), and the check-ins in the group's 30-day window, calendar week
    # and calendar month of that day.
    last_day: Mapped[date | None] = mapped_column(Date)
    live_run: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    recent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    week_n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    month_n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CheckinCount(Base):
    """A member's check-ins in one past calendar week or month (``period`` ``week``/``month``).

    History for recaps and exports: written when the group's day moves past the end of a
    week or month (the current ones are ``member_stats.week_n``/``month_n``).
    ``hidden`` copies ``members.hidden`` at that time.
    """

    __tablename__ = "checkin_counts"
    # Clustered on the key (no separate rowid b-tree on SQLite).
    __table_args__ = ({"sqlite_with_rowid": False},)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    start: Mapped[date] = mapped_column(Date, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    checkins: Mapped[int] = mapped_column(Integer)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class BoardCount(Base):
    """How many visible members hold each score on a board: ranks are sums over these rows.

    A rank is ``1 +`` the members with a higher score, which an index range count would
    find only by visiting each of them; summing these few rows costs the same for the
    first and the 100,000th member. ``day`` is the members' latest check-in day for boards
    that periods filter by activity (``streak``, ``longest``), else
    :data:`~bot.db.repositories.board_figures.NO_DAY`.
    """

    __tablename__ = "board_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    board: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    score: Mapped[int] = mapped_column(Integer, primary_key=True)
    members: Mapped[int] = mapped_column(Integer)


class BoardState(Base):
    """The group day the day-dependent leaderboard figures are kept for.

    Those are ``member_stats.recent``/``week_n``/``month_n`` and ``live_run``. When the
    group's local date moves past ``day``, the first reader rolls them forward and rebuilds
    ``board_counts`` (which heals any drift). Writers read the row (share-locked on
    PostgreSQL) so both agree on the day.
    """

    __tablename__ = "board_state"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExcusedDay(Base):
    """A day that never breaks a streak: group-wide (amnesty, outage) or one member's."""

    __tablename__ = "excused_days"
    __table_args__ = (Index("ix_excused_days_group_day", "group_id", "day"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StreakOverride(Base):
    """A moderator's ``set`` of a member's run, replayed with their check-ins."""

    __tablename__ = "streak_overrides"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    run: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Post(Base):
    """The post ledger: one row per (space, channel, kind, local date), claimed before sending.

    Only the instance whose INSERT created the row (or who took over an expired lease)
    sends, which keeps posts exactly-once across restarts and several instances.
    """

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("space_id", "channel_id", "kind", "local_date"),
        Index("ix_posts_status_lease", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    content_id: Mapped[str | None] = mapped_column(String(80))
    message_ref: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RotationEntry(Base):
    """Which content item a group got on a local date, so asking twice gives the same one."""

    __tablename__ = "rotation"
    __table_args__ = (UniqueConstraint("group_id", "kind", "local_date"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    item_id: Mapped[str] = mapped_column(String(80))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Setting(Base):
    """One group setting (``scope`` is ``group`` or ``space:<id>`` for per-space values)."""

    __tablename__ = "settings"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """An append-only record of a moderator change: who, what, before, after, why."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_group_created", "group_id", "created_at"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    actor_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80))
    target: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LinkCode(Base):
    """A one-time code for linking two spaces or two accounts; only its hash is stored."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(128), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StepProgress(Base):
    """A member's progress on one roadmap step (migration 0004).

    One row per (member, step) that was ever started, done or skipped; a step without a
    row is "not started". Dates are the member's local dates.
    """

    __tablename__ = "step_progress"
    __table_args__ = (Index("ix_step_progress_group_step", "group_id", "step_id", "status"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    step_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    started_on: Mapped[date | None] = mapped_column(Date)
    finished_on: Mapped[date | None] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The dashboard's tables (issue 16) live in their own module; imported so metadata has them.
from bot.db.models_dashboard import (  # noqa: E402, F401
    DashboardKey,
    DashboardSession,
    DashboardUsedToken,
)

# The durable inbox (issue 21), likewise in its own module.
from bot.db.models_inbox import InboxRow  # noqa: E402, F401

# Projects, done challenges and the progress summary (issue 13) live in their own module.
from bot.db.models_progress import (  # noqa: E402, F401
    ChallengeDone,
    MemberProgress,
    MilestoneProgress,
    ProgressCount,
    ProjectProgress,
)
