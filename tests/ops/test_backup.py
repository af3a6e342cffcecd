"""``studybot db backup`` / ``db restore``: online SQLite backups and their round trip."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import migrate, sqlite_backup
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Group
from bot.db.sqlite_backup import BackupError, backup, restore, sqlite_path
from tests.ops.conftest import CliResult

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def groups_in(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM groups").fetchone()[0])


class Writer:
    """Commits one group per transaction until stopped, like a busy bot."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.sessions = create_session_factory(self.engine)
        self.committed = 0
        self.progress = asyncio.Condition()
        self.stop = asyncio.Event()

    async def run(self) -> None:
        while not self.stop.is_set():
            async with self.sessions() as session, session.begin():
                session.add(Group(name=f"group {self.committed}", created_at=NOW))
            async with self.progress:
                self.committed += 1
                self.progress.notify_all()

    async def wait_for(self, count: int) -> None:
        async with self.progress:
            await asyncio.wait_for(self.progress.wait_for(lambda: self.committed >= count), 20)


async def test_backup_while_writing_then_restore_round_trip(
    sqlite_url: str, tmp_path: Path
) -> None:
    db_path = sqlite_path(sqlite_url)
    writer = Writer(sqlite_url)
    writing = asyncio.create_task(writer.run())
    try:
        await writer.wait_for(20)
        floor = writer.committed
        snapshot = await asyncio.to_thread(backup, db_path, tmp_path / "backup.db")
        ceiling = writer.committed
        await writer.wait_for(ceiling + 10)  # the bot kept writing after the backup
    finally:
        writer.stop.set()
        await writing
        await writer.engine.dispose()
    backed_up = snapshot.tables["groups"]
    assert floor <= backed_up <= ceiling
    assert groups_in(snapshot.path) == backed_up
    final = groups_in(db_path)
    assert final == writer.committed > backed_up
    with sqlite3.connect(snapshot.path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert snapshot.revision == migrate.head_revision()

    restored = restore(snapshot.path, db_path)
    assert groups_in(db_path) == backed_up
    assert restored.tables == snapshot.tables
    assert restored.previous is not None and groups_in(restored.previous) == final

    engine = create_engine(sqlite_url)  # the bot starts again on the restored file
    try:
        assert await migrate.is_up_to_date(engine)
        async with create_session_factory(engine)() as session, session.begin():
            session.add(Group(name="after restore", created_at=NOW))
        async with engine.connect() as connection:
            count = (await connection.execute(select(func.count()).select_from(Group))).scalar()
        assert count == backed_up + 1
    finally:
        await engine.dispose()


def test_backup_into_a_folder_gets_a_timestamped_name(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    snapshot = backup(sqlite_path(sqlite_url), folder)
    assert snapshot.path.parent == folder
    assert snapshot.path.name.startswith("studybot-") and snapshot.path.suffix == ".db"
    assert [p.name for p in folder.iterdir()] == [snapshot.path.name]  # no leftovers


def test_backup_does_not_replace_a_file_unless_forced(sqlite_url: str, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_text("precious")
    with pytest.raises(BackupError, match="already exists"):
        backup(sqlite_path(sqlite_url), target)
    assert target.read_text() == "precious"
    backup(sqlite_path(sqlite_url), target, overwrite=True)
    assert sqlite_backup.describe(target).revision == migrate.head_revision()


def test_postgresql_gets_pointed_at_pg_dump() -> None:
    with pytest.raises(BackupError, match="pg_dump"):
        sqlite_path("postgresql+asyncpg://postgres@127.0.0.1/studybot")


def test_a_damaged_backup_is_refused_and_the_database_kept(sqlite_url: str, tmp_path: Path) -> None:
    db_path = sqlite_path(sqlite_url)
    before = db_path.read_bytes()
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError, match="not a usable SQLite database"):
        restore(damaged, db_path)
    assert db_path.read_bytes() == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_cli_backup_and_restore(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    result = cli("db", "backup", str(tmp_path / "out") + "/", url=sqlite_url)
    assert result.code == 0, result.err
    assert "backup written" in result.out and "integrity ok" in result.out
    (made,) = (tmp_path / "out").iterdir()
    refused = cli("db", "restore", str(made))
    assert refused.code == 1 and "--yes" in refused.err
    done = cli("db", "restore", str(made), "--yes")
    assert done.code == 0, done.err
    assert "restored" in done.out and "previous database was saved" in done.out
    pg = cli("db", "backup", str(tmp_path / "x.db"), url="postgresql://postgres@127.0.0.1/x")
    assert pg.code == 1 and "pg_dump" in pg.err and "Traceback" not in pg.err
