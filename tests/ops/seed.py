"""A small but complete group written straight to the tables (every table gets rows)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import (
    AuditEntry,
    Base,
    CheckIn,
    ExcusedDay,
    Group,
    Identity,
    LinkCode,
    Member,
    MemberStats,
    Post,
    RotationEntry,
    Setting,
    Space,
    StreakOverride,
)

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DISCORD_GUILD = "900000000000000001"
# Every table of the initial schema gets rows (derived leaderboard tables may stay empty).
SEEDED_TABLES = (
    "groups",
    "spaces",
    "members",
    "identities",
    "checkins",
    "member_stats",
    "excused_days",
    "streak_overrides",
    "posts",
    "rotation",
    "settings",
    "audit_log",
    "link_codes",
)


async def seed(url: str, members: int = 5, days: int = 4) -> dict[str, int]:
    """Write one Discord group with ``members`` members checking in for ``days`` days."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await _fill(session, members, days)
    finally:
        await engine.dispose()
    return {"members": members, "checkins": members * days}


async def _fill(session: AsyncSession, members: int, days: int) -> None:
    group = Group(name="Backend Learners", created_at=NOW)
    session.add(group)
    await session.flush()
    space = Space(
        group_id=group.id, platform="discord", external_id=DISCORD_GUILD, name="BL", created_at=NOW
    )
    session.add(space)
    await session.flush()
    first = date(2026, 2, 27)
    for index in range(members):
        member = Member(
            group_id=group.id,
            display_name=f"Member {index} ✓",
            timezone="Europe/Berlin" if index % 2 else None,
            hidden=index == 3,
            reminders=index % 2 == 0,
            created_at=NOW,
        )
        session.add(member)
        await session.flush()
        session.add(
            Identity(
                member_id=member.id,
                space_id=space.id,
                platform_user_id=str(100000000000000000 + index),
                display_name=f"m{index}",
                created_at=NOW,
            )
        )
        for day in range(days):
            session.add(
                CheckIn(
                    member_id=member.id,
                    group_id=group.id,
                    local_date=first + timedelta(days=day),
                    checked_at=NOW - timedelta(days=days - day, minutes=index),
                    timezone="UTC",
                    platform="discord",
                    challenge_id="http-01" if day % 2 else None,
                    note='built the endpoint, with "quotes", commas, and\na newline',
                    link="https://example.com/pr/1" if index == 0 else None,
                )
            )
        session.add(
            MemberStats(
                member_id=member.id,
                group_id=group.id,
                run=days,
                run_end=first + timedelta(days=days - 1),
                alive_until=first + timedelta(days=days),
                longest=days + index,
                total=days,
                freezes=1,
                progress=days,
                freezes_used=0,
                last_at=NOW,
                last_tz="UTC",
                hidden=index == 3,
                updated_at=NOW,
            )
        )
    session.add(
        ExcusedDay(group_id=group.id, member_id=None, day=first, reason="outage", created_at=NOW)
    )
    session.add(StreakOverride(member_id=1, as_of=first, run=9, reason="repair", created_at=NOW))
    session.add(
        Setting(
            group_id=group.id, scope="group", key="timezone", value="Europe/Berlin", updated_at=NOW
        )
    )
    session.add(
        Setting(
            group_id=group.id,
            scope="group",
            key="moderator_roles",
            value=["1", "2"],
            updated_at=NOW,
        )
    )
    session.add(
        AuditEntry(
            group_id=group.id,
            actor_member_id=1,
            actor_label="Member 0",
            action="settings.change",
            target="timezone",
            before={"value": "UTC"},
            after={"value": "Europe/Berlin"},
            reason=None,
            created_at=NOW,
        )
    )
    session.add(
        Post(
            space_id=space.id,
            channel_id="555",
            kind="challenge",
            local_date=first,
            status="sent",
            claimed_by="host-1",
            lease_until=None,
            attempts=1,
            content_id="http-01",
            message_ref="555/777",
            error=None,
            scheduled_for=NOW,
            sent_at=NOW,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.add(
        RotationEntry(
            group_id=group.id,
            kind="challenge",
            local_date=first,
            item_id="http-01",
            cycle=0,
            created_at=NOW,
        )
    )
    session.add(
        LinkCode(
            kind="space",
            code_hash="ab" * 32,
            group_id=group.id,
            space_id=space.id,
            member_id=None,
            created_at=NOW,
            expires_at=NOW + timedelta(minutes=10),
            used_at=None,
        )
    )


async def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key, as Python values."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = {}
            for table in Base.metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                result[table.name] = [tuple(row) for row in await connection.execute(query)]
            return result
    finally:
        await engine.dispose()
