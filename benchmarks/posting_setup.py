"""Shared set-up of the posting benchmarks: seeded groups and a clock for real-time runs."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Group, Setting, Space
from bot.db.repositories.settings import GROUP_SCOPE, space_scope
from bot.scheduling.config import CHANNEL_KEYS, SINCE_KEY
from bot.scheduling.model import PostKind

FIRST_CHANNEL = 100_000_000_000_000_000


async def seed_channels(
    sessions: async_sessionmaker[AsyncSession],
    count: int,
    *,
    since: datetime,
    post_time: str = "09:00",
    timezone: str = "UTC",
) -> list[str]:
    """Create ``count`` groups, each one Discord space posting to its own channel.

    Returns the channel ids. Uses the real tables and setting keys that ``/admin setup``
    writes, so the scheduler reads them exactly as in production.
    """
    channels = [str(FIRST_CHANNEL + n) for n in range(count)]
    async with sessions() as session, session.begin():
        groups = [Group(name=f"bench {n}", created_at=since) for n in range(count)]
        session.add_all(groups)
        await session.flush()
        spaces = [
            Space(
                group_id=g.id, platform="discord", external_id=f"g{g.id}", name="", created_at=since
            )
            for g in groups
        ]
        session.add_all(spaces)
        await session.flush()
        rows = []
        for group, space, channel in zip(groups, spaces, channels, strict=True):
            values = {
                SINCE_KEY: since.isoformat(),
                "timezone": timezone,
                "challenge.time": post_time,
                "tip.days": [],
                "recap.day": None,
            }
            rows += [
                Setting(group_id=group.id, scope=GROUP_SCOPE, key=k, value=v, updated_at=since)
                for k, v in values.items()
            ]
            rows.append(
                Setting(
                    group_id=group.id,
                    scope=space_scope(space.id),
                    key=CHANNEL_KEYS[PostKind.CHALLENGE],
                    value=channel,
                    updated_at=since,
                )
            )
        session.add_all(rows)
    return channels


class RealTimeClock:
    """Simulated dates that move in real time: at real time ``t0`` it is ``base``.

    Every process given the same ``(base, t0)`` agrees on "now" (they share the machine's
    clock), which is what leases between processes need.
    """

    def __init__(self, base: datetime, t0: float) -> None:
        self.base = base
        self.t0 = t0

    def now(self) -> datetime:
        """The simulated instant now."""
        return self.base + timedelta(seconds=time.time() - self.t0)

    def rebase(self, base: datetime, t0: float) -> None:
        """Jump to another day (a new ``base`` at real time ``t0``)."""
        self.base = base
        self.t0 = t0
