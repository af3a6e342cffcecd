"""Single use under real concurrency: two transactions redeem one code on PostgreSQL.

SQLite serialises writers, so this is where the conditional ``UPDATE`` has to prove
itself: both transactions find the live code, both try to use it, exactly one wins.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Group
from bot.db.repositories.linking import codes as repo
from bot.features.linking.codes import hash_code, new_code

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.mark.postgres
async def test_two_transactions_redeeming_one_code_have_one_winner(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        await migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        code = new_code()
        async with sessions() as session, session.begin():
            group = Group(name="g", created_at=NOW)
            session.add(group)
            await session.flush()
            await repo.insert(
                session,
                kind="member",
                code_hash=hash_code(code),
                group_id=group.id,
                space_id=None,
                member_id=None,
                now=NOW,
                expires_at=NOW + timedelta(minutes=15),
            )
        both_found = asyncio.Barrier(2)

        async def redeem() -> bool:
            async with sessions() as session, session.begin():
                found = await repo.find_live(session, hash_code(code), "member", NOW)
                assert found is not None
                await both_found.wait()  # neither has used it when both look it up
                return await repo.consume(session, found.id, NOW)

        results = await asyncio.wait_for(asyncio.gather(redeem(), redeem()), timeout=20)
        assert sorted(results) == [False, True]
    finally:
        await engine.dispose()
