"""A group's own content (``STUDYBOT_CONTENT_DIR``) and ``/admin content reload``."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.config import Settings
from bot.core.clock import FakeClock
from bot.core.models import Platform
from bot.db.models import AuditEntry
from tests.support.fake_adapter import FakeAdapter
from tests.support.harness import BotHarness

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "content-mini"

NEW_STEP = """
  - id: queries
    number: 3
    title: Joins and indexes
    phase: data
    summary: Combining tables and making lookups fast.
    learn: [Inner and left joins]
    practice: [Join books to authors]
    resources:
      - name: Use The Index, Luke
        kind: book
    checkpoint: You can explain when an index helps.
"""


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A group's own content folder: a copy of the small fixture, free to edit."""
    target = tmp_path / "our-content"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
async def group_bot(
    content_dir: Path,
    sqlite_url: str,
    tmp_path: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[BotHarness]:
    """The real app reading its content from ``STUDYBOT_CONTENT_DIR``."""
    monkeypatch.setenv("STUDYBOT_CONTENT_DIR", str(content_dir))
    settings = Settings(database_url_override=sqlite_url, data_dir=tmp_path, auto_migrate=False)
    adapters = {p: FakeAdapter(p) for p in Platform}
    app = App(
        settings=settings,
        clock=clock,
        adapter_factories=[lambda _app, a=a: a for a in adapters.values()],
    )
    await app.start()
    try:
        yield BotHarness(app=app, clock=clock, adapters=adapters)
    finally:
        await app.stop()


async def audit_actions(bot: BotHarness) -> list[tuple[str, str | None]]:
    async with bot.services.sessions() as session:
        rows = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        return [(row.action, row.reason) for row in rows]


async def test_commands_serve_the_groups_own_content(group_bot: BotHarness) -> None:
    overview = await group_bot.cmd("/roadmap")
    assert overview.title == "Backend roadmap: 2 phases, 2 steps over 3 months"
    assert (await group_bot.cmd("/roadmap tcp")).title == "Step 1 of 2: Sockets and ports"
    challenge = await group_bot.cmd("/challenge")
    assert challenge.buttons[0].value in {"sockets-01", "sockets-02", "sockets-03"} | {
        f"tables-0{i}" for i in (1, 2, 3)
    }
    assert (await group_bot.cmd("/project echo")).title == "Project: Echo server"
    track = await group_bot.cmd("/admin settings track foundations", user="mod")
    assert "not a track" in track.text and "basics, data" in track.text


async def test_status_and_a_good_reload(group_bot: BotHarness, content_dir: Path) -> None:
    status = await group_bot.cmd("/admin content", user="mod")
    assert status.ephemeral and "2 steps, 6 challenges, 4 tips, 2 projects" in status.text
    steps = content_dir / "roadmap" / "steps.yaml"
    steps.write_text(steps.read_text() + NEW_STEP)
    reply = await group_bot.cmd("/admin content reload", user="mod")
    assert reply.text.startswith("Content reloaded from ")
    assert "3 steps, 6 challenges" in reply.text
    assert (await group_bot.cmd("/roadmap joins")).title == "Step 3 of 3: Joins and indexes"
    assert await audit_actions(group_bot) == [("content.reload", None)]


async def test_broken_reload_keeps_the_last_good_content(
    group_bot: BotHarness, content_dir: Path
) -> None:
    before = await group_bot.cmd("/roadmap")
    challenges = content_dir / "challenges" / "all.yaml"
    challenges.write_text(challenges.read_text().replace("step: tables", "step: tabels", 1))
    (content_dir / "tips" / "broken.yaml").write_text("tips: [unclosed\n")
    reply = await group_bot.cmd("/admin content reload", user="mod")
    assert reply.ephemeral and reply.title == "Content not reloaded"
    assert "has 2 problems, so I kept the last good content" in reply.text
    assert "challenges/all.yaml: challenges id=tables-01 field `step`: unknown step `tabels`" in (
        reply.text
    )
    assert "tips/broken.yaml: not valid YAML" in reply.text
    # Everything still works on the last good content.
    assert await group_bot.cmd("/roadmap") == before
    assert (await group_bot.cmd("/challenge")).buttons
    assert await audit_actions(group_bot) == [
        ("content.reload_failed", "2 problems; kept the last good content")
    ]


async def test_many_problems_show_the_first_ten_and_the_count(
    group_bot: BotHarness, content_dir: Path
) -> None:
    lines = ["challenges:"]
    for i in range(13):
        lines += [f"  - id: bad-{i:02d}", "    step: nowhere", "    level: beginner"]
    (content_dir / "challenges" / "bad.yaml").write_text("\n".join(lines) + "\n")
    reply = await group_bot.cmd("/admin content reload", user="mod")
    shown = [line for line in reply.text.splitlines() if line.startswith("- ")]
    assert len(shown) == 10
    assert "has 52 problems" in reply.text  # 13 items x (title, task, done_when, minutes)
    assert "…and 42 more; `studybot content check` lists them all." in reply.text
    assert len(reply.text) <= 3000


async def test_reload_is_for_moderators(group_bot: BotHarness) -> None:
    refused = await group_bot.cmd("/admin content reload", user="bob")
    assert refused.ephemeral and "for moderators" in refused.text
    assert await audit_actions(group_bot) == []
