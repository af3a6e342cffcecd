"""The tables of the domain model (see ARCHITECTURE.md, "Domain model").

Groups own spaces (a Discord guild, a Slack workspace, the console) and members; a member
is reached through identities ``(space, platform user id)``, never by a platform id alone.
Check-ins are the source of truth for streaks; ``member_stats`` is their denormalised
summary, updated in the same transaction.

The tables live in one module per area (``people``, ``checkins``, ``posts``, ``admin``,
``progress``) and in the sibling ``bot/db/models_*.py`` modules; this package re-exports
every model, so ``from bot.db.models import Member`` keeps working and Alembic's
metadata has every table.
"""

from __future__ import annotations

from bot.db.base import Base, UTCDateTime
from bot.db.models.admin import AuditEntry, LinkCode, Setting
from bot.db.models.checkins import (
    BoardCount,
    BoardState,
    BoardTop,
    BoardTopState,
    CheckIn,
    CheckinCount,
    ExcusedDay,
    MemberStats,
    StreakOverride,
)
from bot.db.models.people import ID, Group, Identity, Member, Space
from bot.db.models.posts import Post, RotationEntry
from bot.db.models.progress import StepProgress

# The dashboard's tables (issue 16) live in their own module; imported so metadata has them.
from bot.db.models_dashboard import (
    DashboardKey,
    DashboardSession,
    DashboardUsedToken,
)

# The durable inbox (issue 21), likewise in its own module.
from bot.db.models_inbox import InboxRow

# Projects, done challenges and the progress summary (issue 13) live in their own module.
from bot.db.models_progress import (
    ChallengeDone,
    MemberProgress,
    MilestoneProgress,
    ProgressCount,
    ProjectProgress,
    StepChallenges,
)

# Recognition (issue 15): awards and role rewards.
from bot.db.models_recognition import Award, RewardRole

__all__ = [
    "ID",
    "AuditEntry",
    "Award",
    "Base",
    "BoardCount",
    "BoardState",
    "BoardTop",
    "BoardTopState",
    "ChallengeDone",
    "CheckIn",
    "CheckinCount",
    "DashboardKey",
    "DashboardSession",
    "DashboardUsedToken",
    "ExcusedDay",
    "Group",
    "Identity",
    "InboxRow",
    "LinkCode",
    "Member",
    "MemberProgress",
    "MemberStats",
    "MilestoneProgress",
    "Post",
    "ProgressCount",
    "ProjectProgress",
    "RewardRole",
    "RotationEntry",
    "Setting",
    "Space",
    "StepChallenges",
    "StepProgress",
    "StreakOverride",
    "UTCDateTime",
]
