"""Board heads (``board_top``): every page equals the board's exact order, on both databases.

The heads are cut small here (``KEEP`` 3, ``TRIM_AT`` 6) so a few members make them trim,
fill, shrink and reach their floors. Members check in through the real writer's
:func:`record` in batches, over several days with day rolls, hides and moderator repairs;
after each step every page of every board (deep pages included: past the head, read from
``member_stats``) must equal a sort of the stored figures in the board's order
``(score, last_day, member_id)`` highest first, and the audit must find nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db import migrate
from bot.db.engine import create_session_factory
from bot.db.repositories import board_roll, board_top, leaderboard
from bot.db.repositories import stats as stats_repo
from bot.db.repositories.board_figures import NO_DAY
from bot.db.repositories.leaderboard import BY, PERIODS, BoardSpec, read_board
from bot.features.checkins import recording
from bot.features.checkins.audit_check import verify_group
from tests.checkins.test_writer import NOW, POLICY, make_group, request

TODAY = NOW.date()


def _expected(rows: dict[int, stats_repo.StatsRow], spec: BoardSpec) -> list[tuple[int, int]]:
    """A board's entries straight from the stored figures, in the board's order."""
    board = leaderboard.head_board(spec)
    start = spec.start if spec.activity_filtered else None
    keys = []
    for row in rows.values():
        key = board_top.keys_of(row)[board_top.BOARDS.index(board)]
        if key is None or (start is not None and (row.last_day or NO_DAY) < start):
            continue
        keys.append(key)
    return [(member, score) for score, _, member in sorted(keys, reverse=True)]


async def _check(session: AsyncSession, group_id: int, today: date) -> None:
    assert await verify_group(session, group_id, POLICY) == []
    rows = await stats_repo.for_group(session, group_id)
    for by in BY:
        if by == "steps":
            continue
        for period in PERIODS:
            spec = BoardSpec(group_id, by, period, today)
            want = _expected(rows, spec)
            for limit in (1, 2, 5):
                got: list[tuple[int, int]] = []
                for offset in range(0, len(want) + limit, limit):
                    page = await read_board(session, spec, None, limit=limit, offset=offset)
                    got += page.entries
                assert got == want, (by, period, limit)


async def _history(engine: AsyncEngine, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_top, "KEEP", 3)
    monkeypatch.setattr(board_top, "TRIM_AT", 6)
    monkeypatch.setattr(leaderboard, "ACTIVE_SCAN_MAX", 0)  # always the head (or beyond)
    rng = random.Random(seed)
    group_id, members = await make_group(engine, 14)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await board_roll.roll(session, group_id, TODAY - timedelta(days=6), NOW)
    for back in range(6, -1, -1):
        day = TODAY - timedelta(days=back)
        async with sessions() as session, session.begin():
            await board_roll.roll(session, group_id, day, NOW)
            coming = [m for m in members if rng.random() < 0.7]
            rng.shuffle(coming)
            for first in range(0, len(coming), 4):
                batch = [request(group_id, m, day) for m in coming[first : first + 4]]
                await recording.record(session, batch, NOW)
            victim = rng.choice(members)
            if rng.random() < 0.5:
                await recording.set_hidden(session, victim, rng.random() < 0.6, NOW)
            if rng.random() < 0.5:
                await stats_repo.add_override(
                    session, victim, day - timedelta(days=1), rng.randrange(0, 9), "test", NOW
                )
                await recording.recompute(session, [victim], POLICY, NOW)
        async with sessions() as session:
            await _check(session, group_id, day)


async def test_sqlite_pages_follow_the_exact_order(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for seed in (1, 2):
        await _history(engine, seed, monkeypatch)


@pytest.mark.postgres
async def test_postgres_pages_follow_the_exact_order(
    pg: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for seed in (1, 2):
        await _history(pg, seed, monkeypatch)


async def test_a_head_is_cut_back_and_its_floor_keeps_outsiders_out(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board_top, "KEEP", 3)
    monkeypatch.setattr(board_top, "TRIM_AT", 6)
    group_id, members = await make_group(engine, 10)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await board_roll.roll(session, group_id, TODAY, NOW)
        await recording.record(session, [request(group_id, m) for m in members], NOW)
    async with sessions() as session:
        states = await board_top.states(session, [group_id], lock=False)
        heads = await board_top.entries(session, group_id)
    total = states[group_id, "total"]
    # Ten entries passed TRIM_AT: cut back to the three highest member ids (ties on 1).
    assert (total.size, total.complete) == (3, False)
    assert [member for _, _, member in heads["total"]] == sorted(members, reverse=True)[:3]
    assert total.floor == heads["total"][-1]
    # A member below the floor who checks in again tomorrow enters above everyone.
    low = min(members)
    tomorrow = TODAY + timedelta(days=1)
    async with sessions() as session, session.begin():
        await board_roll.roll(session, group_id, tomorrow, NOW)
        await recording.record(session, [request(group_id, low, tomorrow)], NOW)
    async with sessions() as session:
        heads = await board_top.entries(session, group_id)
        assert heads["total"][0] == (2, tomorrow, low)
        assert await verify_group(session, group_id, POLICY) == []


async def test_migration_fills_heads_of_built_groups(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.db.engine import create_engine

    engine = create_engine(sqlite_url)
    try:
        group_id, members = await make_group(engine, 5)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            await board_roll.roll(session, group_id, TODAY, NOW)
            await recording.record(session, [request(group_id, m) for m in members], NOW)
        async with sessions() as session:
            before = await board_top.entries(session, group_id)
        await migrate.downgrade(engine, "0009_progress_summary")
        async with engine.connect() as conn:
            tables = await conn.execute(text("SELECT name FROM sqlite_master"))
            assert "board_top" not in {name for (name,) in tables}
        await migrate.upgrade(engine)
        async with sessions() as session:
            assert await board_top.entries(session, group_id) == before
            assert await verify_group(session, group_id, POLICY) == []
    finally:
        await engine.dispose()
