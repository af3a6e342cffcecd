"""Online backup and restore of the SQLite database with SQLite's backup API.

The backup API copies the database page by page inside one read transaction, so the copy
is a consistent snapshot even while the bot keeps writing (in WAL mode readers never block
the writer). Copying the file with ``cp`` instead could tear a page or miss the ``-wal``
file. Every backup is integrity-checked before it is given its final name, so a file
with the final name is always a complete, valid database.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.db.engine import normalise_url

BUSY_TIMEOUT_S = 15.0


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Snapshot:
    """What a backup or restore produced.

    Attributes:
        path: The database file written.
        size: Its size in bytes.
        revision: Its migration revision (``alembic_version``), if any.
        tables: Row count per table.
        previous: Where the database was saved before a restore overwrote it.
    """

    path: Path
    size: int
    revision: str | None
    tables: dict[str, int]
    previous: Path | None = None


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL; a clear error for PostgreSQL or in-memory URLs."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(
            "`studybot db backup` and `db restore` are for SQLite. For PostgreSQL use its "
            "own tools: `pg_dump --format=custom --file=studybot.dump DBNAME` to back up "
            "and `pg_restore --clean --dbname=DBNAME studybot.dump` to restore."
        )
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(parsed.database)


def backup(db_path: Path, target: Path, *, overwrite: bool = False) -> Snapshot:
    """Copy ``db_path`` to ``target`` safely while the bot may be writing to it.

    Args:
        db_path: The live database file.
        target: The backup file, or an existing folder to put a time-stamped file in.
        overwrite: Replace ``target`` if it exists.

    Returns:
        The backup's size, revision and row counts.

    Raises:
        BackupError: If the database is missing, the target exists, or the copy fails
            its integrity check.
    """
    if not db_path.is_file():
        raise BackupError(f"there is no database at {db_path}")
    if target.is_dir():
        target = target / f"studybot-{datetime.now(UTC):%Y%m%d-%H%M%S}.db"
    if target.exists() and not overwrite:
        raise BackupError(f"{target} already exists (pass --force to replace it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            # pages=-1 copies everything in one step, i.e. one read snapshot; stepwise
            # copying would restart whenever the bot writes and might never finish.
            source.backup(copy, pages=-1)
            # A backup should be one self-contained file, not a WAL-mode database.
            copy.execute("PRAGMA journal_mode=DELETE")
            _check(copy, partial)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"backup failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return describe(target)


def restore(backup_file: Path, db_path: Path) -> Snapshot:
    """Replace the database at ``db_path`` with the contents of ``backup_file``.

    The bot should be stopped. The current database is first saved next to it as
    ``<name>.before-restore-<time>.db``; the restore writes through SQLite (not a file
    copy), so a leftover ``-wal`` file cannot resurrect old pages.

    Raises:
        BackupError: If the backup is missing or damaged, or the restore fails.
    """
    if not backup_file.is_file():
        raise BackupError(f"there is no backup at {backup_file}")
    try:
        with closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as source:
            _check(source, backup_file)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{backup_file} is not a usable SQLite database: {exc}") from exc
    previous = None
    if db_path.is_file():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        previous = backup(db_path, db_path.with_name(f"{db_path.stem}.before-restore-{stamp}.db"))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)) as live,
        ):
            source.backup(live, pages=-1)
            _check(live, db_path)
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed: {exc}") from exc
    result = describe(db_path)
    return Snapshot(
        path=result.path,
        size=result.size,
        revision=result.revision,
        tables=result.tables,
        previous=previous.path if previous else None,
    )


def describe(path: Path) -> Snapshot:
    """Size, revision and row counts of a SQLite file (opened read-only)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        tables = table_counts(connection)
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    return Snapshot(path=path, size=path.stat().st_size, revision=revision, tables=tables)


def table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Row count of every table of a SQLite connection, by name."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    # Table names come from sqlite_master itself, so quoting them is enough.
    return {
        name: connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names
    }


def _check(connection: sqlite3.Connection, path: Path) -> None:
    """Raise unless ``PRAGMA integrity_check`` and ``foreign_key_check`` are clean."""
    result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError(f"{path} failed its integrity check: {'; '.join(result[:5])}")
    broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise BackupError(f"{path} has {len(broken)} row(s) with broken references")
