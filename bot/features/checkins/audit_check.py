"""Recompute every stored figure from the raw rows and report what disagrees.

The check behind ``/admin streak MEMBER show`` and the tests: each member's
``member_stats`` row must equal a replay of their check-ins, overrides and excused days
(:func:`bot.streaks.replay`) plus the derived figures (the windowed counts of the group's
board day included), the score counts must equal a recount of the rows, and each board's
head (``board_top``) must be exactly the board's first places. An empty list means
everything agrees.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from bot.db.repositories import board_figures, board_top
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import stats as stats_repo
from bot.db.repositories.board_figures import HistKey, stats_keys
from bot.db.repositories.checkins import Executor
from bot.db.repositories.stats import StatsRow
from bot.features.checkins.figures import replayed_row
from bot.streaks import StreakPolicy, StreakState


async def expected_rows(
    db: Executor, group_id: int, member_ids: Iterable[int], policy: StreakPolicy
) -> dict[int, StatsRow]:
    """What each member's stats row should be, from the raw rows."""
    wanted = sorted(set(member_ids))
    stored = await stats_repo.load(db, wanted, lock=False)
    board_day = (await board_figures.board_days(db, [group_id]))[group_id]
    excuses = await stats_repo.excuses(db, [group_id], wanted)
    histories = await checkins_repo.history(db, wanted)
    overrides = await stats_repo.overrides(db, wanted)
    expected: dict[int, StatsRow] = {}
    for member_id in wanted:
        history = histories[member_id]
        hidden = stored[member_id].hidden if member_id in stored else False
        expected[member_id] = replayed_row(
            member_id,
            group_id,
            hidden,
            history,
            overrides[member_id],
            policy=policy,
            excused=excuses.of(group_id, member_id),
            board_day=board_day,
        )
    return expected


async def verify_members(
    db: Executor, group_id: int, member_ids: Iterable[int], policy: StreakPolicy
) -> list[str]:
    """Differences between the stored and the recomputed figures of some members."""
    wanted = sorted(set(member_ids))
    stored = await stats_repo.load(db, wanted, lock=False)
    problems: list[str] = []
    for member_id, row in (await expected_rows(db, group_id, wanted, policy)).items():
        have = stored.get(member_id)
        if have is None:
            if row.state != StreakState():
                problems.append(f"member {member_id}: no stats row")
            continue
        stored_values = have.values()
        for name, value in row.values().items():
            if stored_values[name] != value:
                problems.append(f"member {member_id}: {name} {stored_values[name]!r} != {value!r}")
    return problems


async def verify_group(db: Executor, group_id: int, policy: StreakPolicy) -> list[str]:
    """Differences anywhere in a group's figures (members, score counts, board heads)."""
    members = set(await stats_repo.member_ids(db, group_id))
    members |= set(await checkins_repo.counts_in_window(db, group_id, date.min, date.max))
    problems = await verify_members(db, group_id, members, policy)
    expected: Counter[HistKey] = Counter()
    rows = (await stats_repo.for_group(db, group_id)).values()
    for row in rows:
        expected.update(stats_keys(row))
    have = await board_figures.histogram(db, group_id)
    for key in sorted(set(expected) | set(have)):
        if expected[key] != have[key]:
            problems.append(f"score count {key}: stored {have[key]} != {expected[key]}")
    return problems + await verify_heads(db, group_id, rows)


async def verify_heads(db: Executor, group_id: int, rows: Iterable[StatsRow]) -> list[str]:
    """Differences between a group's board heads and its boards' first places."""
    states = await board_top.states(db, [group_id], lock=False)
    if not states:
        return []  # never built: the first board view builds them
    order: dict[str, list[board_top.Key]] = {board: [] for board in board_top.BOARDS}
    for row in rows:
        for board, key in zip(board_top.BOARDS, board_top.keys_of(row), strict=True):
            if key is not None:
                order[board].append(key)
    heads = await board_top.entries(db, group_id)
    problems: list[str] = []
    for board in board_top.BOARDS:
        state = states.get((group_id, board))
        if state is None:
            problems.append(f"board head {board}: missing")
            continue
        ranked = sorted(order[board], reverse=True)
        want = (
            ranked
            if state.complete or state.floor is None
            else [key for key in ranked if key >= state.floor]
        )
        if heads[board] != want:
            problems.append(
                f"board head {board}: {len(heads[board])} entries, first places "
                f"{heads[board][:3]} != {len(want)} expected, {want[:3]}"
            )
    return problems
