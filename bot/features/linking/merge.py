"""Keeping streak figures exact when members merge or move between groups.

- :func:`merge`: the rows of one member move to another
  (:func:`bot.db.repositories.linking.members.merge_members`), then both are recomputed with
  the check-ins feature's
  :meth:`~bot.features.checkins.checkin_service.CheckinService.recompute` under the group's
  rules: the survivor's figures become the replay of the union of check-ins, the absorbed
  member's drop to nothing (which takes them off the score counts), and the absorbed member
  is deleted. So a merged streak is exactly the streak of the union. Roadmap progress is
  unioned per step (:func:`bot.progress.plan.union`) before that.
- :func:`refresh_moved`: members that moved into another group keep their streak state (a
  group's rules apply from a member's next check-in, as with any rules change), but the
  figures that depend on the group (when a run stops showing, the 30-day window, the group's
  score counts) are rebuilt for the new group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.content.schema import Phase, Step
from bot.core.refs import MemberRef
from bot.db.repositories import awards as awards_repo
from bot.db.repositories import board_figures, board_roll, progress_challenges
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import members as members_repo
from bot.db.repositories import progress as progress_repo
from bot.db.repositories import progress_summary as summary_repo
from bot.db.repositories import projects as projects_repo
from bot.db.repositories import settings as settings_repo
from bot.db.repositories import stats as stats_repo
from bot.db.repositories.linking.members import MergeCounts, delete_member, merge_members
from bot.db.repositories.stats import StatsRow
from bot.db.sessions import Session
from bot.features.checkins.checkin_service import CheckinService
from bot.features.checkins.figures import in_window, stats_row
from bot.features.checkins.rules import policy_from
from bot.progress.challenge_steps import ChallengeSteps
from bot.streaks import StreakPolicy


@dataclass(frozen=True)
class MergeResult:
    """What a merge did: the row counts, both members' figures before, the survivor's after.

    Attributes:
        counts: What moved and what was a same-date duplicate.
        before: ``{"survivor": {...}, "absorbed": {...}}`` audited figures before.
        after: The survivor's stored figures after the merge.
        policy: The group's rules the figures were replayed under.
        excused: The days excused for the survivor.
        survivor: The survivor as stored after the merge (its preferences merged too).
    """

    counts: MergeCounts
    before: dict[str, Any]
    after: StatsRow
    policy: StreakPolicy
    excused: frozenset[date]
    survivor: MemberRef


def _snapshot(row: StatsRow | None, member_id: int) -> dict[str, Any]:
    if row is None:
        return {"member_id": member_id, "run": 0, "longest": 0, "total": 0}
    state = row.state
    return {
        "member_id": member_id,
        "run": state.run,
        "run_end": state.run_end.isoformat() if state.run_end else None,
        "longest": state.longest,
        "total": state.total,
        "freezes": state.freezes,
    }


async def group_policy(session: Session, group_id: int) -> StreakPolicy:
    """The group's streak rules from its stored settings."""
    return policy_from(await settings_repo.load(session, group_id))


async def merge(
    session: Session,
    survivor: MemberRef,
    absorbed: MemberRef,
    now: datetime,
    plan: tuple[Sequence[Phase], Sequence[Step]] | None = None,
    checkins: CheckinService | None = None,
    challenges: ChallengeSteps | None = None,
) -> MergeResult:
    """Merge ``absorbed`` into ``survivor`` (same group) and recompute every figure.

    ``plan`` (the content's phases and steps) lets the progress summaries follow; without
    it the group's progress counts are rebuilt by their next reader. ``checkins`` replays
    the figures (an inline check-in service when not given). ``challenges`` (the
    content's challenge steps) recounts the survivor's done challenges per step; without
    it the group's counts are recounted by their next reader.
    """
    checkins = checkins or CheckinService()
    stored = await stats_repo.load(session, [survivor.id, absorbed.id], lock=False)
    before = {
        "survivor": _snapshot(stored.get(survivor.id), survivor.id),
        "absorbed": _snapshot(stored.get(absorbed.id), absorbed.id),
    }
    counts = await merge_members(session, survivor, absorbed)
    policy = await group_policy(session, survivor.group_id)
    changes = await checkins.recompute(session, [survivor.id, absorbed.id], policy, now)
    # merge_members merged the preferences it owns (timezone, reminders) into the row.
    survivor = await members_repo.get(session, survivor.id)
    if absorbed.hidden and not survivor.hidden:
        # Privacy wins: hidden on either account keeps the person off the boards.
        survivor = await members_repo.update(session, survivor.id, hidden=True)
        await checkins.set_hidden(session, survivor.id, True, now)
    # Learning progress is unioned step by step (the furthest status, earliest dates win).
    mine = await progress_repo.load(session, survivor.id)
    theirs = await progress_repo.load(session, absorbed.id)
    await progress_repo.merge(session, survivor.group_id, survivor.id, absorbed.id, now)
    if plan is None:
        await summary_repo.forget_built(session, survivor.group_id)
    else:
        merged = await progress_repo.load(session, survivor.id)
        group = survivor.group_id
        await summary_repo.refresh(
            session, plan, (absorbed.id, group, absorbed.hidden), theirs, {}, now
        )
        await summary_repo.refresh(
            session, plan, (survivor.id, group, survivor.hidden), mine, merged, now
        )
    await progress_repo.merge_challenges(session, survivor.group_id, survivor.id, absorbed.id)
    await progress_challenges.recount_member(session, survivor.group_id, survivor.id, challenges)
    await projects_repo.merge(session, survivor.group_id, survivor.id, absorbed.id, now)
    # Badges: one per person; the earlier of a badge both accounts earned is kept.
    await awards_repo.move_member(session, absorbed.id, survivor.id)
    await delete_member(session, absorbed.id)
    after = (await stats_repo.load(session, [survivor.id], lock=False)).get(survivor.id)
    excuses = await stats_repo.excuses(session, [survivor.group_id], [survivor.id])
    return MergeResult(
        counts=counts,
        before=before,
        after=after if after is not None else changes[survivor.id].after,
        policy=policy,
        excused=excuses.of(survivor.group_id, survivor.id),
        survivor=survivor,
    )


async def refresh_moved(
    session: Session,
    group_id: int,
    member_ids: Iterable[int],
    *,
    today: date,
    now: datetime,
) -> None:
    """Recompute the group-dependent figures of members that joined ``group_id``.

    Their streak state is kept; ``alive_until``/``live_run`` follow the group's rules and
    excused days, ``recent`` its 30-day window, and the group's score counts are rebuilt
    from the rows (members that left are no longer counted).

    Args:
        session: The invocation's session.
        group_id: The group the members are in now.
        member_ids: The members that moved in (none: only rebuild the score counts).
        today: The group's local date.
        now: The current instant.
    """
    wanted = sorted(set(member_ids))
    policy = await group_policy(session, group_id)
    # Bring the group's board day to today first, as its next board view would: score
    # counts are only ever rebuilt for a group whose day is set.
    await board_roll.roll(session, group_id, today, now)
    board_day = (await board_figures.board_days(session, [group_id]))[group_id] or today
    if wanted:
        rows = await stats_repo.load(session, wanted)
        excuses = await stats_repo.excuses(session, [group_id], wanted)
        histories = await checkins_repo.history(session, wanted)
        refreshed = []
        for member_id, row in rows.items():
            history = histories[member_id]
            refreshed.append(
                stats_row(
                    member_id,
                    group_id,
                    row.hidden,
                    row.state,
                    policy=policy,
                    excused=excuses.of(group_id, member_id),
                    board_day=board_day,
                    last_day=history[-1].day if history else None,
                    recent=sum(in_window(board_day, c.day) for c in history),
                )
            )
        await stats_repo.save(session, refreshed, now)
    await board_figures.rebuild(session, group_id, board_day)
