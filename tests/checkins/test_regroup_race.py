"""A member moved to another group while their check-in is being written lands there.

The writer reads each member's group before its transaction holds any lock; a link or
unlink that commits right after that read must not leave the check-in in the old group.
The move is injected at exactly that point by running the real ``move_members`` (on its
own connection, committed) as soon as the real ``current_groups`` read returns.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.models import CheckIn, MemberStats
from bot.db.repositories import checkins
from bot.db.repositories.checkins import Executor
from bot.db.repositories.linking.groups import move_members
from bot.features.checkins.audit_check import verify_group
from bot.features.checkins.recording import Status, record
from tests.checkins.test_writer import NOW, POLICY, make_group, request


async def _write_while_moving(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, *, move: bool
) -> None:
    old, members = await make_group(engine, 3)
    new, _ = await make_group(engine, 1)
    moving = members[0]
    read_groups = checkins.current_groups

    async def read_then_move(db: Executor, member_ids: Iterable[int]) -> dict[int, int]:
        found = await read_groups(db, member_ids)
        if move:
            async with AsyncSession(bind=engine) as other, other.begin():
                await move_members(other, [moving], new, NOW)
        return found

    monkeypatch.setattr(checkins, "current_groups", read_then_move)
    async with engine.connect() as conn, conn.begin():
        results = await record(conn, [request(old, m) for m in members], NOW)
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


@pytest.mark.parametrize("move", [True, False], ids=["moved", "not-moved"])
async def test_sqlite_check_in_follows_a_move_after_the_group_read(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, move: bool
) -> None:
    await _write_while_moving(engine, monkeypatch, move=move)


@pytest.mark.postgres
@pytest.mark.parametrize("move", [True, False], ids=["moved", "not-moved"])
async def test_postgres_check_in_follows_a_move_after_the_group_read(
    pg: AsyncEngine, monkeypatch: pytest.MonkeyPatch, move: bool
) -> None:
    await _write_while_moving(pg, monkeypatch, move=move)
