"""Run the installed ``studybot`` console script as a user would, in a clean environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: The virtualenv's console script (installed by ``pip install -e .``).
STUDYBOT = Path(sys.executable).with_name("studybot")


@dataclass
class Run:
    """Exit status and output of one ``studybot`` process."""

    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        """Standard output and standard error together."""
        return self.out + self.err


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment without any studybot, Slack, Discord or database setting."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STUDYBOT_", "SLACK_", "DISCORD_")) and k != "DATABASE_URL"
    }
    env["STUDYBOT_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def studybot(tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> Run:
    """Run ``studybot ARGS`` from ``tmp_path`` (no .env there) and collect its output."""
    assert STUDYBOT.exists(), f"{STUDYBOT} is missing: pip install -e . in this venv"
    result = subprocess.run(
        [str(STUDYBOT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env if env is not None else clean_env(tmp_path),
        timeout=120,
    )
    return Run(result.returncode, result.stdout, result.stderr)


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so nobody else takes it), not listening."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
