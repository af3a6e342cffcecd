"""Writing check-ins and keeping every derived figure exact, in the caller's transaction.

:func:`record` stores a batch of check-ins: it inserts the rows (a stored day is skipped,
not an error), locks and updates the members' ``member_stats`` rows (streak figures and
the counts of the group's board day) and the score counts, all in one transaction with
the rows. A check-in that follows the member's run is applied with
:func:`bot.streaks.apply`; a back-filled day (or any day at or before the stored run's
end) makes the member's figures be replayed from all their rows with
:func:`bot.streaks.replay`. :func:`recompute` does that replay on request (moderator
repairs, amnesties, merged accounts, imports).

Lock order is always: ``checkins`` rows, then ``members`` and ``member_stats`` rows by
member id (see :mod:`bot.db.repositories.stats`), then ``board_state`` (shared), then
the boards' heads (``board_top_state`` by key), then score counts by key; so writers
never deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from bot.db.repositories import board_figures, board_top, checkins, stats
from bot.db.repositories.checkins import Executor, NewCheckin
from bot.db.repositories.stats import StatsRow
from bot.features.awards.earn import Cause, earn
from bot.features.checkins.figures import (
    Change,
    replayed_row,
    stats_row,
    total_deltas,
    window_counts,
)
from bot.recognition import Milestone
from bot.streaks import CheckInDay, StreakPolicy, apply


class Status(StrEnum):
    """What became of one check-in request."""

    COUNTED = "counted"
    """Stored and counted."""
    ALREADY = "already"
    """The member already has a check-in for that day."""
    COVERED = "covered"
    """The member's streak already covers that day (they moved west, or a moderator set
    their run up to it); nothing was stored."""


@dataclass(frozen=True)
class CheckinRequest:
    """One check-in to record.

    Attributes:
        checkin: The row to store.
        policy: The group's streak rules at the time.
        backfill: A deliberate check-in for an earlier day (``/done yesterday``); it is
            stored even if the run already passed that day, and the figures replayed.
        inbox_key: The durable inbox entry of the command asking for it; the check-in
            writer marks it ``recorded`` in the transaction that stores the check-in.
    """

    checkin: NewCheckin
    policy: StreakPolicy
    backfill: bool = False
    inbox_key: str | None = None

    @property
    def key(self) -> tuple[int, date]:
        """``(member_id, local_date)``."""
        return self.checkin.member_id, self.checkin.local_date


@dataclass(frozen=True)
class CheckinResult:
    """The answer to one request: what happened and the member's figures after it."""

    status: Status
    day: date
    before: StatsRow | None
    after: StatsRow
    earned: tuple[Milestone, ...] = ()

    @property
    def freezes_spent(self) -> int:
        """Freezes this write used up (to bridge missed days)."""
        spent_before = self.before.state.freezes_used if self.before else 0
        return self.after.state.freezes_used - spent_before

    @property
    def freeze_earned(self) -> bool:
        """Whether this write earned a freeze."""
        held = self.before.state.freezes if self.before else 0
        return self.after.state.freezes > held - self.freezes_spent


async def _into_locked_groups(
    db: Executor, inserted: dict[tuple[int, date], int], rows: dict[int, StatsRow]
) -> None:
    """Move the rows just inserted into their member's group as it is under the lock.

    The insert stores the member's group as it reads it. On PostgreSQL that read takes no
    lock, so a link or unlink committing before :func:`stats.load_for_write` locks the
    member would leave the check-in in the old group while the figures move to the new
    one. The loaded rows are locked until the commit: their group is the one that stays.
    (On SQLite the insert already read under the write lock; nothing differs.)
    """
    moved = {
        key: rows[key[0]].group_id
        for key, group_id in inserted.items()
        if rows[key[0]].group_id != group_id
    }
    if moved:
        await checkins.set_groups(db, moved)


async def record(
    db: Executor, requests: Sequence[CheckinRequest], now: datetime
) -> list[CheckinResult]:
    """Store a batch of check-ins and update every figure; one result per request.

    Runs in the caller's transaction; commit it for the results to be true.
    """
    # Key order, so two writers inserting the same keys never wait on each other in a cycle.
    ordered = sorted(requests, key=_key)
    inserted = await checkins.insert_new(db, [request.checkin for request in ordered])
    by_member: dict[int, list[CheckinRequest]] = defaultdict(list)
    for request in requests:
        by_member[request.checkin.member_id].append(request)
    rows = await stats.load_for_write(db, by_member)
    await _into_locked_groups(db, inserted, rows)
    groups = {row.group_id for row in rows.values()}
    days = await board_figures.board_days(db, groups)
    since = min(
        min(row.state.run_end or date.max for row in rows.values()),
        min(request.checkin.local_date for request in requests),
    )
    excuses = await stats.excuses(db, groups, by_member, since)

    changes: dict[int, Change] = {}
    rejected: list[tuple[int, date]] = []
    to_replay: dict[int, StreakPolicy] = {}
    for member_id, mine in by_member.items():
        before = rows[member_id]
        outcome = _apply_member(
            before,
            mine if len(mine) == 1 else sorted(mine, key=lambda r: r.checkin.local_date),
            inserted,
            excuses.of(before.group_id, member_id),
            days[before.group_id],
        )
        rejected += outcome.rejected
        if outcome.replay is not None:
            to_replay[member_id] = outcome.replay
        elif outcome.change is not None:
            changes[member_id] = outcome.change

    await checkins.delete_keys(db, rejected)
    if to_replay:
        changes.update(await _replay_members(db, to_replay, rows, days))
    platforms = {r.checkin.member_id: r.checkin.platform for r in requests}
    # The score counts last: their rows are shared by every writer of the group, so on
    # PostgreSQL their locks are held only from here to the commit.
    await _write(db, changes.values(), now, moved=False, counts=False)
    earned = await _earn(db, changes, Cause("checkin", platforms=platforms), now)
    await _move_on_boards(db, changes.values())
    await board_figures.add_deltas(db, total_deltas(changes.values()))
    return _results(requests, inserted, set(rejected), rows, changes, earned)


async def _earn(
    db: Executor, changes: dict[int, Change], cause: Cause, now: datetime
) -> dict[int, list[Milestone]]:
    """Awards the changes earned (milestones crossed), in this transaction."""
    return await earn(db, ((c.before, c.after) for c in changes.values()), cause, now)


@dataclass
class _Applied:
    change: Change | None = None
    rejected: tuple[tuple[int, date], ...] = ()
    replay: StreakPolicy | None = None


def _apply_member(
    before: StatsRow,
    mine: list[CheckinRequest],
    inserted: Mapping[tuple[int, date], int],
    excused: frozenset[date],
    board_day: date | None,
) -> _Applied:
    """Apply one member's newly stored days in order (a member's requests, by day)."""
    row = before
    rejected: list[tuple[int, date]] = []
    seen: set[tuple[int, date]] = set()
    member_id = before.member_id
    for item in mine:
        day = item.checkin.local_date
        key = (member_id, day)
        if key not in inserted or key in seen:
            continue
        seen.add(key)
        if row.state.run_end is not None and day <= row.state.run_end:
            if item.backfill:
                return _Applied(rejected=tuple(rejected), replay=item.policy)
            rejected.append(key)
            continue
        recent, week, month = window_counts(board_day, (day,))
        row = stats_row(
            member_id,
            row.group_id,
            row.hidden,
            apply(row.state, _day(item.checkin), item.policy, excused),
            policy=item.policy,
            excused=excused,
            board_day=board_day,
            last_day=max(row.last_day or day, day),
            recent=row.recent + recent,
            week_n=row.week_n + week,
            month_n=row.month_n + month,
        )
    change = None if row is before else Change(before, row)
    return _Applied(change=change, rejected=tuple(rejected))


def _results(
    requests: Sequence[CheckinRequest],
    inserted: Mapping[tuple[int, date], int],
    rejected: set[tuple[int, date]],
    rows: dict[int, StatsRow],
    changes: dict[int, Change],
    earned: dict[int, list[Milestone]],
) -> list[CheckinResult]:
    # The same member and day twice in one batch: the first request is the one counted.
    keys = [request.key for request in requests]
    first: dict[tuple[int, date], int] = {}
    for index, key in enumerate(keys):
        first.setdefault(key, index)
    results: list[CheckinResult] = []
    for index, key in enumerate(keys):
        member_id, day = key
        change = changes.get(member_id)
        after = rows[member_id] if change is None else change.after
        if key in rejected:
            result = CheckinResult(Status.COVERED, day, rows[member_id], after)
        elif key not in inserted or first[key] != index:
            result = CheckinResult(Status.ALREADY, day, rows[member_id], after)
        else:
            milestones = tuple(earned.get(member_id, ()))
            result = CheckinResult(Status.COUNTED, day, rows[member_id], after, milestones)
        results.append(result)
    return results


def _key(request: CheckinRequest) -> tuple[int, date]:
    checkin = request.checkin
    return checkin.member_id, checkin.local_date


def _day(checkin: NewCheckin) -> CheckInDay:
    return CheckInDay(day=checkin.local_date, at=checkin.checked_at, tz=checkin.timezone)


async def recompute(
    db: Executor,
    member_ids: Iterable[int],
    policy: StreakPolicy,
    now: datetime,
    *,
    cause: Cause | None = None,
) -> dict[int, Change]:
    """Replay members' figures from their rows (check-ins, overrides, excused days).

    Args:
        db: The caller's session or connection (its transaction).
        member_ids: Members of one group.
        policy: The group's current rules: history is replayed under them.
        now: Stored as ``updated_at``.
        cause: Why (a repair, an amnesty): milestones the replay crosses are earned with
            it. ``None`` earns nothing (merging accounts moves their awards instead).

    Returns:
        Each member's change (before and after), already written.
    """
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    await stats.begin_write(db, wanted, now)
    rows = await stats.load_for_write(db, wanted)
    days = await board_figures.board_days(db, {row.group_id for row in rows.values()})
    changes = await _replay_members(db, dict.fromkeys(wanted, policy), rows, days)
    await _write(db, changes.values(), now)
    if cause is not None:
        await _earn(db, changes, cause, now)
    return changes


async def _replay_members(
    db: Executor,
    policies: dict[int, StreakPolicy],
    rows: dict[int, StatsRow],
    days: dict[int, date | None],
) -> dict[int, Change]:
    groups = {rows[member_id].group_id for member_id in policies}
    excuses = await stats.excuses(db, groups, policies)
    histories = await checkins.history(db, policies)
    overrides = await stats.overrides(db, policies)
    changes: dict[int, Change] = {}
    for member_id, policy in policies.items():
        before = rows[member_id]
        after = replayed_row(
            member_id,
            before.group_id,
            before.hidden,
            histories[member_id],
            overrides[member_id],
            policy=policy,
            excused=excuses.of(before.group_id, member_id),
            board_day=days[before.group_id],
        )
        changes[member_id] = Change(before, after)
    return changes


async def set_hidden(db: Executor, member_id: int, hidden: bool, now: datetime) -> None:
    """Show or hide a member on the boards (their rows and the score counts)."""
    await stats.set_member_hidden(db, member_id, hidden)  # also takes SQLite's write lock
    before = (await stats.load_for_write(db, [member_id]))[member_id]
    await _write(db, [Change(before, replace(before, hidden=hidden))], now)
    # The steps board (learning progress) respects the same opt-out.
    from bot.db.repositories import progress_summary

    await progress_summary.set_hidden(db, member_id, hidden)


async def _write(
    db: Executor,
    changes: Iterable[Change],
    now: datetime,
    *,
    moved: bool = True,
    counts: bool = True,
) -> None:
    """Store the changed rows, their board places and score-count deltas.

    With ``counts=False`` the caller moves the places and counts itself.
    """
    changed = list(changes)
    if not changed:
        return
    new = {c.before.member_id for c in changed if c.before is not None and not c.before.stored}
    await stats.save(db, [change.after for change in changed], now, new=new, moved=moved)
    if counts:
        await _move_on_boards(db, changed)
        await board_figures.add_deltas(db, total_deltas(changed))


async def _move_on_boards(db: Executor, changes: Iterable[Change]) -> None:
    """Move the changed members' entries in their boards' first places (``board_top``)."""
    await board_top.apply(db, ((change.before, change.after) for change in changes))
