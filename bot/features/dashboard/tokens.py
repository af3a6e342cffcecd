"""One-time dashboard sign-in links: what they carry and how they are signed.

A link carries a token signed with itsdangerous, bound to the moderator (member, the
platform user as the platform described them) and the group, with a random id that is
recorded in the database when used (so a link works once, across instances). The
timestamp comes from the injected clock, so tests and ``--simulated-clock`` see expiry
exactly as production does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bot.core.clock import Clock
from bot.core.models import Actor

LINK_LIFETIME = timedelta(minutes=10)
_SALT = "studybot.dashboard.signin"


@dataclass(frozen=True)
class SignInClaims:
    """Who a sign-in link is for.

    Attributes:
        token_id: Random id, recorded when the link is used.
        group_id: The group whose dashboard it opens.
        member_id: The moderator's member row.
        platform: The platform the link was asked for on.
        space_external_id: The guild/workspace it was asked for in.
        actor: The platform's description of the user (id, name, admin flag, roles).
    """

    token_id: str
    group_id: int
    member_id: int
    platform: str
    space_external_id: str
    actor: dict[str, Any]

    def to_actor(self) -> Actor:
        """The stored actor as the dispatcher's :class:`Actor`."""
        return actor_from(self.actor)


def actor_snapshot(actor: Actor) -> dict[str, Any]:
    """What is kept of an actor (JSON-friendly)."""
    return {
        "user_id": actor.user_id,
        "display_name": actor.display_name,
        "is_admin": actor.is_admin,
        "roles": sorted(actor.roles),
    }


def actor_from(data: dict[str, Any]) -> Actor:
    """Rebuild an :class:`Actor` from :func:`actor_snapshot`."""
    return Actor(
        user_id=str(data["user_id"]),
        display_name=str(data.get("display_name") or data["user_id"]),
        is_admin=bool(data.get("is_admin")),
        roles=frozenset(str(r) for r in data.get("roles") or ()),
    )


class InvalidLink(Exception):
    """The link is forged, damaged or expired (the message says which, for the page)."""


def _serializer(secret: str, clock: Clock) -> URLSafeTimedSerializer:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return URLSafeTimedSerializer(secret, salt=_SALT, signer=ClockSigner)


def new_claims(
    group_id: int, member_id: int, platform: str, space_external_id: str, actor: Actor
) -> SignInClaims:
    """Claims for a fresh link with a random id."""
    return SignInClaims(
        token_id=secrets.token_urlsafe(18),
        group_id=group_id,
        member_id=member_id,
        platform=platform,
        space_external_id=space_external_id,
        actor=actor_snapshot(actor),
    )


def sign(claims: SignInClaims, secret: str, clock: Clock) -> str:
    """The URL-safe signed token for ``claims``, stamped with the clock's time."""
    payload = {
        "t": claims.token_id,
        "g": claims.group_id,
        "m": claims.member_id,
        "p": claims.platform,
        "s": claims.space_external_id,
        "a": claims.actor,
    }
    return str(_serializer(secret, clock).dumps(payload))


def verify(token: str, secret: str, clock: Clock) -> SignInClaims:
    """The claims of a valid token; raises :class:`InvalidLink` otherwise."""
    max_age = int(LINK_LIFETIME.total_seconds())
    try:
        payload = _serializer(secret, clock).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidLink("This sign-in link has expired (links last 10 minutes).") from None
    except BadSignature:
        raise InvalidLink("This sign-in link is not valid.") from None
    try:
        return SignInClaims(
            token_id=str(payload["t"]),
            group_id=int(payload["g"]),
            member_id=int(payload["m"]),
            platform=str(payload["p"]),
            space_external_id=str(payload["s"]),
            actor=dict(payload["a"]),
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidLink("This sign-in link is not valid.") from None
