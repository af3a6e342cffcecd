"""``studybot import streaks``: carry members' streaks over from another bot.

Each row becomes streak overrides, the same records ``/admin streak MEMBER set`` writes, and
the member's figures are then recomputed by the check-in feature's own replay
(:meth:`bot.features.checkins.checkin_service.CheckinService.recompute`: check-ins,
overrides and excused days under the group's rules, leaderboard figures included). So the
import and every later recompute agree, and a member who already checked in here after the
imported date simply continues the imported streak.

A row becomes, in replay order:

- if ``longest_streak`` is above ``current_streak``: a run of ``longest_streak`` as of the
  day before the current streak began (it only raises the longest streak);
- ``current_streak`` as of ``last_checkin``.

The other bot's count of check-in days is not imported: ``total`` counts the days
recorded here, because it could not be replayed.

Everything runs in the caller's transaction; the caller commits or rolls back (the dry
run rolls back the very same writes, so it shows exactly what an import would do).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.core.models import Actor
from bot.db.models import Member, Space
from bot.db.repositories import audit
from bot.db.repositories import settings as settings_repo
from bot.db.repositories import stats as stats_repo
from bot.db.repositories.spaces import find_space, get_or_create_member, member_of_user
from bot.db.sessions import Session
from bot.features.checkins import rules
from bot.features.checkins.checkin_service import CheckinService
from bot.ops.streak_csv import RowError, StreakRow
from bot.streaks import StreakState

# Other modules (bot.features.linking.merge) read the group's policy and ``alive_until``
# through here; both are the check-in feature's definitions, so there is only one.
group_policy = rules.policy_from
alive_until = rules.alive_until


def _nothing() -> None:
    """The default progress callback."""


@dataclass
class PlannedRow:
    """A row checked against the database: its space and member (``None``: new)."""

    row: StreakRow
    space: Space
    member: Member | None


@dataclass
class ImportPlan:
    """Every row that can be imported, or every problem found."""

    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    """One member's streak before and after the import."""

    row: StreakRow
    member_id: int
    new_member: bool
    before: StreakState
    after: StreakState

    def describe(self) -> str:
        """One line for the report."""
        who = f"{self.row.platform}/{self.row.user_id}"
        if self.row.display_name:
            who += f" ({self.row.display_name})"
        status = "new member" if self.new_member else f"member {self.member_id}"
        ends = self.after.run_end.isoformat() if self.after.run_end else "-"
        return (
            f"line {self.row.line}: {who}, {status}: streak {self.before.run} -> "
            f"{self.after.run} (to {ends}), longest {self.before.longest} -> "
            f"{self.after.longest}"
        )


def overrides_for(row: StreakRow) -> list[tuple[date, int]]:
    """The ``(as_of, run)`` overrides that carry ``row`` over, in replay order."""
    if row.last_checkin is None:
        return []
    result = []
    if row.longest > row.current:
        result.append((row.last_checkin - timedelta(days=row.current), row.longest))
    result.append((row.last_checkin, row.current))
    return result


async def plan(
    session: Session, rows: list[StreakRow], *, step: Callable[[], None] = _nothing
) -> ImportPlan:
    """Check rows against the database: known spaces, one row per member.

    Args:
        session: The session whose transaction the import runs in.
        rows: The file's valid rows.
        step: Called after each row (to advance a progress bar).
    """
    result = ImportPlan()
    space_cache: dict[tuple[str, str], Space | None] = {}
    members_seen: dict[int, int] = {}
    for row in rows:
        step()
        key = (row.platform, row.space)
        if key not in space_cache:
            space_cache[key] = await find_space(session, row.platform, row.space)
        space = space_cache[key]
        if space is None:
            result.errors.append(
                RowError(
                    row.line,
                    f"studybot has not seen the {row.platform} space {row.space!r} yet: add "
                    "the bot there and run any command (e.g. /help) first, then import",
                )
            )
            continue
        member = await member_of_user(session, space.id, row.user_id)
        if member is not None:
            if member.id in members_seen:
                message = f"same member as line {members_seen[member.id]} (linked accounts)"
                result.errors.append(RowError(row.line, message))
                continue
            members_seen[member.id] = row.line
        result.rows.append(PlannedRow(row, space, member))
    return result


async def apply(
    session: Session,
    planned: ImportPlan,
    *,
    source: str,
    actor: str,
    now: datetime,
    step: Callable[[], None] = _nothing,
    checkins: CheckinService | None = None,
) -> list[Imported]:
    """Write a checked plan: members, overrides, recomputed figures, one audit entry per group.

    ``checkins`` is the check-in service that replays the figures (an inline one, writing
    in ``session``'s transaction, when not given: the CLI runs without the app).

    Returns:
        Each row's member and streak before and after, in file order.
    """
    if planned.errors:
        raise ValueError("a plan with errors must not be applied")
    reason = f"imported from {source}"
    checkins = checkins or CheckinService()
    by_group: dict[int, list[tuple[PlannedRow, int, bool]]] = defaultdict(list)
    for item in planned.rows:
        step()
        member = item.member or await _create_member(session, item, now)
        existing = set((await stats_repo.overrides(session, [member.id]))[member.id])
        for as_of, run in overrides_for(item.row):
            # Importing the same file twice must not stack identical overrides.
            if (as_of, run) not in existing:
                await stats_repo.add_override(session, member.id, as_of, run, reason, now)
        by_group[member.group_id].append((item, member.id, item.member is None))
    results: list[Imported] = []
    for group_id, items in by_group.items():
        policy = rules.policy_from(await settings_repo.load(session, group_id))
        changes = await checkins.recompute(session, [m for _, m, _ in items], policy, now)
        for item, member_id, new in items:
            change = changes[member_id]
            before = change.before.state if change.before is not None else StreakState()
            results.append(Imported(item.row, member_id, new, before, change.after.state))
        await audit.record(
            session,
            group_id=group_id,
            actor_member_id=None,
            actor_label=actor,
            action="streaks.import",
            target=source,
            after={"rows": len(items), "new_members": sum(new for _, _, new in items)},
            reason=reason,
            now=now,
        )
    return sorted(results, key=lambda imported: imported.row.line)


async def _create_member(session: Session, item: PlannedRow, now: datetime) -> Member:
    """A new member and their identity, in the import's transaction (undone by a dry run)."""
    row = item.row
    actor = Actor(user_id=row.user_id, display_name=row.display_name or row.user_id)
    member, _ = await get_or_create_member(session, item.space, actor, now)
    return member
