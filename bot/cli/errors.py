"""Turn what goes wrong in a ``studybot`` command into one line a person can act on.

The README promises no tracebacks: an unreachable database, a malformed ``DATABASE_URL``,
a missing driver or a bad flag value each get a line naming the setting and the fix, and
a non-zero exit status. The full trace is printed only with ``--debug``, and written to the
log file when the interactive console logs to one.
"""

from __future__ import annotations

import logging
import socket
import sys
import traceback

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bot.db.engine import DatabaseUrlError

log = logging.getLogger("bot.cli")

#: Exit status of a command that failed for a reason the message explains.
FAILED = 1


class CliError(Exception):
    """A problem the person running the command can fix; ``str()`` says how."""


def redact(url: str) -> str:
    """``url`` with any password masked, or a placeholder when it does not parse."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable)"


def database_url_in_use() -> str | None:
    """The database URL the settings name, if they load at all."""
    from bot.config import load_settings

    try:
        return load_settings().database_url
    except Exception:
        return None


def explain(exc: BaseException) -> str:
    """One line for ``exc``: what went wrong, which setting, what to do."""
    if isinstance(exc, CliError):
        return str(exc)
    if isinstance(exc, DatabaseUrlError):
        source = "DATABASE_URL" if exc.url == database_url_in_use() else "the database URL"
        return f"{source} {exc.problem}"
    if isinstance(exc, ModuleNotFoundError) and exc.name == "asyncpg":
        return (
            "the PostgreSQL driver (asyncpg) is not installed: install studybot[postgres] "
            "(pip install 'studybot[postgres]') or use a sqlite:/// DATABASE_URL"
        )
    if _is_network_error(exc):
        return f"cannot reach {_database_name()}: {_reason(exc)}; check DATABASE_URL"
    if isinstance(exc, DBAPIError):
        first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc)
        return f"{_database_name()} refused the request: {first}; check DATABASE_URL"
    if isinstance(exc, OSError) and exc.filename:
        return f"cannot use {exc.filename}: {exc.strerror or exc}"
    return (
        f"unexpected error ({type(exc).__name__}: {exc}); run again with --debug for the "
        "full trace, and please report it"
    )


def report(exc: BaseException, *, debug: bool) -> int:
    """Print ``exc`` as one line (the trace too with ``debug``); return the exit status."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    _trace_to_log_file(exc)
    print(f"studybot: {explain(exc)}", file=sys.stderr)
    return FAILED


def _trace_to_log_file(exc: BaseException) -> None:
    """Write the trace to the log file, if logging goes to one (never to the terminal)."""
    files = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    if not files:
        return
    record = log.makeRecord(
        log.name,
        logging.ERROR,
        __file__,
        0,
        "command failed: %s",
        (explain(exc),),
        (type(exc), exc, exc.__traceback__),
    )
    for handler in files:
        handler.handle(record)


def _is_network_error(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | socket.gaierror | TimeoutError):
        return True
    # asyncpg raises a bare OSError for some refused connections (several addresses).
    return type(exc) is OSError and "connect" in str(exc).lower()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(exc, socket.gaierror):
        return "unknown host name"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def _database_name() -> str:
    url = database_url_in_use()
    if url is None:
        return "the database"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "the database"
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite database {parsed.database}"
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    return f"PostgreSQL at {where}" + (f"/{parsed.database}" if parsed.database else "")
