"""The issue's console session: the content commands through the real ``studybot run``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = [
    "/roadmap",
    "/roadmap databases",
    "/project",
    "/project url shortener",
    "/challenge",
    "/tip",
]


def test_console_session_reads_well(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("STUDYBOT_", "SLACK_", "DISCORD_"))
    }
    env.pop("DATABASE_URL", None)
    env["STUDYBOT_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--simulated-clock", "2026-03-02T08:00"],
        input="\n".join(SCRIPT) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    sections = out.split("you> ")[1:]
    assert [s.splitlines()[0] for s in sections] == SCRIPT
    by_command = {s.splitlines()[0]: s for s in sections}
    expected_headings = {
        "/roadmap": "Backend roadmap: 6 phases, 16 steps over 12 months\n=====",
        "/roadmap databases": "Step 5 of 16: Databases and SQL\n=====",
        "/project": "Project idea: ",
        "/project url shortener": "Project: URL shortener\n=====",
        "/challenge": "Challenge for Monday 2 March: ",
        "/tip": "Tip: ",
    }
    for command, heading in expected_headings.items():
        assert heading in by_command[command], by_command[command]
    assert "Milestones:\n  1. " in by_command["/project url shortener"]
    assert "[Done]" in by_command["/challenge"]
    for section in sections:
        assert "Sorry" not in section and "Traceback" not in section
        # Plain text: the console shows no Markdown bold markers.
        assert "**" not in section
    assert "Traceback" not in result.stderr
