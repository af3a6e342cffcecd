"""How long linking takes on big groups: join two spaces, merge two long histories, unlink.

Runs the real app (dispatcher, features, migrations) on a temporary SQLite file, or on
PostgreSQL with ``--database-url``. Two groups of ``--members`` members each, with
``--days`` days of check-ins per member and figures kept as the bot keeps them, are linked
with ``/admin link-space``; then one member with two year-long histories links accounts
(a real merge); then the Slack space is unlinked again. Each step is one command in one
transaction; the summary line gives their wall times.

    .venv/bin/python benchmarks/linking.py --members 2000 --days 60
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from bot.app import App
from bot.config import Settings
from bot.core.clock import FakeClock
from bot.core.models import Actor, Invocation, Platform, Reply, SpaceRef
from bot.db.models import CheckIn, Identity, Member, Space
from bot.features.checkins import recording
from bot.streaks import StreakPolicy

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SPACES = {
    Platform.DISCORD: SpaceRef(Platform.DISCORD, "900000000000000001", "Bench guild"),
    Platform.SLACK: SpaceRef(Platform.SLACK, "TBENCH", "Bench workspace"),
}


async def run(app: App, platform: Platform, user: str, command: str, text: str) -> Reply:
    """Dispatch one command as ``user`` (platform admins: ``mod``)."""
    assert app.dispatcher is not None
    invocation = Invocation(
        platform=platform,
        space=SPACES[platform],
        actor=Actor(user_id=user, display_name=user, is_admin=user == "mod"),
        command=command,
        channel_id="general",
        text=text,
    )
    return await app.dispatcher.dispatch(invocation)


async def populate(app: App, platform: Platform, members: int, days: int) -> int:
    """Give a platform's space ``members`` members with ``days`` check-ins each."""
    await run(app, platform, "mod", "help", "")
    sessions = app.require_services().sessions
    ref = SPACES[platform]
    async with sessions() as session, session.begin():
        space = (
            await session.execute(
                select(Space).where(
                    Space.platform == ref.platform.value, Space.external_id == ref.external_id
                )
            )
        ).scalar_one()
        ids = []
        for i in range(members):
            member = Member(
                group_id=space.group_id,
                display_name=f"{platform.value}{i}",
                timezone=None,
                hidden=False,
                reminders=False,
                created_at=START,
            )
            session.add(member)
            ids.append(member)
        await session.flush()
        await session.execute(
            insert(Identity),
            [
                {
                    "member_id": m.id,
                    "space_id": space.id,
                    "platform_user_id": m.display_name,
                    "display_name": m.display_name,
                    "created_at": START,
                }
                for m in ids
            ],
        )
        first = START.date() - timedelta(days=days)
        rows = [
            {
                "member_id": m.id,
                "group_id": space.group_id,
                "local_date": first + timedelta(days=d),
                "checked_at": datetime.combine(first + timedelta(days=d), START.timetz()),
                "timezone": "UTC",
                "platform": platform.value,
            }
            for m in ids
            for d in range(days)
            if (m.id + d) % 5  # a missed day now and then
        ]
        for chunk in range(0, len(rows), 20_000):
            await session.execute(insert(CheckIn), rows[chunk : chunk + 20_000])
        await recording.recompute(session, [m.id for m in ids], StreakPolicy(), START)
        return len(rows)


async def year(app: App, platform: Platform, user: str, start: date) -> None:
    """A year of check-ins for ``user`` on ``platform`` (every other day from ``start``)."""
    await run(app, platform, user, "help", "")
    sessions = app.require_services().sessions
    async with sessions() as session, session.begin():
        member = (
            await session.execute(
                select(Member)
                .join(Identity, Identity.member_id == Member.id)
                .join(Space, Space.id == Identity.space_id)
                .where(Space.platform == platform.value, Identity.platform_user_id == user)
            )
        ).scalar_one()
        await session.execute(
            insert(CheckIn),
            [
                {
                    "member_id": member.id,
                    "group_id": member.group_id,
                    "local_date": start + timedelta(days=d),
                    "checked_at": datetime.combine(start + timedelta(days=d), START.timetz()),
                    "timezone": "UTC",
                    "platform": platform.value,
                }
                for d in range(0, 365, 2)
            ],
        )
        await recording.recompute(session, [member.id], StreakPolicy(), START)


async def timed(app: App, platform: Platform, user: str, command: str, text: str) -> float:
    """Run a command, check it did not fail, and return its wall time in ms."""
    began = time.perf_counter()
    reply = await run(app, platform, user, command, text)
    elapsed = (time.perf_counter() - began) * 1000
    assert "went wrong" not in reply.text and "not valid" not in reply.text, reply.text
    return elapsed


async def main(members: int, days: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="studybot-bench-") as folder:
        settings = Settings(
            database_url_override=url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
            data_dir=Path(folder),
            auto_migrate=True,
        )
        app = App(settings=settings, clock=FakeClock(START))
        await app.start()
        try:
            rows = await populate(app, Platform.DISCORD, members, days)
            rows += await populate(app, Platform.SLACK, members, days)
            code = (await run(app, Platform.DISCORD, "mod", "admin", "link-space")).metadata
            assert code is not None
            link_ms = await timed(app, Platform.SLACK, "mod", "admin", f"link-space {code['code']}")
            await year(app, Platform.DISCORD, "ann", date(2025, 3, 1))
            await year(app, Platform.SLACK, "ann", date(2025, 3, 2))
            mine = (await run(app, Platform.DISCORD, "ann", "link", "")).metadata
            assert mine is not None
            merge_ms = await timed(app, Platform.SLACK, "ann", "link", mine["code"])
            unlink_ms = await timed(app, Platform.SLACK, "mod", "admin", "unlink-space")
        finally:
            await app.stop()
    backend = "postgresql" if url else "sqlite"
    print(
        f"linking ({backend}): link-space moving {members} members / {rows // 2} check-ins "
        f"{link_ms:.0f} ms; merge of 2x183-day histories {merge_ms:.0f} ms; "
        f"unlink-space moving {members} members {unlink_ms:.0f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()
    asyncio.run(main(options.members, options.days, options.database_url))
