"""A graceful stop of the real app loses no acknowledged check-in."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.db.engine import create_engine
from bot.db.models import CheckIn, Member
from tests.support.harness import BotHarness


async def test_stop_during_a_burst_keeps_every_acknowledged_checkin(
    bot: BotHarness, sqlite_url: str
) -> None:
    for index in range(60):  # known members, so their check-ins go through the writer
        await bot.cmd("/help", user=f"m{index}")
    await bot.cmd("/challenge")
    burst = [asyncio.ensure_future(bot.cmd("/done", user=f"m{index}")) for index in range(60)]
    await asyncio.sleep(0)  # the burst is under way
    await bot.app.stop()
    replies = await asyncio.wait_for(asyncio.gather(*burst), timeout=30)
    acknowledged = {
        f"m{index}" for index, reply in enumerate(replies) if "checked in for" in reply.text
    }
    assert acknowledged  # most made it before the stop
    refused = [reply for reply in replies if "checked in for" not in reply.text]
    assert all("restarting" in reply.text for reply in refused)
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as conn:
            stored = set(
                (
                    await conn.execute(
                        select(Member.display_name).join(CheckIn, CheckIn.member_id == Member.id)
                    )
                ).scalars()
            )
    finally:
        await engine.dispose()
    assert stored == acknowledged
