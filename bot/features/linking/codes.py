"""One-time link codes: how they look, how they are hashed, and the rules they obey.

A code is 64 random bits from :mod:`secrets`, shown as four groups of four hex digits
(``5F3A-91C2-77D0-4B1E``) so it is easy to read out and type. Only a SHA-256 hash is
stored. A plain hash (rather than an HMAC with a server key) is enough here because the
input is not guessable: to find a code from a leaked hash an attacker would have to try
2^64 candidates, and the code is worthless 15 minutes after it was made anyway. Typing
is forgiving: case, spaces and dashes do not matter.

The rules (expiry, single use, the same answer for every bad code, rate limits) are
enforced by :class:`CodeBook`, which keeps every piece of state in the database: codes
in ``link_codes`` and rejected attempts in the audit log. That way the limits hold across
restarts and across several instances sharing one database, and moderators can see
someone trying codes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.errors import UserError
from bot.db.models import LinkCode
from bot.db.repositories.linking import codes as repo
from bot.db.sessions import Session

CODE_BYTES = 8  # 64 bits, the floor the security rules ask for
CODE_TTL = timedelta(minutes=15)
#: Wrong codes a member may enter per window before being told to wait.
MAX_FAILED_ATTEMPTS = 5
#: Codes a member may ask for per window (each new code also revokes the previous one).
MAX_ISSUED = 5
RATE_WINDOW = timedelta(minutes=15)

INVALID = "That code is not valid (it may have expired or been used)."

_SEPARATORS = re.compile(r"[\s\-_]+")
_HEX = re.compile(rf"^[0-9A-F]{{{CODE_BYTES * 2}}}$")


class CodeKind(StrEnum):
    """What a code links: two spaces (moderators) or two accounts of one member."""

    SPACE = "space"
    MEMBER = "member"


class InvalidCode(UserError):
    """Unknown, expired, used, malformed or wrong-kind code: always the same message."""

    def __init__(self) -> None:
        super().__init__(INVALID)


class RateLimited(UserError):
    """Too many codes asked for, or too many wrong codes entered, recently."""


def new_code() -> str:
    """A fresh code, e.g. ``5F3A-91C2-77D0-4B1E``."""
    raw = secrets.token_hex(CODE_BYTES).upper()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(text: str) -> str | None:
    """The canonical form of a typed code (16 upper-case hex digits), or ``None``."""
    compact = _SEPARATORS.sub("", text).upper()
    return compact if _HEX.match(compact) else None


def hash_code(code: str) -> str:
    """The stored form of a code (typed in any case, with or without dashes)."""
    canonical = normalise(code)
    if canonical is None:
        raise ValueError("not a link code")
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _wait_text(until: datetime, now: datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class Issued:
    """A freshly made code: the text to show once, and when it stops working."""

    code: str
    expires_at: datetime


@dataclass
class CodeBook:
    """Issues and redeems codes in one session (the invocation's transaction).

    Attributes:
        session: The invocation's session; every change commits with the command.
        now: The current instant (from the injected clock).
    """

    session: Session
    now: datetime

    async def issue(
        self, kind: CodeKind, *, group_id: int, space_id: int, member_id: int
    ) -> Issued:
        """Make a code for ``member_id`` in ``space_id`` and revoke their earlier ones.

        Raises:
            RateLimited: If the member asked for :data:`MAX_ISSUED` codes this window.
        """
        since = self.now - RATE_WINDOW
        recent = await repo.issued_since(self.session, member_id, since)
        if len(recent) >= MAX_ISSUED:
            retry_at = recent[0] + RATE_WINDOW
            raise RateLimited(
                f"You have asked for {MAX_ISSUED} codes in the last "
                f"{int(RATE_WINDOW.total_seconds() // 60)} minutes. "
                f"Please wait {_wait_text(retry_at, self.now)} and try again."
            )
        await repo.purge_old(self.session, self.now)
        # One live code per member and kind (per space for space codes): a code that
        # was shown earlier and maybe seen by someone else stops working now.
        await repo.revoke_unused(
            self.session,
            kind.value,
            member_id=member_id if kind is CodeKind.MEMBER else None,
            space_id=space_id if kind is CodeKind.SPACE else None,
            now=self.now,
        )
        code = new_code()
        expires_at = self.now + CODE_TTL
        await repo.insert(
            self.session,
            kind=kind.value,
            code_hash=hash_code(code),
            group_id=group_id,
            space_id=space_id,
            member_id=member_id,
            now=self.now,
            expires_at=expires_at,
        )
        return Issued(code, expires_at)

    async def check_attempts(self, group_id: int, member_id: int) -> None:
        """Refuse before looking at a code if the member entered too many wrong ones.

        Raises:
            RateLimited: With how long to wait.
        """
        since = self.now - RATE_WINDOW
        failures = await repo.failures_since(self.session, group_id, member_id, since)
        if len(failures) >= MAX_FAILED_ATTEMPTS:
            retry_at = failures[0] + RATE_WINDOW
            raise RateLimited(
                "Too many wrong codes in a row. For your safety, please wait "
                f"{_wait_text(retry_at, self.now)} before trying again."
            )

    async def find(self, kind: CodeKind, text: str) -> LinkCode | None:
        """The live code of ``kind`` matching ``text``, or ``None`` (not yet used up)."""
        canonical = normalise(text)
        if canonical is None:
            return None
        return await repo.find_live(self.session, hash_code(canonical), kind.value, self.now)

    async def consume(self, code: LinkCode) -> bool:
        """Mark ``code`` used; ``False`` when a concurrent redeem (or expiry) won."""
        return await repo.consume(self.session, code.id, self.now)
