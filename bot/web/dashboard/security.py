"""Security plumbing of the dashboard: headers, CSRF checks, the sign-in rate limit.

Every dashboard response gets a strict Content-Security-Policy (no scripts, no inline
styles, no framing), ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer`` (sign-in
links carry a token in the URL; it must never leak through a Referer header) and
``Cache-Control: no-store`` (pages show member data).
"""

from __future__ import annotations

import hmac
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from aiohttp import web

PREFIX = "/dashboard"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: the headers above on every dashboard response."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)


def csrf_ok(expected: str, sent: object) -> bool:
    """Whether a form's CSRF field matches the session's token (constant time)."""
    return isinstance(sent, str) and bool(sent) and hmac.compare_digest(expected, sent)


class RateLimiter:
    """At most ``limit`` attempts per ``window`` per key (client address), in memory.

    In memory per instance on purpose: it only has to slow down guessing, and the tokens
    themselves are unguessable and single-use in the database.
    """

    def __init__(self, now: Callable[[], datetime], limit: int = 10, window: float = 60) -> None:
        self._now = now
        self._limit = limit
        self._window = timedelta(seconds=window)
        self._hits: dict[str, deque[datetime]] = {}

    def allow(self, key: str) -> bool:
        """Count one attempt for ``key``; ``False`` when over the limit."""
        now = self._now()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self._window:
            hits.popleft()
        if len(hits) >= self._limit:
            return False
        hits.append(now)
        if len(self._hits) > 10_000:  # bound memory under a spray of addresses
            self._hits = {k: v for k, v in self._hits.items() if v}
        return True
