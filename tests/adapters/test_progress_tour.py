"""The README's month on the roadmap, run through the console with a simulated clock."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.adapters.test_console import run_console

ROOT = Path(__file__).resolve().parents[2]


def tour() -> tuple[list[str], list[str]]:
    """The tour's console lines and the ``studybot run`` options, from the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("A month on the roadmap", 1)[1]
    block = re.search(r"```sh\n(.*?)\n```", section, re.S)
    assert block, "the month-on-the-roadmap block is missing from the README"
    words = shlex.split(block.group(1).replace("\\\n", " "))
    pipe = words.index("|")
    assert words[:2] == ["printf", "%s\\n"], words[:2]
    return words[2:pipe], words[pipe + 2 :]


def test_a_member_lives_a_month_on_the_roadmap(tmp_path: Path) -> None:
    lines, options = tour()
    assert options[:2] == ["run", "--simulated-clock"], options
    # The whole tour (two ":advance 14d", each 20,160 simulated minutes) takes ~10 s on a
    # 2-vCPU machine; the default hang guard leaves room for a slow CI minute.
    result = run_console("\n".join(lines) + "\n", tmp_path, *options[1:])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    # Day 1: nothing yet; a skipped step, a started one, a challenge of it done.
    assert "Your roadmap: 0 of 16 steps finished" in out
    assert "From your current step" in out
    assert "Started Website uptime checker" in out
    assert "Milestone 1 of 6 done" in out and "GitHub: https://github.com/me/uptime" in out
    # Two weeks on: pacing, the step finished once, a second milestone.
    assert "week 3 of" in out and "challenges 1/" in out
    assert "Finished step 2, " in out and "already finished" in out
    assert "Website uptime checker · 2 of 6 milestones" in out
    # A month on: the next step, the boards and the moderators' view move with it.
    assert "Your roadmap: 2 of 16 steps finished" in out
    assert "step 3 of 16" in out
    assert "1. you — 1 step" in out
    assert "Roadmap progress · 1 member on the plan" in out
