"""The daily rotation: stable per (group, date), no repeats inside a cycle, robust to change."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content.rotation import CycleState, challenge_for, next_item, shuffled, tip_for
from bot.content.store import ContentStore
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Group, RotationEntry
from bot.db.repositories import rotation as repo
from bot.db.repositories.rotation import RotationRepository

START = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def days(count: int, start: date = START) -> list[date]:
    """``count`` consecutive local dates (date arithmetic, never 24-hour steps)."""
    return [start + timedelta(days=i) for i in range(count)]


# ---------------------------------------------------------------- pure choice


def test_shuffle_depends_only_on_ids_and_seed() -> None:
    ids = [f"c-{i:03d}" for i in range(50)]
    assert shuffled(ids, "1|challenge|all|0") == shuffled(list(reversed(ids)), "1|challenge|all|0")
    assert shuffled(ids, "1|challenge|all|0") != shuffled(ids, "2|challenge|all|0")
    assert sorted(shuffled(ids, "x")) == sorted(ids)


def test_next_item_walks_the_pool_then_starts_a_new_cycle() -> None:
    pool = [f"c-{i}" for i in range(5)]
    state = CycleState(cycle=0, used=frozenset(), last=None)
    drawn: list[str] = []
    for _ in range(5):
        item, cycle = next_item(pool, state, "seed")
        assert cycle == 0
        drawn.append(item)
        state = CycleState(0, state.used | {item}, item)
    assert sorted(drawn) == sorted(pool)
    item, cycle = next_item(pool, state, "seed")
    assert cycle == 1
    assert item != drawn[-1]  # no back-to-back repeat across the cycle boundary


def test_next_item_refuses_an_empty_pool() -> None:
    with pytest.raises(ValueError):
        next_item([], CycleState(0, frozenset(), None), "seed")


# ---------------------------------------------------------------- with a database


@pytest.fixture
async def sessions(sqlite_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(sqlite_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def make_groups(sessions: async_sessionmaker[AsyncSession], count: int) -> list[int]:
    async with sessions() as session, session.begin():
        groups = [Group(name=f"group {i}", created_at=NOW) for i in range(count)]
        session.add_all(groups)
        await session.flush()
        return [g.id for g in groups]


async def draw_days(
    sessions: async_sessionmaker[AsyncSession],
    store: ContentStore,
    group_id: int,
    dates: list[date],
    track: str = "all",
) -> list[str]:
    """Draw one challenge per date, one transaction each (as the scheduler would)."""
    drawn = []
    for day in dates:
        async with sessions() as session, session.begin():
            challenge = await challenge_for(
                RotationRepository(session), store, group_id, day, track, now=NOW
            )
        drawn.append(challenge.id)
    return drawn


async def test_no_repeat_until_the_pool_is_exhausted(
    sessions: async_sessionmaker[AsyncSession], content_store: ContentStore
) -> None:
    (group,) = await make_groups(sessions, 1)
    pool = {c.id for c in content_store.bundle.challenges}
    dates = days(len(pool) + 20)
    drawn = await draw_days(sessions, content_store, group, dates)
    first_cycle, second_cycle = drawn[: len(pool)], drawn[len(pool) :]
    assert len(set(first_cycle)) == len(pool) == 192
    assert set(first_cycle) == pool
    assert len(set(second_cycle)) == len(second_cycle)
    assert second_cycle[0] != first_cycle[-1]
    async with sessions() as session:
        rows = await repo.history(session, group, "challenge")
    assert [cycle for _, _, cycle in rows] == [0] * len(pool) + [1] * 20


async def test_asking_twice_gives_the_same_item(
    sessions: async_sessionmaker[AsyncSession], content_store: ContentStore
) -> None:
    (group,) = await make_groups(sessions, 1)
    first = await draw_days(sessions, content_store, group, days(3))
    again = await draw_days(sessions, content_store, group, days(3))
    assert first == again
    async with sessions() as session, session.begin():
        tip_a = await tip_for(
            RotationRepository(session), content_store, group, START, "all", now=NOW
        )
        tip_b = await tip_for(
            RotationRepository(session), content_store, group, START, "all", now=NOW
        )
    assert tip_a == tip_b
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(RotationEntry))
    assert count == 4  # three challenge days and one tip day


async def test_groups_get_different_orders(
    sessions: async_sessionmaker[AsyncSession], content_store: ContentStore
) -> None:
    one, two = await make_groups(sessions, 2)
    dates = days(10)
    assert await draw_days(sessions, content_store, one, dates) != await draw_days(
        sessions, content_store, two, dates
    )


async def concurrent_draws(
    sessions: async_sessionmaker[AsyncSession], store: ContentStore, group: int, count: int
) -> list[str]:
    async def one() -> str:
        async with sessions() as session, session.begin():
            return (
                await challenge_for(
                    RotationRepository(session), store, group, START, "all", now=NOW
                )
            ).id

    return await asyncio.wait_for(asyncio.gather(*(one() for _ in range(count))), timeout=30)


async def racing_claims(
    sessions: async_sessionmaker[AsyncSession], group: int, count: int
) -> list[repo.Drawn]:
    """``count`` writers claim the same day with *different* items at the same moment."""
    ready = asyncio.Barrier(count)

    async def one(index: int) -> repo.Drawn:
        async with sessions() as session, session.begin():
            await repo.get(session, group, "challenge", START)  # everyone sees no row yet
            await ready.wait()
            return await repo.claim(
                session,
                group_id=group,
                kind="challenge",
                day=START,
                item_id=f"item-{index}",
                cycle=0,
                now=NOW,
            )

    return await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(count))), timeout=30)


async def test_racing_claims_all_read_back_the_winner_on_sqlite(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    (group,) = await make_groups(sessions, 1)
    results = await racing_claims(sessions, group, 6)
    assert len(set(results)) == 1
    assert results[0].item_id in {f"item-{i}" for i in range(6)}


@pytest.mark.postgres
async def test_racing_claims_all_read_back_the_winner_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        await migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        (group,) = await make_groups(sessions, 1)
        results = await racing_claims(sessions, group, 6)
        assert len(set(results)) == 1
    finally:
        await engine.dispose()


async def test_concurrent_requests_for_one_day_agree_on_sqlite(
    sessions: async_sessionmaker[AsyncSession], content_store: ContentStore
) -> None:
    (group,) = await make_groups(sessions, 1)
    results = await concurrent_draws(sessions, content_store, group, 8)
    assert len(set(results)) == 1
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RotationEntry)) == 1


@pytest.mark.postgres
async def test_concurrent_requests_for_one_day_agree_on_postgres(
    postgres_url: str, content_store: ContentStore
) -> None:
    engine = create_engine(postgres_url)
    try:
        await migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        (group,) = await make_groups(sessions, 1)
        results = await concurrent_draws(sessions, content_store, group, 8)
        assert len(set(results)) == 1
        # The same rotation code also walks the pool without repeats on PostgreSQL.
        drawn = await draw_days(sessions, content_store, group, days(30, START + timedelta(1)))
        assert len(set(drawn + results[:1])) == 31
    finally:
        await engine.dispose()


async def test_track_limits_the_pool(
    sessions: async_sessionmaker[AsyncSession], content_store: ContentStore
) -> None:
    by_level, by_phase = await make_groups(sessions, 2)
    advanced = await draw_days(sessions, content_store, by_level, days(20), track="advanced")
    assert all(content_store.challenge(c).level.value == "advanced" for c in advanced)  # type: ignore[union-attr]
    phase_steps = {s.id for s in content_store.steps if s.phase == "foundations"}
    pool = content_store.challenges_for_track("foundations")
    drawn = await draw_days(sessions, content_store, by_phase, days(len(pool) + 1), "foundations")
    assert all(content_store.challenge(c).step in phase_steps for c in drawn)  # type: ignore[union-attr]
    assert set(drawn[: len(pool)]) == {c.id for c in pool}  # the phase pool, then a new cycle
    async with sessions() as session, session.begin():
        tip = await tip_for(
            RotationRepository(session), content_store, by_phase, START, "foundations", now=NOW
        )
    assert tip.step in phase_steps


async def test_changed_track_draws_from_the_new_pool_without_repeats(
    sessions: async_sessionmaker[AsyncSession], content_store: ContentStore
) -> None:
    (group,) = await make_groups(sessions, 1)
    before = await draw_days(sessions, content_store, group, days(5), track="all")
    after = await draw_days(
        sessions, content_store, group, days(40, START + timedelta(5)), "beginner"
    )
    assert all(content_store.challenge(c).level.value == "beginner" for c in after)  # type: ignore[union-attr]
    assert not set(before) & set(after)
    assert len(set(after)) == len(after)
    # The day already drawn keeps its challenge even though the track changed.
    assert await draw_days(sessions, content_store, group, days(1), "beginner") == before[:1]


def _store_without(store: ContentStore, removed: set[str]) -> ContentStore:
    bundle = store.bundle
    kept = tuple(c for c in bundle.challenges if c.id not in removed)
    return ContentStore(replace(bundle, challenges=kept))


async def test_removed_items_are_skipped_and_replaced(
    sessions: async_sessionmaker[AsyncSession], content_store: ContentStore
) -> None:
    (group,) = await make_groups(sessions, 1)
    drawn = await draw_days(sessions, content_store, group, days(3))
    smaller = _store_without(content_store, {drawn[1]})
    # Day 2's challenge was deleted from the content: it gets a new one, stable from then on.
    replaced = await draw_days(sessions, smaller, group, days(3))
    assert replaced[0] == drawn[0] and replaced[2] == drawn[2]
    assert replaced[1] != drawn[1] and smaller.challenge(replaced[1]) is not None
    assert await draw_days(sessions, smaller, group, days(3)) == replaced
    # The rest of the cycle still never repeats and never offers the removed item.
    rest = await draw_days(sessions, smaller, group, days(188, START + timedelta(3)))
    everything = replaced + rest
    assert drawn[1] not in everything
    assert set(everything) == {c.id for c in smaller.bundle.challenges}
    assert len(everything) == 191


async def test_new_cycle_when_content_shrinks_below_what_was_used(
    sessions: async_sessionmaker[AsyncSession], content_store: ContentStore
) -> None:
    (group,) = await make_groups(sessions, 1)
    drawn = await draw_days(sessions, content_store, group, days(4), track="advanced")
    keep = set(drawn[:2])
    advanced = {c.id for c in content_store.challenges_for_track("advanced")}
    tiny = _store_without(content_store, advanced - keep)
    later = await draw_days(sessions, tiny, group, days(4, START + timedelta(4)), "advanced")
    # Everything left was used in this cycle, so new cycles start: the two remaining
    # challenges alternate, never twice in a row.
    assert set(later) == keep
    assert all(a != b for a, b in itertools.pairwise(later))
