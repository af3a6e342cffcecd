"""Interactive console logging: INFO to a file under the data folder, warnings on screen.

A piped session keeps logging to stderr (the scripted-session tests rely on that); a
terminal on stdin (a real pseudo-terminal here) moves INFO lines to the file.
"""

from __future__ import annotations

import io
import logging
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import LogFormat
from bot.logs import CONSOLE_LOG_NAME, configure_logging, log_to_file, logs_to_file


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_only_an_interactive_console_logs_to_a_file() -> None:
    assert logs_to_file(["console"], FakeTerminal())
    assert not logs_to_file(["console"], io.StringIO())  # piped or scripted
    assert not logs_to_file(["discord"], FakeTerminal())
    assert not logs_to_file(["discord", "slack"], FakeTerminal())


def test_info_goes_to_the_file_and_warnings_to_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging("INFO", LogFormat.TEXT)
    path = log_to_file(tmp_path / "data", LogFormat.TEXT)
    assert path == tmp_path / "data" / CONSOLE_LOG_NAME
    log = logging.getLogger("bot.test")
    log.info("an info line")
    log.warning("a warning line")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = path.read_text(encoding="utf-8")
    assert "an info line" in written and "a warning line" in written
    shown = capsys.readouterr().err
    assert "a warning line" in shown and "an info line" not in shown


@pytest.mark.slow
def test_a_terminal_session_keeps_info_off_the_screen(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("STUDYBOT_", "SLACK_", "DISCORD_"))
    }
    env.pop("DATABASE_URL", None)
    env["STUDYBOT_DATA_DIR"] = str(tmp_path / "data")
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
            text=True,
        )
        os.close(slave)
        os.write(master, b"/help\n:quit\n")
        out, err = process.communicate(timeout=120)
    finally:
        os.close(master)
    assert process.returncode == 0, err
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)  # a terminal gets rich's colours
    assert "studybot console." in out and "Moderator commands:" in out
    log_file = tmp_path / "data" / CONSOLE_LOG_NAME
    assert err.count("logs go to") == 1 and str(log_file) in err
    assert " INFO " not in err, err
    written = log_file.read_text(encoding="utf-8")
    assert "started with console" in written and "command=/help" in written
