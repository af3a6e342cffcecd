"""The documented console demo, run through the real entry point with a simulated clock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "streaks.md"


def demo_script() -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- demo-script -->\s*```text\n(.*?)```", text, re.DOTALL)
    assert match, "the demo script block is missing from docs/streaks.md"
    return match.group(1)


def test_console_demo(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("STUDYBOT_", "SLACK_", "DISCORD_"))
    }
    env.pop("DATABASE_URL", None)
    env["STUDYBOT_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--simulated-clock", "2026-03-02T08:00Z"],
        input=demo_script(),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout

    def reply_to(line: str) -> str:
        """The output between a command line and the next prompt."""
        after = out.split(f"> {line}\n", 1)[1]
        return re.split(r"\n\w+> ", after, maxsplit=1)[0]

    assert "you checked in for Monday 2 March: streak 1 day (longest 1 day)." in reply_to(
        "/done set up my first API"
    )
    again = reply_to("/done again")
    assert "(only you can see this)" in again and "Already counted today" in again
    assert "streak 2 days" in reply_to("/done added a database")
    assert "You earned a streak freeze." in reply_to("/done added a database")
    assert "Wednesday 4 March: streak 3 days" in reply_to("/done wrote tests")
    back = reply_to("/done back after a day off")
    assert "Friday 6 March: streak 4 days" in back
    assert "A freeze covered the day you missed." in back
    streak = reply_to("/streak")
    assert "Current streak: 4 days (checked in today)." in streak
    assert " x  x  x  *  x" in streak
    board = reply_to("/leaderboard")
    assert "1. bob — 1 day" in board
    assert "1. you" not in board and "You are hidden from leaderboards" in board
