"""Tables of learning progress beyond steps (migration ``0006_project_progress``).

- ``project_progress`` / ``milestone_progress``: a member's projects and ticked milestones;
- ``challenge_done``: which challenges a member has done (one row per member and
  challenge, written with the check-in or on its own when the day is already counted);
- ``member_progress``: a member's denormalised summary (current step, steps done, when
  they last moved) kept in step with ``step_progress`` in the same transaction, so the
  ``steps`` board and ``/admin progress`` are index reads;
- ``progress_counts``: how many members hold each figure (members on a step, members who
  finished a phase, visible members per ``steps`` score), so counts are a few rows, not a
  ``GROUP BY`` over every member.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class ProjectProgress(Base):
    """A member's progress on one project idea: active, finished or dropped."""

    __tablename__ = "project_progress"
    __table_args__ = (Index("ix_project_progress_group_status", "group_id", "status"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    started_on: Mapped[date] = mapped_column(Date)
    finished_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MilestoneProgress(Base):
    """One ticked milestone (1-based ``number``) of a member's project."""

    __tablename__ = "milestone_progress"
    __table_args__ = ({"sqlite_with_rowid": False},)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    done_on: Mapped[date] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChallengeDone(Base):
    """A challenge a member has done, with the first local date they did it."""

    __tablename__ = "challenge_done"
    __table_args__ = ({"sqlite_with_rowid": False},)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    challenge_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    done_on: Mapped[date] = mapped_column(Date)


class MemberProgress(Base):
    """A member's progress summary, rewritten whenever their step records change.

    ``current_step`` is the step ``/roadmap me`` calls current (``None`` once the plan is
    finished); ``on_step`` says it is started; ``moved_on`` is the last local date a step
    was started, done or skipped (the moderators' "not moved for N weeks").
    """

    __tablename__ = "member_progress"
    __table_args__ = (
        # The steps board: like member_stats' board indexes, in the board's order.
        Index("ix_member_progress_rank_steps", "group_id", "hidden", "steps_done", "member_id"),
        Index("ix_member_progress_moved", "group_id", "on_step", "moved_on"),
    )

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    current_step: Mapped[str | None] = mapped_column(String(80))
    on_step: Mapped[bool] = mapped_column(Boolean, default=False)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    moved_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProgressCount(Base):
    """How many members hold one figure of a group.

    ``kind`` is ``step`` (members whose current step is ``key``), ``phase`` (members who
    finished every step of phase ``key``) or ``steps`` (visible members with ``score``
    steps done; ``key`` empty).
    """

    __tablename__ = "progress_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    score: Mapped[int] = mapped_column(Integer, primary_key=True)
    members: Mapped[int] = mapped_column(Integer)


class StepChallenges(Base):
    """How many distinct challenges of one step a member has done (migration 0009).

    Kept in step with ``challenge_done`` in the same transaction (a new done challenge
    adds one to its step; a merge recounts the survivor), so ``/roadmap me`` reads at
    most one row per step instead of counting the member's done challenges. The group's
    counts are marked in ``progress_counts`` (kind ``challenges``, key the content's
    challenge-to-step fingerprint); a group without the marker is recounted by its first
    reader (:mod:`bot.db.repositories.progress_challenges`).
    """

    __tablename__ = "step_challenges"
    __table_args__ = ({"sqlite_with_rowid": False},)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    step_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    done: Mapped[int] = mapped_column(Integer)
