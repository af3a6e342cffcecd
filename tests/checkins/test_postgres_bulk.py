"""The driver-level PostgreSQL statements write exactly the rows the Core statements write.

:mod:`bot.db.repositories.postgres_bulk` replaces the SQLAlchemy Core statements of the
check-in hot path on PostgreSQL. Two groups get the same random script (check-ins with
second ``/done``s, back-fills, check-ins their run already covers, excused days, a hidden
member, board days rolling forward, milestones crossed): one through the driver-level
statements, one through Core. Every stored row and every result must be the same.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import BoardCount, CheckIn, MemberStats
from bot.db.models_recognition import Award
from bot.db.repositories import board_roll, postgres_bulk, stats
from bot.db.repositories.checkins import NewCheckin
from bot.features.checkins.recording import CheckinRequest, record, set_hidden
from bot.streaks import StreakPolicy
from tests.checkins.helpers import insert_group

pytestmark = pytest.mark.postgres

START = date(2026, 2, 1)
POLICY = StreakPolicy(freeze_every=3, rest_weekdays=frozenset({6}))
ZONES = ("UTC", "Asia/Tokyo", "America/Los_Angeles")


def _script(seed: int, size: int) -> list[list[tuple[int, date, bool, str | None]]]:
    """Per day, the check-ins ``(member index, local date, backfill, note)`` to record."""
    rng = random.Random(seed)
    days: list[list[tuple[int, date, bool, str | None]]] = []
    for offset in range(12):
        today = START + timedelta(days=offset)
        wanted: list[tuple[int, date, bool, str | None]] = []
        for member in range(size):
            if rng.random() < 0.7:
                wanted.append((member, today, False, rng.choice([None, "read ch. 3"])))
            if rng.random() < 0.1:  # a second /done, the same day
                wanted.append((member, today, False, None))
            if rng.random() < 0.08 and offset > 2:  # /done yesterday or earlier
                wanted.append((member, today - timedelta(days=rng.randint(1, 3)), True, None))
            if rng.random() < 0.15 and offset > 2:  # covered if yesterday was counted
                wanted.append((member, today - timedelta(days=2), False, None))
        rng.shuffle(wanted)
        days.append(wanted)
    return days


async def _run_script(engine: AsyncEngine, seed: int, size: int) -> tuple[int, list[Any]]:
    group_id, members = await insert_group(
        engine, size, created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    answers: list[Any] = []
    for offset, wanted in enumerate(_script(seed, size)):
        today = START + timedelta(days=offset)
        now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=12)
        async with engine.begin() as conn:
            if offset % 4 == 1:  # the board is built from the second day, then rolls on
                await board_roll.roll(conn, group_id, today, now)
            if offset == 3:
                await stats.add_excused(conn, group_id, None, [today + timedelta(days=2)], "x", now)
                await stats.add_excused(
                    conn, group_id, members[1], [today + timedelta(days=1)], "y", now
                )
            if offset == 5:
                await set_hidden(conn, members[2], True, now)
            requests = [
                CheckinRequest(
                    NewCheckin(members[m], group_id, day, now, ZONES[m % 3], "discord", note=note),
                    POLICY,
                    backfill=backfill,
                )
                for m, day, backfill, note in wanted
            ]
            for result in await record(conn, requests, now):
                answers.append(
                    (
                        result.status,
                        result.day,
                        members.index(result.after.member_id),
                        result.after.state,
                        result.after.values(),
                        [m.id for m in result.earned],
                    )
                )
    return group_id, answers


async def _rows(engine: AsyncEngine, table: Table, group_id: int, drop: set[str]) -> list[Any]:
    """A group's rows of ``table`` without ids, with member ids as their rank in the group."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(table).where(table.c.group_id == group_id))).mappings()
        found = [dict(row) for row in rows]
    first = min((row["member_id"] for row in found if "member_id" in row), default=0)
    kept = []
    for row in found:
        if "member_id" in row:
            row["member_id"] -= first
        kept.append(tuple(sorted((k, v) for k, v in row.items() if k not in drop)))
    return sorted(kept, key=repr)


@pytest.mark.parametrize("seed", [1, 2])
async def test_driver_statements_write_the_rows_core_writes(
    pg: AsyncEngine, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = 60
    assert postgres_bulk.ENABLED
    fast_group, fast = await _run_script(pg, seed, size)
    monkeypatch.setattr(postgres_bulk, "ENABLED", False)
    core_group, core = await _run_script(pg, seed, size)
    assert fast == core
    assert any(answer[0].value == "covered" for answer in fast)
    assert any(answer[5] for answer in fast)  # milestones were earned
    for model, drop in (
        (CheckIn, {"id", "group_id"}),
        (MemberStats, {"group_id"}),
        (BoardCount, {"group_id"}),
        (Award, {"id", "group_id", "space_id"}),
    ):
        table: Table = model.__table__  # type: ignore[assignment]
        fast_rows = await _rows(pg, table, fast_group, drop)
        assert fast_rows, model
        assert fast_rows == await _rows(pg, table, core_group, drop), model
