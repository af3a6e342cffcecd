"""The post ledger on real SQLite files and PostgreSQL: claims, takeovers, fencing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.models import Platform, SpaceRef
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.repositories import posts_ledger as ledger
from bot.db.repositories.spaces import get_or_create_space
from bot.scheduling.model import PostKey, PostKind, PostStatus

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def _space(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session, session.begin():
        space = await get_or_create_space(session, SpaceRef(Platform.DISCORD, "g1", "Guild"), NOW)
        return space.id


@pytest.fixture
async def sessions(sqlite_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(sqlite_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def _claim(
    sessions: async_sessionmaker[AsyncSession], key: PostKey, owner: str, now: datetime = NOW
) -> ledger.Claim | None:
    async with sessions() as session, session.begin():
        return await ledger.claim(
            session, key, owner=owner, now=now, lease=LEASE, scheduled_for=NOW
        )


async def test_only_the_first_claim_wins(sessions: async_sessionmaker[AsyncSession]) -> None:
    key = PostKey(await _space(sessions), "c1", PostKind.CHALLENGE, date(2026, 3, 2))
    first = await _claim(sessions, key, "a")
    assert first is not None and first.attempt == 1 and first.maybe_sent_at is None
    assert await _claim(sessions, key, "b") is None
    # A different day, channel or kind is a different post.
    assert await _claim(sessions, PostKey(key.space_id, "c1", PostKind.TIP, key.local_date), "b")
    assert await _claim(sessions, PostKey(key.space_id, "c2", key.kind, key.local_date), "b")


async def test_expired_claim_is_taken_over_once_and_fences_the_old_owner(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    key = PostKey(await _space(sessions), "c1", PostKind.CHALLENGE, date(2026, 3, 2))
    old = await _claim(sessions, key, "a")
    assert old is not None
    # Inside the lease nobody else gets it.
    assert await _claim(sessions, key, "b", NOW + timedelta(seconds=59)) is None
    later = NOW + timedelta(seconds=61)
    new = await _claim(sessions, key, "b", later)
    assert new is not None and new.attempt == 2 and new.maybe_sent_at is None
    assert await _claim(sessions, key, "c", later) is None
    async with sessions() as session, session.begin():
        # The old owner wakes up: every write of its is refused.
        assert not await ledger.begin_attempt(session, old, now=later, lease=LEASE, content_id=None)
        assert not await ledger.mark_sent(session, old, now=later, message_ref="x")
        assert await ledger.mark_sent(session, new, now=later, message_ref="m1")
    async with sessions() as session:
        row = await ledger.find(session, key)
    assert row is not None and row.status == PostStatus.SENT.value and row.claimed_by == "b"
    assert row.message_ref == "m1" and row.lease_until is None


async def test_a_row_that_may_have_been_sent_stays_marked_through_takeovers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    key = PostKey(await _space(sessions), "c1", PostKind.CHALLENGE, date(2026, 3, 2))
    old = await _claim(sessions, key, "a")
    assert old is not None
    async with sessions() as session, session.begin():
        assert await ledger.begin_attempt(session, old, now=NOW, lease=LEASE, content_id="ch-1")
    second = await _claim(sessions, key, "b", NOW + timedelta(seconds=61))
    assert second is not None and second.maybe_sent_at == NOW and second.content_id == "ch-1"
    # "b" dies before its own first attempt; "c" must still know the post may exist.
    third = await _claim(sessions, key, "c", NOW + timedelta(seconds=122))
    assert third is not None and third.maybe_sent_at == NOW


async def test_rate_limited_retry_clears_the_maybe_sent_mark(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    key = PostKey(await _space(sessions), "c1", PostKind.CHALLENGE, date(2026, 3, 2))
    claim = await _claim(sessions, key, "a")
    assert claim is not None
    async with sessions() as session, session.begin():
        await ledger.begin_attempt(session, claim, now=NOW, lease=LEASE, content_id=None)
        await ledger.mark_retry(
            session,
            claim,
            now=NOW,
            retry_at=NOW + timedelta(seconds=90),
            error="429",
            maybe_sent=False,
        )
    assert await _claim(sessions, key, "b", NOW + timedelta(seconds=89)) is None
    again = await _claim(sessions, key, "b", NOW + timedelta(seconds=91))
    assert again is not None and again.maybe_sent_at is None


async def test_missed_rows_are_final_and_retake_reopens_them(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    key = PostKey(await _space(sessions), "c1", PostKind.CHALLENGE, date(2026, 3, 1))
    async with sessions() as session, session.begin():
        assert await ledger.record_final(
            session, key, PostStatus.MISSED, now=NOW, scheduled_for=None, error="down"
        )
        assert not await ledger.record_final(
            session, key, PostStatus.MISSED, now=NOW, scheduled_for=None, error="down"
        )
    assert await _claim(sessions, key, "a", NOW + timedelta(days=1)) is None
    async with sessions() as session, session.begin():
        row = await ledger.find(session, key)
        assert row is not None
        claim = await ledger.retake(session, row, owner="mod", now=NOW, lease=LEASE)
    assert claim is not None and claim.maybe_sent_at is None


async def _race(sessions_list: list[async_sessionmaker[AsyncSession]], space_id: int) -> int:
    keys = [PostKey(space_id, f"c{i}", PostKind.CHALLENGE, date(2026, 3, 2)) for i in range(40)]

    async def contender(n: int, sessions: async_sessionmaker[AsyncSession]) -> int:
        won = 0
        for key in keys:
            if await _claim(sessions, key, f"owner-{n}") is not None:
                won += 1
        return won

    wins = await asyncio.gather(*(contender(n, s) for n, s in enumerate(sessions_list)))
    return sum(wins)


async def test_concurrent_instances_on_one_sqlite_file_claim_each_post_once(
    sqlite_url: str,
) -> None:
    engines = [create_engine(sqlite_url) for _ in range(4)]
    try:
        factories = [create_session_factory(e) for e in engines]
        assert await _race(factories, await _space(factories[0])) == 40
    finally:
        for engine in engines:
            await engine.dispose()


@pytest.mark.postgres
async def test_concurrent_instances_on_postgres_claim_each_post_once(postgres_url: str) -> None:
    engines = [create_engine(postgres_url) for _ in range(4)]
    try:
        await migrate.upgrade(engines[0])
        factories = [create_session_factory(e) for e in engines]
        assert await _race(factories, await _space(factories[0])) == 40
        # Takeover races: all four see the expired lease, one wins.
        key = PostKey(await _space(factories[0]), "t", PostKind.TIP, date(2026, 3, 2))
        assert await _claim(factories[0], key, "dead") is not None
        later = NOW + timedelta(minutes=5)
        results = await asyncio.gather(
            *(_claim(f, key, f"o{i}", later) for i, f in enumerate(factories))
        )
        assert sum(r is not None for r in results) == 1
    finally:
        for engine in engines:
            await engine.dispose()
