"""Every console session and command the README and docs/ show runs as they say (issue 19).

The sessions are collected from the documents (any shell block piping or redirecting into
``studybot run``) and run through ``sh`` exactly as written, with ``.venv/bin/studybot``
and ``studybot`` being this virtualenv's console script. What a following paragraph
promises in quotes must appear in the output.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from bot.core.commands import Registry
from bot.features import all_routers
from tests.cli.docs_examples import (
    DOCS,
    ROOT,
    Session,
    Transcript,
    command_examples,
    quoted_promises,
    sessions,
    transcripts,
)
from tests.cli.support import STUDYBOT, clean_env, studybot

pytestmark = pytest.mark.slow

BUG_REPLY = "Sorry, something went wrong"


def run_session(session: Session, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the block with ``sh`` from a folder laid out like a fresh checkout."""
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "studybot").symlink_to(STUDYBOT)
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    env = clean_env(tmp_path)
    env["STUDYBOT_DATA_DIR"] = "data"  # the default, relative to the checkout
    env["PATH"] = f"{venv_bin}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        ["sh", "-c", session.script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=180,
    )


def replies(out: str) -> dict[str, str]:
    """Each typed line of a scripted session and what followed it, up to the next prompt."""
    parts = re.split(r"^(\w[\w ]*> .*)$", out, flags=re.M)
    return {parts[i].split("> ", 1)[1]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


@pytest.mark.parametrize("session", sessions(), ids=lambda s: s.name)
def test_documented_session_runs_as_documented(session: Session, tmp_path: Path) -> None:
    result = run_session(session, tmp_path)
    both = result.stdout + result.stderr
    assert result.returncode == 0, both
    assert "Traceback" not in both and BUG_REPLY not in result.stdout, both
    assert "is not a command" not in result.stdout, result.stdout
    for promise in quoted_promises(session.after):
        assert promise in result.stdout, f"{promise!r} promised after the session, not printed"
    # A simulated clock never writes to the real database.
    assert not (tmp_path / "data" / "studybot.db").exists()


def test_the_readme_tour_shows_what_it_promises(tmp_path: Path) -> None:
    tour = next(s for s in sessions() if s.doc.name == "README.md" and "/done again" in s.script)
    result = run_session(tour, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    said = replies(out)
    assert "Step 5 of 16: Databases and SQL" in said["/roadmap databases"]
    assert "Challenge for Monday 2 March" in said["/challenge"] and "[Done]" in said["/challenge"]
    assert (
        "checked in for Monday 2 March: streak 1 day" in said["/done read the chapter on indexes"]
    )
    assert "Already counted today" in said["/done again"]
    # The posts the clock makes, each under its marker, in order.
    first_day, second_day = said[":advance 1d"], said[":advance 6h"]
    assert re.search(
        r">>> posted in #general · Mon 2 Mar 09:00 UTC\nChallenge for Monday", first_day
    )
    assert re.search(
        r">>> posted in #general · Tue 3 Mar 09:00 UTC\nChallenge for Tuesday", second_day
    )
    assert re.search(r">>> posted in #general · Tue 3 Mar 12:00 UTC\nTip: ", second_day)
    assert "streak 2 days" in said["/done https://github.com/me/notes-api added the endpoint"]
    assert "Current streak: 2 days" in said["/streak"]
    assert "You are hidden from leaderboards" in said["/settings hide"]
    board = said["/leaderboard"]
    assert "1. you — 2 days" in board and "bob" not in board
    schedule = said["/admin schedule"]
    assert "Scheduled posts" in schedule and "sent" in schedule


def test_the_tour_twice_shows_the_posts_twice(tmp_path: Path) -> None:
    """A second run starts from a fresh throwaway database, so the 09:00 post shows again."""
    tour = next(s for s in sessions() if s.doc.name == "README.md" and "/done again" in s.script)
    for attempt in ("first", "second"):
        folder = tmp_path / attempt
        folder.mkdir()
        out = run_session(tour, folder).stdout
        assert "Mon 2 Mar 09:00 UTC\nChallenge for Monday" in out


def _documented_commands() -> list[str]:
    names = set(Registry(all_routers()).top_level_names())
    commands: list[str] = []
    for doc in DOCS:
        for command in command_examples(doc):
            if command[1:].split()[0] in names and command not in commands:
                commands.append(command)
    return commands


def test_every_documented_command_answers(tmp_path: Path) -> None:
    commands = _documented_commands()
    assert len(commands) > 30, commands
    script = "\n".join(["/done first day", *commands]) + "\n"
    run = studybot(tmp_path, "run", "--simulated-clock", "2026-03-02T07:00Z", stdin=script)
    assert run.code == 0, run.err
    assert "Traceback" not in run.both
    said = replies(run.out)
    for command in commands:
        answer = said.get(command)
        assert answer is not None, f"{command}: no answer in {run.out[-2000:]}"
        assert BUG_REPLY not in answer, f"{command}: {answer}"
        assert "is not a command" not in answer, f"{command}: {answer}"


def test_the_collectors_find_the_documents_examples() -> None:
    docs = {s.doc.name for s in sessions()}
    assert {"README.md", "content.md", "scheduling.md", "linking.md"} <= docs
    assert all(doc.exists() for doc in DOCS)


@pytest.mark.parametrize("shown", transcripts(), ids=lambda t: f"{t.doc.name}:{t.command}")
def test_documented_transcripts_print_what_they_show(shown: Transcript, tmp_path: Path) -> None:
    """``$ studybot …`` lines run from the checkout print exactly the lines shown under them."""
    result = subprocess.run(
        [str(STUDYBOT), *shlex.split(shown.command)[1:]],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=clean_env(tmp_path),
        timeout=120,
    )
    assert result.stdout.rstrip("\n").splitlines() == shown.output, result.stdout + result.stderr
