"""Helpers for the check-in tests: read what was stored and audit it against the rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

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
