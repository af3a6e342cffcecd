"""The inbox table and store: migration 0007 over data, group commit, claims, on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.clock import FakeClock
from bot.core.inbox import InboxEntry, InboxStatus
from bot.core.models import Platform
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.inbox_store import InboxStore
from bot.db.repositories import inbox as inbox_repo

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def entry(key: str, at: datetime = START) -> InboxEntry:
    return InboxEntry(key, Platform.SLACK, "command", {"text": key}, f"/done {key}", at)


async def test_upgrade_from_0006_keeps_rows_and_adds_the_inbox(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await migrate.upgrade(engine, "0006_project_progress")
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO groups (id, name, created_at) VALUES (1, 'g', '2026-03-01')")
            )
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.begin() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM groups"))).scalar_one() == 1
            assert await inbox_repo.insert_new(conn, [entry("a")], timedelta(seconds=30)) == {"a"}
        await migrate.downgrade(engine, "0006_project_progress")
        async with engine.connect() as conn:
            names = {
                r[0]
                for r in await conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type='table'")
                )
            }
        assert "inbox" not in names and "groups" in names
    finally:
        await engine.dispose()


async def check_store(url: str) -> None:
    engine = create_engine(url)
    clock = FakeClock(START)
    store = InboxStore(engine, clock, lease=timedelta(seconds=30))
    await store.start()
    try:
        # One burst: every caller waits for the shared commit; a repeated key is not new.
        results = await asyncio.gather(*(store.accept(entry(f"k{i % 50}")) for i in range(60)))
        assert sum(results) == 50
        assert store.batches <= 3
        assert await store.accept(entry("k1")) is False  # a later redelivery
        # Nothing is due while the live lease runs.
        assert await store.claim_due(clock.now(), 100) == []
        store.answered("k0")
        await store.flush()
        clock.advance(timedelta(seconds=31))
        # This process's own unanswered entries are not taken by its own sweep...
        assert await store.claim_due(clock.now(), 100) == []
        # ...but by another process's, once the lease ran out; and two sweeps at once
        # never claim the same entry.
        other = InboxStore(engine, clock, lease=timedelta(seconds=30))
        first, second = await asyncio.gather(
            other.claim_due(clock.now(), 100), other.claim_due(clock.now(), 100)
        )
        keys = [p.entry.key for p in first + second]
        assert sorted(keys) == sorted(f"k{i}" for i in range(1, 50))
        assert all(p.status is InboxStatus.PENDING and p.attempts == 1 for p in first + second)
        sample = (first + second)[0]  # one sweep may well have taken them all
        assert sample.entry.payload["text"] == sample.entry.key
        # Exactly one run moves an entry out of pending.
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            assert await inbox_repo.mark_done(session, "k1", "ok", clock.now())
            assert not await inbox_repo.mark_done(session, "k1", "again", clock.now())
        async with sessions() as session, session.begin():
            await inbox_repo.mark_recorded(session, ["k2", "k1"], clock.now())
            counts = await inbox_repo.status_counts(session)
        assert counts == {"answered": 1, "done": 1, "recorded": 1, "pending": 47}
        # An answer is claimed once; the claim commits before answering() returns.
        first_claim, second_claim = await asyncio.gather(
            store.answering("k1"), store.answering("k1")
        )
        assert (first_claim, second_claim) == (True, False)
        assert await store.answering("k0") is False  # answered already
        # The process dies before "answered" is stored: a sweep finds the claim and
        # reports it uncertain instead of handing it back to be answered again.
        clock.advance(timedelta(seconds=31))
        third = InboxStore(engine, clock, lease=timedelta(seconds=30))
        swept = await third.claim_due(clock.now(), 100)
        by_key = {p.entry.key: p.status for p in swept}
        assert by_key["k1"] is InboxStatus.UNCERTAIN and by_key["k2"] is InboxStatus.RECORDED
        assert await store.answering("k1") is False  # nor is an uncertain one answered
        # ...except by the recovery holding it, once it found the answer missing.
        assert await store.answering("k1", uncertain=True) is True
        assert await store.answering("k1", uncertain=True) is False  # claimed: answering
        store.answered("k1")
        await store.flush()
        async with sessions() as session:
            counts = await inbox_repo.status_counts(session)
        assert counts["answered"] == 2
        clock.advance(timedelta(days=3))
        assert await store.prune() == 2
    finally:
        await store.stop()
        await engine.dispose()


async def test_store_on_sqlite(sqlite_url: str) -> None:
    await check_store(sqlite_url)


@pytest.mark.postgres
async def test_store_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    await migrate.upgrade(engine)
    await engine.dispose()
    await check_store(postgres_url)


async def test_a_locked_sqlite_database_is_retried_until_it_is_free(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    store = InboxStore(engine, FakeClock(START))
    await store.start()
    blocker = create_engine(sqlite_url)
    try:
        async with blocker.connect() as conn:
            # Another writer holds the lock (a long command transaction).
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
            waiting = asyncio.create_task(store.accept(entry("while-locked")))
            for _ in range(5000):  # until the store has been turned away a few times
                if store.lock_retries >= 3:
                    break
                await asyncio.sleep(0.001)
            assert store.lock_retries >= 3 and not waiting.done()
            await conn.exec_driver_sql("ROLLBACK")
        assert await asyncio.wait_for(waiting, 5) is True
    finally:
        await store.stop()
        await blocker.dispose()
        await engine.dispose()
