"""Helpers for linking tests: link spaces and accounts through commands, read the rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bot.core.models import Platform, Reply
from bot.core.services import Services
from bot.db.models import AuditEntry, CheckIn, Identity, Member, MemberStats, Space
from tests.support.harness import DEFAULT_SPACES, BotHarness

DISCORD, SLACK = Platform.DISCORD, Platform.SLACK


def code_of(reply: Reply) -> str:
    """The one-time code a ``/link`` or ``/admin link-space`` reply shows."""
    assert reply.metadata is not None and "code" in reply.metadata, reply.text
    code = reply.metadata["code"]
    assert code in reply.text  # the user reads it in the message itself
    return code


async def link_spaces(
    bot: BotHarness, host: Platform = DISCORD, joining: Platform = SLACK
) -> Reply:
    """Link the default spaces of two platforms, as their moderators would."""
    code = code_of(await bot.cmd("/admin link-space", user="mod", platform=host))
    reply = await bot.cmd(f"/admin link-space {code}", user="mod", platform=joining)
    assert reply.title == "Spaces linked", reply.text
    return reply


async def link_accounts(
    bot: BotHarness, user: str, first: Platform = DISCORD, second: Platform = SLACK
) -> Reply:
    """``/link`` on ``first``, ``/link CODE`` on ``second``, as ``user``."""
    code = code_of(await bot.cmd("/link", user=user, platform=first))
    reply = await bot.cmd(f"/link {code}", user=user, platform=second)
    assert reply.title == "Accounts linked", reply.text
    return reply


async def space_row(services: Services, platform: Platform) -> Space:
    """The database row of a platform's default test space."""
    ref = DEFAULT_SPACES[platform]
    async with services.sessions() as session:
        query = select(Space).where(
            Space.platform == ref.platform.value, Space.external_id == ref.external_id
        )
        return (await session.execute(query)).scalar_one()


async def member_of(services: Services, platform: Platform, user: str) -> Member:
    """The member behind ``user`` in a platform's default space."""
    space = await space_row(services, platform)
    async with services.sessions() as session:
        query = (
            select(Member)
            .join(Identity, Identity.member_id == Member.id)
            .where(Identity.space_id == space.id, Identity.platform_user_id == user)
        )
        return (await session.execute(query)).scalar_one()


async def add_checkins(
    services: Services,
    member: Member,
    days: list[date],
    *,
    platform: Platform,
    at: time = time(12, 0),
    note: str | None = None,
) -> None:
    """Store check-ins as the check-ins feature would (one row per local date)."""
    async with services.sessions() as session, session.begin():
        for day in days:
            session.add(
                CheckIn(
                    member_id=member.id,
                    group_id=member.group_id,
                    local_date=day,
                    checked_at=datetime.combine(day, at, tzinfo=UTC),
                    timezone="UTC",
                    platform=platform.value,
                    challenge_id=None,
                    note=note,
                    link=None,
                )
            )


async def checkin_rows(services: Services, member_id: int) -> list[CheckIn]:
    """A member's check-ins by date."""
    async with services.sessions() as session:
        query = select(CheckIn).where(CheckIn.member_id == member_id).order_by(CheckIn.local_date)
        return list((await session.execute(query)).scalars())


async def stats_row(services: Services, member_id: int) -> MemberStats | None:
    """A member's statistics row."""
    async with services.sessions() as session:
        return await session.get(MemberStats, member_id)


async def audit_actions(services: Services, group_id: int) -> list[AuditEntry]:
    """A group's audit entries, oldest first."""
    async with services.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.group_id == group_id).order_by(AuditEntry.id)
        return list((await session.execute(query)).scalars())


def days(start: date, count: int, step: int = 1) -> list[date]:
    """``count`` dates from ``start``, ``step`` days apart."""
    return [start + timedelta(days=i * step) for i in range(count)]
