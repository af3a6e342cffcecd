"""Graceful shutdown: the dispatcher drains (in-flight work finishes, new work is turned
away politely), and the app drains before it closes anything."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.core.commands import Router
from bot.core.context import CommandContext
from bot.core.dispatcher import RESTARTING
from bot.core.models import Reply
from bot.db.engine import create_engine
from bot.db.models import AuditEntry
from tests.support.harness import BotHarness


class Gate:
    """A command that waits inside its transaction until released."""

    def __init__(self, bot: BotHarness) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        router = Router()

        @router.command("slow", "Writes, then waits before finishing.")
        async def slow(ctx: CommandContext) -> Reply:
            await ctx.audit("test.slow", target="gate")
            self.entered.set()
            await self.release.wait()
            return Reply(text="done slowly")

        bot.services.registry.include(router)


async def audit_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            query = (
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "test.slow")
            )
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def test_drain_waits_for_in_flight_and_refuses_new_work(bot: BotHarness) -> None:
    gate = Gate(bot)
    dispatcher = bot.app.dispatcher
    assert dispatcher is not None
    in_flight = asyncio.create_task(bot.cmd("/slow"))
    await asyncio.wait_for(gate.entered.wait(), 5)
    draining = asyncio.create_task(dispatcher.drain(timeout=10))
    await asyncio.sleep(0)  # drain() has begun
    refused = await bot.cmd("/admin settings", user="mod")
    assert refused.text == RESTARTING and refused.ephemeral
    assert not draining.done()  # still waiting for /slow
    gate.release.set()
    assert await asyncio.wait_for(draining, 5) is True
    assert (await in_flight).text == "done slowly"
    assert await audit_rows(bot.app.settings.database_url) == 1


async def test_drain_gives_up_after_its_timeout(bot: BotHarness) -> None:
    gate = Gate(bot)
    assert bot.app.dispatcher is not None
    in_flight = asyncio.create_task(bot.cmd("/slow"))
    await asyncio.wait_for(gate.entered.wait(), 5)
    assert await bot.app.dispatcher.drain(timeout=0.05) is False
    gate.release.set()
    await in_flight


async def test_handle_counts_until_the_reply_is_sent(bot: BotHarness) -> None:
    dispatcher = bot.app.dispatcher
    assert dispatcher is not None
    sending = asyncio.Event()
    delivered = asyncio.Event()
    sent: list[Reply] = []

    class SlowResponder:
        async def send(self, reply: Reply) -> None:
            sending.set()
            await delivered.wait()
            sent.append(reply)

    handled = asyncio.create_task(dispatcher.handle(bot.invocation("help", ""), SlowResponder()))
    await asyncio.wait_for(sending.wait(), 5)
    draining = asyncio.create_task(dispatcher.drain(timeout=10))
    await asyncio.sleep(0)
    assert not draining.done()
    delivered.set()
    assert await asyncio.wait_for(draining, 5) is True
    await handled
    assert len(sent) == 1


async def test_app_stop_lets_an_acknowledged_command_commit(bot: BotHarness) -> None:
    gate = Gate(bot)
    in_flight = asyncio.create_task(bot.cmd("/slow"))
    await asyncio.wait_for(gate.entered.wait(), 5)
    stopping = asyncio.create_task(bot.app.stop())
    await asyncio.sleep(0)
    assert not stopping.done()
    assert bot.adapter.started  # nothing is closed while the command runs
    gate.release.set()
    await asyncio.wait_for(stopping, 10)
    assert (await in_flight).text == "done slowly"
    assert not bot.adapter.started
    assert await audit_rows(bot.app.settings.database_url) == 1
