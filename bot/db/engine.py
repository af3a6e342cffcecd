"""Engine and session factory: SQLite with WAL and foreign keys, or PostgreSQL via asyncpg."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 15_000
SUPPORTED_BACKENDS = ("sqlite", "postgresql", "postgres")
URL_EXAMPLES = "sqlite:///data/studybot.db or postgresql+asyncpg://USER@HOST/DB"


class DatabaseUrlError(ValueError):
    """A database URL studybot cannot use; the message says why and what to write instead.

    Attributes:
        url: The URL as given (it may hold a password: never print it as is).
        problem: What is wrong, phrased to follow the setting's name.
    """

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"the database URL {problem}")
        self.url = url
        self.problem = problem


def normalise_url(url: str) -> URL:
    """Turn a user-given URL into an async driver URL.

    ``sqlite:///x.db`` becomes ``sqlite+aiosqlite:///x.db`` and ``postgresql://`` or
    ``postgres://`` become ``postgresql+asyncpg://``, so people can paste the URLs they know.

    Raises:
        DatabaseUrlError: the URL does not parse, names a database studybot does not
            support, or needs a driver that is not installed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(url, f"is not a URL studybot can read; use {URL_EXAMPLES}") from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseUrlError(
            url, f"names {backend!r}, which studybot does not support; use {URL_EXAMPLES}"
        )
    if backend != "sqlite":
        _require_asyncpg(url)
    if backend == "sqlite" and parsed.drivername != "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres") and parsed.drivername != "postgresql+asyncpg":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed


def _require_asyncpg(url: str) -> None:
    """Refuse a PostgreSQL URL early when the driver is missing (the ``postgres`` extra)."""
    try:
        import asyncpg  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        raise DatabaseUrlError(
            url,
            "is a PostgreSQL URL but the PostgreSQL driver (asyncpg) is not installed: "
            "install studybot[postgres] (pip install 'studybot[postgres]')",
        ) from None


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the process's engine; SQLite files get their folder created and pragmas set."""
    parsed = normalise_url(url)
    options: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        options.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_async_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while the writer commits; synchronous=NORMAL is durable
    # across application crashes in WAL mode and much cheaper than FULL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (no implicit refresh I/O)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def is_sqlite(engine: AsyncEngine) -> bool:
    """Whether ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


async def ping(engine: AsyncEngine) -> None:
    """Run ``SELECT 1`` on a fresh connection (raises whatever the driver raises if unreachable)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
