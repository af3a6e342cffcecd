"""The real ``studybot`` entry point against the loopback Discord: run, sync, invite-url."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.adapters.discord.invite import invite_url
from bot.config import BUNDLED_CONTENT_DIR
from bot.core.commands import Registry
from bot.features import all_routers
from tests.adapters.discord.support import TOKEN, StudyFakeDiscord

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


def studybot_env(fake: StudyFakeDiscord, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STUDYBOT_", "SLACK_", "DISCORD_")) and k != "DATABASE_URL"
    }
    env.update(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE_URL=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        STUDYBOT_DATA_DIR=str(tmp_path / "data"),
        STUDYBOT_CONTENT_DIR=str(BUNDLED_CONTENT_DIR),
        **extra,
    )
    return env


async def studybot(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run ``studybot ARGS``; return the exit status and what it printed (logs excluded)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    output, errors = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    assert TOKEN not in output.decode() + errors.decode()
    return process.returncode, output.decode() + errors.decode() * (process.returncode != 0)


async def test_sync_to_a_guild_prints_what_was_registered(
    fake: StudyFakeDiscord, tmp_path: Path
) -> None:
    code, output = await studybot(
        studybot_env(fake, tmp_path), "discord", "sync", "--guild", str(fake.guild_id)
    )
    assert code == 0, output
    names = Registry(all_routers()).top_level_names()
    assert [c["name"] for c in fake.synced_commands(fake.guild_id)] == names
    assert fake.synced_commands() == []  # nothing global
    assert "/admin settings:" in output and "needs Manage Server" in output
    assert not fake.gateway_frames()  # REST only, no gateway session
    assert TOKEN not in output

    code, output = await studybot(
        studybot_env(fake, tmp_path), "discord", "sync", "--guild", str(fake.guild_id), "--clear"
    )
    assert code == 0, output
    assert fake.synced_commands(fake.guild_id) == []


async def test_invite_url_asks_discord_for_the_application_id(
    fake: StudyFakeDiscord, tmp_path: Path
) -> None:
    code, output = await studybot(studybot_env(fake, tmp_path), "discord", "invite-url")
    assert code == 0, output
    url = output.splitlines()[0]
    query = parse_qs(urlparse(url).query)
    assert query["client_id"] == [str(fake.application_id)]
    assert query["scope"] == ["bot applications.commands"]
    assert query["permissions"] == ["19456"]  # View Channels, Send Messages, Embed Links
    assert url == invite_url(fake.application_id)


async def test_invite_url_from_the_application_id_setting(
    fake: StudyFakeDiscord, tmp_path: Path
) -> None:
    env = studybot_env(fake, tmp_path, STUDYBOT_DISCORD_APPLICATION_ID="123456789012345678")
    del env["DISCORD_TOKEN"]
    code, output = await studybot(env, "discord", "invite-url")
    assert code == 0, output
    assert output.splitlines()[0] == invite_url("123456789012345678")
    assert not fake.recorded  # no token needed, nothing asked of Discord


async def test_run_connects_serves_a_command_and_stops_on_sigterm(
    fake: StudyFakeDiscord, tmp_path: Path
) -> None:
    env = studybot_env(fake, tmp_path)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--adapter", "discord",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await fake.wait_for_gateway(2, timeout=30)  # IDENTIFY
        await fake.wait_for_request("GET", r"^/applications/\d+/commands$", timeout=30)
        handle = await fake.slash_command("help")
        await fake.wait_for_request("PATCH", r"/messages/@original$", timeout=30)
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, output.decode()
    assert handle.response_type == 5
    answer = handle.original_message()
    assert answer is not None and answer["embeds"][0]["title"] == "studybot help"
    assert TOKEN not in output.decode()
