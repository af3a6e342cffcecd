"""A member moved to another group while their check-in is being written lands there.

A check-in's group is the member's as the insert reads it. On SQLite that read holds the
write lock, so a link or unlink waits for the batch to commit and then moves the new row
along. On PostgreSQL the read takes no lock, so a move can commit between the insert and
the member's row lock; the rows are then moved under the lock. The real ``move_members``
is run (on its own connection, committed) right after the real insert.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.models import CheckIn, MemberStats
from bot.db.repositories import checkins
from bot.db.repositories.checkins import Executor, NewCheckin
from bot.db.repositories.linking.groups import move_members
from bot.features.checkins.audit_check import verify_group
from bot.features.checkins.recording import Status, record
from bot.features.linking.merge import refresh_moved
from tests.checkins.test_writer import NOW, POLICY, make_group, request


async def _write_while_moving(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, *, move: bool
) -> None:
    old, members = await make_group(engine, 3)
    new, _ = await make_group(engine, 1)
    moving = members[0]
    insert = checkins.insert_new
    moves: list[asyncio.Task[None]] = []

    async def move_member() -> None:
        # As a space unlink moves its members: their rows, then both groups' figures.
        async with AsyncSession(bind=engine) as other, other.begin():
            await move_members(other, [moving], new, NOW)
            await refresh_moved(other, new, [moving], today=NOW.date(), now=NOW)
            await refresh_moved(other, old, (), today=NOW.date(), now=NOW)

    async def insert_then_move(
        db: Executor, rows: Sequence[NewCheckin]
    ) -> dict[tuple[int, date], int]:
        inserted = await insert(db, rows)
        if move and engine.dialect.name == "postgresql":
            await move_member()  # takes no lock the insert holds: it commits now
        elif move:
            # It waits for the write lock the insert took, so it commits after the batch.
            moves.append(asyncio.create_task(move_member()))
        return inserted

    monkeypatch.setattr(checkins, "insert_new", insert_then_move)
    async with engine.connect() as conn, conn.begin():
        results = await record(conn, [request(old, m) for m in members], NOW)
    await asyncio.gather(*moves)
    assert [r.status for r in results] == [Status.COUNTED] * 3

    async with engine.connect() as conn:
        stored = dict((await conn.execute(select(CheckIn.member_id, CheckIn.group_id))).all())
        figures = select(MemberStats.member_id, MemberStats.group_id)
        stats = dict((await conn.execute(figures)).all())
    where = new if move else old
    assert stored == {moving: where, members[1]: old, members[2]: old}
    assert stats == stored
    async with AsyncSession(bind=engine) as session:
        assert await verify_group(session, old, POLICY) == []
        assert await verify_group(session, new, POLICY) == []


async def test_a_stale_group_in_the_request_is_not_stored(engine: AsyncEngine) -> None:
    old, members = await make_group(engine, 1)
    new, _ = await make_group(engine, 1)
    async with engine.connect() as conn, conn.begin():
        [result] = await record(conn, [request(new, members[0])], NOW)
    assert result.status is Status.COUNTED
    async with engine.connect() as conn:
        assert (await conn.execute(select(CheckIn.group_id))).scalars().all() == [old]


@pytest.mark.parametrize("move", [True, False], ids=["moved", "not-moved"])
async def test_sqlite_check_in_follows_a_move_during_the_batch(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, move: bool
) -> None:
    await _write_while_moving(engine, monkeypatch, move=move)


@pytest.mark.postgres
@pytest.mark.parametrize("move", [True, False], ids=["moved", "not-moved"])
async def test_postgres_check_in_follows_a_move_during_the_batch(
    pg: AsyncEngine, monkeypatch: pytest.MonkeyPatch, move: bool
) -> None:
    await _write_while_moving(pg, monkeypatch, move=move)
