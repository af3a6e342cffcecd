"""Keep Slack secrets out of logs, whatever the SDKs decide to log at DEBUG.

slack_sdk already redacts ``Authorization`` headers; this filter is the second lock: every
record logged through the adapter's SDK logger has tokens (``xoxb-…``, ``xapp-…``, …) and the
configured secrets replaced before any handler sees it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_TOKEN = re.compile(r"\bx(?:ox[abeprs]|app)-[A-Za-z0-9-]+")
REDACTED = "[redacted]"
SDK_LOGGER = "bot.adapters.slack.sdk"


class SecretRedactor(logging.Filter):
    """A logging filter that rewrites records to hide tokens and the given secrets."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every token and secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record either
            message = str(record.msg)
        cleaned = self.redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True


def sdk_logger(secrets: Iterable[str]) -> logging.Logger:
    """The logger handed to bolt and slack_sdk, with a :class:`SecretRedactor` attached."""
    logger = logging.getLogger(SDK_LOGGER)
    for existing in list(logger.filters):
        if isinstance(existing, SecretRedactor):
            logger.removeFilter(existing)
    logger.addFilter(SecretRedactor(secrets))
    return logger
