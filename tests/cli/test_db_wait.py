"""``studybot db wait``: the Kubernetes init step that holds pods until the schema is at head."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import clean_env, closed_port, studybot

pytestmark = pytest.mark.slow


def test_wait_refuses_an_unmigrated_database_then_passes_once_migrated(tmp_path: Path) -> None:
    early = studybot(tmp_path, "db", "wait", "--timeout", "0")
    assert early.code == 1
    assert "studybot db upgrade" in early.err and "Traceback" not in early.both
    assert studybot(tmp_path, "db", "upgrade").code == 0
    ready = studybot(tmp_path, "db", "wait", "--timeout", "0")
    assert ready.code == 0, ready.both
    assert ready.out.startswith("database at ")


def test_wait_on_an_unreachable_server_says_so(tmp_path: Path) -> None:
    with closed_port() as port:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/studybot"
        run = studybot(
            tmp_path, "db", "wait", "--timeout", "0", env=clean_env(tmp_path, DATABASE_URL=url)
        )
    assert run.code == 1 and "unreachable" in run.err and "Traceback" not in run.both
