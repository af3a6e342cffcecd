"""The repository functions the features' queries moved into (issue 20), on both databases.

The features' own tests cover them end to end; these pin down the edges the features rely
on: groups without rows, groups never asked for, milestones nobody holds, pending awards.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.db import migrate, models
from bot.db.engine import create_engine, create_session_factory
from bot.db.models_recognition import Award
from bot.db.repositories import award_posts, award_roles, awards, board_roll, settings
from bot.db.repositories.settings import space_scope

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


async def check(url: str, *, migrated: bool) -> None:
    engine = create_engine(url)
    try:
        if not migrated:
            await migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            for group in (1, 2, 3):
                session.add(models.Group(id=group, name=f"g{group}", created_at=NOW))
            await session.flush()
            session.add(models.Space(id=10, group_id=1, platform="discord", external_id="a",
                                     created_at=NOW))  # fmt: skip
            session.add(models.Space(id=11, group_id=1, platform="slack", external_id="b",
                                     created_at=NOW))  # fmt: skip
            session.add(models.Member(id=5, group_id=1, display_name="Ada", created_at=NOW))
            session.add(models.Member(id=6, group_id=1, display_name="Bo", created_at=NOW))
            session.add(models.BoardState(group_id=1, day=DAY, updated_at=NOW))
            session.add(models.BoardState(group_id=2, day=None, updated_at=NOW))
            await session.flush()
            session.add(models.Identity(member_id=5, space_id=10, platform_user_id="u5",
                                        display_name="Ada", created_at=NOW))  # fmt: skip
            for key, value in (("timezone", "Europe/Paris"), ("day_start", "04:00")):
                await settings.put(session, 1, key, value, NOW)
            await settings.put(session, 1, "timezone", "Asia/Tokyo", NOW, scope=space_scope(10))
            await settings.put(session, 2, "other", 1, NOW)
            for award_id, milestone in ((1, "first-step"), (2, "first-step"), (3, "streak-7")):
                session.add(Award(id=award_id, group_id=1, member_id=6 if award_id == 2 else 5,
                                  milestone=milestone,
                                  value=1, earned_on=DAY, earned_at=NOW, source="test",
                                  space_id=None, announce="channel", state="pending",
                                  roles="pending" if award_id == 3 else None))  # fmt: skip
        async with sessions() as session, session.begin():
            kept = await board_roll.kept_days(session)
            assert kept == {1: DAY, 2: None}
            values = await settings.load_keys(session, [*kept, 3], ("timezone", "day_start"))
            # Group scope only; every group asked for is present, even with nothing stored.
            assert values == {1: {"timezone": "Europe/Paris", "day_start": "04:00"}, 2: {}, 3: {}}
            assert await awards.earned_counts(session, 1) == {"first-step": 2, "streak-7": 1}
            assert await awards.earned_counts(session, 2) == {}

            assert await award_roles.groups_pending(session) == [1]
            [pending_role] = await award_roles.pending(session, 1, 10)
            assert pending_role.id == 3
            assert set(await award_roles.spaces(session, {10, 99})) == {10}
            assert await award_roles.accounts(session, {5}) == {(5, 10): "u5"}
            await award_roles.settle(session, 3, "done")
            assert await award_roles.groups_pending(session) == []

            await award_posts.lock_for_batch(session)
            assert [a.id for a in await award_posts.pending(session, 1, 2)] == [1, 2]
            assert await award_posts.first_space(session, 1) == 10
            assert await award_posts.first_space(session, 3) is None
            assert await award_posts.groups_pending(session) == [1]
            # Only still-pending awards move: the count tells the caller about a race.
            assert await award_posts.assign(session, [1, 2], "silent", None) == 2
            assert await award_posts.assign(session, [1, 3], "silent", None) == 1
            assert await award_posts.groups_pending(session) == []
            assert await award_posts.of_post(session, 1) == []
            assert (await award_posts.space(session, 11)).platform == "slack"
            assert await award_posts.user_id(session, 5, 10) == "u5"
            assert await award_posts.user_id(session, 5, 11) is None
    finally:
        await engine.dispose()


async def test_on_sqlite(sqlite_url: str) -> None:
    await check(sqlite_url, migrated=True)


@pytest.mark.postgres
async def test_on_postgres(postgres_url: str) -> None:
    await check(postgres_url, migrated=False)
