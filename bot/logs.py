"""Logging setup: standard library logging, text or JSON lines.

Logs go to standard error, except in an interactive console (a person typing at a
terminal): there INFO lines would interleave with the replies being read, so they go to a
file under the data folder and only warnings reach the terminal.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from bot.config import LogFormat


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as a JSON line."""
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


#: The interactive console's log file, relative to the data folder.
CONSOLE_LOG_NAME = "studybot.log"


def _formatter(fmt: LogFormat) -> logging.Formatter:
    if fmt is LogFormat.JSON:
        return JsonFormatter()
    return logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")


def configure_logging(level: str = "INFO", fmt: LogFormat = LogFormat.TEXT) -> None:
    """Send logs to stderr (stdout belongs to the console adapter)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter at INFO would drown our one-line-per-invocation log.
    for noisy in ("discord", "slack_bolt", "slack_sdk", "apscheduler", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def logs_to_file(adapters: Sequence[str], stdin: TextIO) -> bool:
    """Whether this run is an interactive console: the console alone, stdin a terminal.

    Scripted (piped) sessions and the platform adapters keep logging to stderr, where
    service managers and tests collect it.
    """
    return list(adapters) == ["console"] and stdin.isatty()


def log_to_file(data_dir: Path, fmt: LogFormat = LogFormat.TEXT) -> Path:
    """Move logging to a file under ``data_dir``; only warnings still reach stderr.

    Returns the file's path (the caller prints it once). The file rotates at 5 MB, three
    old files kept, so a console left running for weeks does not fill the disk.
    """
    path = data_dir / CONSOLE_LOG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    to_file.setFormatter(_formatter(fmt))
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING)
    terminal.setFormatter(_formatter(fmt))
    logging.getLogger().handlers[:] = [to_file, terminal]
    return path
