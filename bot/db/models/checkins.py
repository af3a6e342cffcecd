"""Check-ins, the denormalised member figures and board counts, excused days and overrides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime
from bot.db.models.people import ID


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
    # No score indexes (migration 0010 dropped 0002's six): each check-in would move its
    # member in all of them. Boards read their first places from ``board_top`` and ranks
    # from ``board_counts``; the first index finds a group's rows for rolls and deep pages,
    # the second its few hidden members (for the dashboard; a check-in never moves it).
    __table_args__ = (
        Index("ix_member_stats_group", "group_id"),
        Index(
            "ix_member_stats_hidden",
            "group_id",
            sqlite_where=text("hidden = 1"),
            postgresql_where=text("hidden"),
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


class BoardTop(Base):
    """One entry of a board's head, the board's first places in order.

    See :mod:`bot.db.repositories.board_top`. Clustered on the board's order.
    """

    __tablename__ = "board_top"
    __table_args__ = ({"sqlite_with_rowid": False},)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    board: Mapped[str] = mapped_column(String(16), primary_key=True)
    score: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_day: Mapped[date] = mapped_column(Date, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )


class BoardTopState(Base):
    """A board head's length, whether it holds the whole board, and its floor.

    Every listed member whose key ``(score, last_day, member_id)`` is at or above the floor
    is in the head; ``complete`` heads hold every listed member and have no floor.
    """

    __tablename__ = "board_top_state"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    board: Mapped[str] = mapped_column(String(16), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    complete: Mapped[bool] = mapped_column(Boolean)
    floor_score: Mapped[int | None] = mapped_column(Integer)
    floor_day: Mapped[date | None] = mapped_column(Date)
    floor_member: Mapped[int | None] = mapped_column(Integer)


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
