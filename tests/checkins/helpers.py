"""Helpers for the check-in tests: read what was stored and audit it against the rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import CheckIn, Group, Member
from bot.db.repositories import settings as settings_repo
from bot.features.checkins.audit_check import verify_group
from bot.features.checkins.rules import policy_from
from tests.support.harness import BotHarness


async def audit_all(bot: BotHarness) -> list[str]:
    """Every difference between stored figures and a recompute, in every group."""
    problems: list[str] = []
    async with bot.services.sessions() as session:
        for group_id in (await session.execute(select(Group.id))).scalars():
            policy = policy_from(await settings_repo.load(session, group_id))
            problems += await verify_group(session, group_id, policy)
    return problems


async def checkin_days(bot: BotHarness, name: str) -> list[date]:
    """The local dates a member (by display name) has check-ins for."""
    async with bot.services.sessions() as session:
        query = (
            select(CheckIn.local_date)
            .join(Member, Member.id == CheckIn.member_id)
            .where(Member.display_name == name)
            .order_by(CheckIn.local_date)
        )
        return list((await session.execute(query)).scalars())


async def checkin_rows(bot: BotHarness, name: str) -> list[CheckIn]:
    """A member's check-in rows, oldest first."""
    async with bot.services.sessions() as session:
        query = (
            select(CheckIn)
            .join(Member, Member.id == CheckIn.member_id)
            .where(Member.display_name == name)
            .order_by(CheckIn.local_date)
        )
        return list((await session.execute(query)).scalars())


async def insert_group(
    engine: AsyncEngine,
    size: int,
    *,
    created_at: datetime,
    timezones: Sequence[str | None] = (None,),
) -> tuple[int, list[int]]:
    """A group with ``size`` members (timezones assigned round-robin); their ids in order."""
    async with engine.begin() as conn:
        group_id = (
            await conn.execute(
                insert(Group).values(name="g", created_at=created_at).returning(Group.id)
            )
        ).scalar_one()
        await conn.execute(
            insert(Member),
            [
                {
                    "group_id": group_id,
                    "display_name": f"m{i}",
                    "timezone": timezones[i % len(timezones)],
                    "hidden": False,
                    "reminders": False,
                    "created_at": created_at,
                }
                for i in range(size)
            ],
        )
        ids = await conn.execute(
            select(Member.id).where(Member.group_id == group_id).order_by(Member.id)
        )
        return group_id, list(ids.scalars())
