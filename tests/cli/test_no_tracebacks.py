"""What goes wrong on the command line is one clear line, never a traceback (issue 19).

Every case runs the real ``studybot`` executable in a clean environment; nothing reaches the
network (unreachable servers are closed loopback ports).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import Run, clean_env, closed_port, studybot

pytestmark = pytest.mark.slow


def assert_one_clear_line(run: Run, *expected: str) -> None:
    """Non-zero exit, no trace, and a ``studybot:`` line holding every expected phrase."""
    assert run.code != 0, run.both
    assert "Traceback" not in run.both, run.both
    assert "Unclosed" not in run.both, run.both
    lines = [line for line in run.err.splitlines() if line.startswith("studybot")]
    assert lines, run.both
    message = lines[-1]
    for phrase in expected:
        assert phrase in message, message


@pytest.mark.parametrize(
    "args",
    [("db", "upgrade"), ("run",), ("export", "--group", "1")],
    ids=["db-upgrade", "run", "export"],
)
def test_unreachable_postgresql_names_the_setting(tmp_path: Path, args: tuple[str, ...]) -> None:
    with closed_port() as port:
        url = f"postgresql+asyncpg://postgres:s3cret@127.0.0.1:{port}/studybot"
        run = studybot(tmp_path, *args, env=clean_env(tmp_path, DATABASE_URL=url))
    assert_one_clear_line(run, f"cannot reach PostgreSQL at 127.0.0.1:{port}", "DATABASE_URL")
    assert "s3cret" not in run.both


def test_debug_prints_the_full_trace(tmp_path: Path) -> None:
    with closed_port() as port:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/studybot"
        run = studybot(
            tmp_path, "db", "upgrade", "--debug", env=clean_env(tmp_path, DATABASE_URL=url)
        )
    assert run.code != 0
    assert "Traceback" in run.err and "ConnectionRefusedError" in run.err
    assert run.err.rstrip().splitlines()[-1].startswith("studybot: cannot reach PostgreSQL")


@pytest.mark.parametrize("url", ["foo:bar", "mysql://me@localhost/db"])
def test_a_malformed_or_unsupported_database_url(tmp_path: Path, url: str) -> None:
    run = studybot(tmp_path, "db", "upgrade", env=clean_env(tmp_path, DATABASE_URL=url))
    assert_one_clear_line(run, "DATABASE_URL", "sqlite:///", "postgresql+asyncpg://")


def test_postgresql_url_without_the_driver(tmp_path: Path) -> None:
    # A stand-in package that fails to import exactly as a missing asyncpg does.
    fake = tmp_path / "no-asyncpg" / "asyncpg"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'asyncpg'\", name='asyncpg')\n"
    )
    env = clean_env(
        tmp_path,
        DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1/studybot",
        PYTHONPATH=str(fake.parent),
    )
    for args in (("db", "upgrade"), ("run",)):
        run = studybot(tmp_path, *args, env=env)
        assert_one_clear_line(run, "DATABASE_URL", "studybot[postgres]")


def test_discord_without_network(tmp_path: Path) -> None:
    with closed_port() as port:
        env = clean_env(
            tmp_path,
            DISCORD_TOKEN="abc",
            DISCORD_API_BASE_URL=f"http://127.0.0.1:{port}/api/v10",
            DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/",
        )
        run = studybot(tmp_path, "run", "--adapter", "discord", env=env)
    assert_one_clear_line(run, "cannot reach Discord", "DISCORD_API_BASE_URL")


@pytest.mark.parametrize("value", ["2026-13-45", "tomorrow"])
def test_a_bad_simulated_clock(tmp_path: Path, value: str) -> None:
    run = studybot(tmp_path, "run", "--simulated-clock", value)
    assert_one_clear_line(run, "--simulated-clock", repr(value), "2026-03-02T07:00Z")
