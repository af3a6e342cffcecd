"""SIGTERM during a burst of check-ins: the real `studybot run` process (console adapter
reading a pipe) stops in bounded time, and every check-in it acknowledged is stored."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.core.commands import Registry
from bot.core.dispatcher import RESTARTING, SORRY
from bot.features import all_routers

ROOT = Path(__file__).resolve().parents[2]
BURST = 300
SIGNAL_AFTER = 15  # acknowledged check-ins before SIGTERM is sent
ECHO = re.compile(r"^(\S+)> (.*)$")


def parse_replies(output: str) -> dict[str, str]:
    """``{user: reply text}`` for every `/done` the console answered."""
    replies: dict[str, str] = {}
    current: str | None = None
    for line in output.splitlines():
        echo = ECHO.match(line)
        if echo:
            user, typed = echo.groups()
            current = user if typed.startswith("/done") else None
            if current:
                replies[current] = ""
        elif current:
            replies[current] += line + "\n"
    return replies


def stored_checkins(db: Path) -> set[str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT identities.platform_user_id FROM checkins "
            "JOIN identities ON identities.member_id = checkins.member_id"
        ).fetchall()
    return {row[0] for row in rows}


@pytest.mark.slow
async def test_sigterm_during_a_burst_loses_no_acknowledged_checkin(tmp_path: Path) -> None:
    assert Registry(all_routers()).get("done") is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDYBOT_", "SLACK_"))}
    env.pop("DISCORD_TOKEN", None)
    env.pop("DATABASE_URL", None)
    env.update(
        STUDYBOT_DATA_DIR=str(tmp_path),
        STUDYBOT_SHUTDOWN_TIMEOUT="10",
        STUDYBOT_HTTP_PORT="0",
        STUDYBOT_HTTP_HOST="127.0.0.1",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--adapter",
        "console",
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    burst = "".join(f":as user{i}\n/done burst item {i}\n" for i in range(BURST))
    process.stdin.write(burst.encode())
    await process.stdin.drain()  # stdin stays open: the bot is not told the input ended

    output = ""
    signalled = False
    try:
        async with asyncio.timeout(60):
            while line := await process.stdout.readline():
                output += line.decode()
                if not signalled:
                    acked = [r for r in parse_replies(output).values() if r.strip()]
                    if len(acked) > SIGNAL_AFTER:
                        process.send_signal(signal.SIGTERM)
                        signalled = True
            errors = (await process.stderr.read()).decode()
            code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert signalled, (output[-1000:], errors[-2000:])
    assert code == 0, errors[-2000:]
    assert "Traceback" not in errors and "studybot stopped" in errors

    # The console wraps long lines; compare with the whitespace folded.
    replies = {user: " ".join(text.split()) for user, text in parse_replies(output).items()}
    refused = {user for user, text in replies.items() if RESTARTING in text}
    failed = {user for user, text in replies.items() if SORRY.split("{")[0] in text}
    acknowledged = set(replies) - refused - failed
    assert failed == set(), "no /done may fail during shutdown"
    assert len(acknowledged) > SIGNAL_AFTER
    # SIGTERM came mid-burst: later lines were turned away politely or never read.
    assert len(acknowledged) < BURST
    print(
        f"acknowledged {len(acknowledged)}, refused {len(refused)}, unread {BURST - len(replies)}"
    )
    stored = stored_checkins(tmp_path / "studybot.db")
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)}"
    assert stored <= acknowledged, "a check-in was stored without its reply being shown"
