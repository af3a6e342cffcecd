"""HTTP-level pieces of the fake Discord: error bodies, recorded requests, injected faults."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from .discord_payloads import JSON, UploadedFile

ERROR_MESSAGES: dict[int, str] = {
    10003: "Unknown Channel",
    10004: "Unknown Guild",
    10007: "Unknown Member",
    10008: "Unknown Message",
    10011: "Unknown Role",
    10013: "Unknown User",
    10015: "Unknown Webhook",
    10062: "Unknown interaction",
    10063: "Unknown application command",
    20012: "You are not authorized to perform this action on this application",
    40060: "Interaction has already been acknowledged.",
    50001: "Missing Access",
    50005: "Cannot edit a message authored by another user",
    50006: "Cannot send an empty message",
    50007: "Cannot send messages to this user",
    50013: "Missing Permissions",
    50033: "Invalid Recipient(s)",
    50035: "Invalid Form Body",
}
_DEFAULT_CODES = {400: 50035, 403: 50001}
_STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

Reply = tuple[int, Any]
"""What a REST handler returns: ``(status, JSON body or None for an empty 204)``."""


class ApiError(Exception):
    """A Discord error response raised by a handler.

    Args:
        status: HTTP status.
        code: Discord JSON error code (0 for the generic ``"404: Not Found"`` style).
        message: Overrides the standard message for ``code``.
        errors: The ``errors`` object of a 50035 Invalid Form Body.
    """

    def __init__(
        self, status: int, code: int = 0, message: str | None = None, errors: JSON | None = None
    ) -> None:
        super().__init__(status, code)
        self.status = status
        self.body = error_body(status, code, message)
        if errors:
            self.body["errors"] = errors

    @classmethod
    def invalid_form(cls, path: list[str], code: str, message: str) -> ApiError:
        """Build a 400 / 50035 Invalid Form Body error for one field (``["data", "choices"]``)."""
        errors: JSON = {"_errors": [{"code": code, "message": message}]}
        for key in reversed(path):
            errors = {key: errors}
        return cls(400, 50035, errors=errors)

    @classmethod
    def from_body(cls, status: int, body: JSON) -> ApiError:
        """Wrap an already built error body."""
        error = cls(status)
        error.body = body
        return error


def error_body(status: int, code: int | None = None, message: str | None = None) -> JSON:
    """Return Discord's JSON error body for a status and (defaulted) error code."""
    code = _DEFAULT_CODES.get(status, 0) if code is None else code
    if message is None:
        message = ERROR_MESSAGES.get(code) or f"{status}: {_STATUS_TEXT.get(status, 'Error')}"
    return {"message": message, "code": code}


@dataclass
class RecordedRequest:
    """One REST request the fake received.

    Attributes:
        method: HTTP method.
        path: Path below the API base, e.g. ``/channels/123/messages``.
        query: Query parameters.
        headers: Request headers.
        json: The JSON body, or the parsed ``payload_json`` part of a multipart body.
        files: Uploaded files of a multipart body.
        multipart: Whether the body was multipart/form-data.
        route: The matched route, e.g. ``POST /channels/{channel_id}/messages``, or None.
        status: The status the fake answered.
        response: The JSON body the fake answered (None for 204).
        at: ``time.monotonic()`` when received.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[UploadedFile] = field(default_factory=list)
    multipart: bool = False
    route: str | None = None
    status: int = 0
    response: Any = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    """A queued failure for requests matching ``method`` + ``path_regex``."""

    method: str | None
    path: re.Pattern[str]
    status: int
    retry_after: float | None
    code: int | None
    message: str | None
    times: int
    is_global: bool = False
