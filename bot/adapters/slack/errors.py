"""One way to name a Slack failure in logs and ledger rows."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def error_code(exc: Exception) -> str:
    """Slack's error name (``not_in_channel``) for API errors, else the exception type."""
    if isinstance(exc, SlackApiError):
        try:
            return str(exc.response["error"])
        except (KeyError, TypeError):
            return "unknown_error"
    return type(exc).__name__
