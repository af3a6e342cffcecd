"""A finished project is announced once in the group's channel, when the group wants it."""

from __future__ import annotations

from datetime import timedelta

from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Platform
from bot.scheduling.announcements import ledger_channel, real_channel
from bot.scheduling.model import PostKind
from tests.scheduling.helpers import ledger_rows, running
from tests.support.fake_adapter import FakeAdapter
from tests.support.harness import BotHarness

CHANNEL = "222222222222222222"


async def _finish(bot: BotHarness, user: str) -> None:
    project = bot.services.content.project("uptime-checker")
    assert project is not None
    await bot.cmd("/project start uptime checker", user=user, platform=Platform.DISCORD)
    for number in range(1, len(project.milestones) + 1):
        reply = await bot.cmd(
            f"/project milestone {number} done", user=user, platform=Platform.DISCORD
        )
    assert reply.title == f"Finished {project.name} 🎉"


def _announced(bot: BotHarness) -> list[str]:
    posts = bot.adapters[Platform.DISCORD].posts(CHANNEL)
    return [p.reply.text for p in posts if p.reply.title == "Project finished 🎉"]


async def test_off_by_default_then_once_per_finish_across_sweeps_and_instances(
    bot: BotHarness, settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    await bot.cmd(f"/admin setup channel:<#{CHANNEL}>", user="mod", platform=Platform.DISCORD)
    await _finish(bot, "ann")
    await bot.advance(minutes=31)
    assert _announced(bot) == []  # the group has not turned it on

    await bot.cmd("/admin settings progress.announce on", user="mod", platform=Platform.DISCORD)
    await _finish(bot, "bob")
    await bot.advance(minutes=61)  # two sweeps (every 30 simulated minutes)
    # Turned on now: ann's finish of today is announced too (within the window), once each.
    texts = _announced(bot)
    assert len(texts) == 2, texts
    assert any("**bob** finished the project **Website uptime checker**" in t for t in texts)
    other = FakeAdapter(Platform.DISCORD)
    async with running(settings, clock, content_store, [other], instance="second"):
        await bot.advance(minutes=31)
    assert other.posts(CHANNEL) == [] and len(_announced(bot)) == 2
    rows = [r for r in await ledger_rows(bot.services) if r.kind == PostKind.PROJECT.value]
    assert len(rows) == 2 and {r.status for r in rows} == {"sent"}
    assert all(real_channel(r.channel_id) == CHANNEL for r in rows)

    await bot.advance(timedelta(days=4))
    assert len(_announced(bot)) == 2


def test_ledger_channels_differ_per_member_and_project_and_fit_the_column() -> None:
    long_channel = "C" * 80
    a = ledger_channel(long_channel, 1, "uptime-checker")
    b = ledger_channel(long_channel, 2, "uptime-checker")
    c = ledger_channel(CHANNEL, 1, "url-shortener")
    assert a != b and len(a) <= 64 and real_channel(c) == CHANNEL
