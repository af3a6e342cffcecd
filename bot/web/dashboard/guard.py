"""Who is asking: the session cookie, its idle expiry, and moderator rights per request.

Each request finds its session row by the hash of the cookie, refuses it after 12 h
without activity, refuses any group but the session's own, and then runs the page inside
:meth:`Dispatcher.in_transaction` with the moderator's stored platform description: the
very code path (and moderator rule) every chat command goes through, so a moderator whose
role was removed from ``moderator_roles`` is refused on their next click.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from aiohttp import web

from bot.core.context import CommandContext
from bot.core.dispatcher import Dispatcher
from bot.core.models import Invocation, Platform, SpaceRef
from bot.core.services import Services
from bot.db.repositories import dashboard as dashboard_repo
from bot.features.dashboard.tokens import actor_from

T = TypeVar("T")

COOKIE = "studybot_dashboard"
IDLE = timedelta(hours=12)
# Activity is written at most this often: a page view is then a read, not a write.
TOUCH_EVERY = timedelta(minutes=1)


class Refused(Exception):
    """The request may not see the page; ``status`` and a message for the error page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Viewer:
    """The signed-in moderator of a request."""

    id_hash: str
    group_id: int
    member_id: int
    platform: str
    space_external_id: str
    actor: dict[str, object]
    csrf: str

    def invocation(self, command: str = "admin dashboard") -> Invocation:
        """An invocation as the moderator's platform would have sent it."""
        platform = Platform(self.platform)
        return Invocation(
            platform=platform,
            space=SpaceRef(platform, self.space_external_id),
            actor=actor_from(dict(self.actor)),
            command=command,
        )


def hash_cookie(value: str) -> str:
    """What is stored of a cookie value."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_cookie_value() -> str:
    """A fresh unguessable session cookie value."""
    return secrets.token_urlsafe(32)


class Guard:
    """Authenticates requests and runs pages as the signed-in moderator."""

    def __init__(self, services: Services, dispatcher: Dispatcher) -> None:
        self.services = services
        self.dispatcher = dispatcher

    async def viewer(self, request: web.Request) -> Viewer:
        """The request's session, or :class:`Refused` (401) when absent or idle too long."""
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            raise Refused(401, "You are not signed in. Run `/admin dashboard` in chat for a link.")
        id_hash = hash_cookie(cookie)
        now = self.services.clock.now()
        async with self.services.sessions() as session, session.begin():
            row = await dashboard_repo.load_session(session, id_hash)
            expired = row is not None and now - row.last_seen_at > IDLE
            if row is not None and expired:
                await dashboard_repo.end_session(session, id_hash)
            elif row is not None and now - row.last_seen_at >= TOUCH_EVERY:
                await dashboard_repo.touch_session(session, id_hash, now)
        if row is None:
            raise Refused(401, "Your session has ended. Run `/admin dashboard` for a new link.")
        if expired:
            raise Refused(401, "Your session expired after 12 hours idle. Sign in again.")
        return Viewer(
            id_hash=id_hash,
            group_id=row.group_id,
            member_id=row.member_id,
            platform=row.platform,
            space_external_id=row.space_external_id,
            actor=dict(row.actor),
            csrf=row.csrf,
        )

    async def run(
        self,
        request: web.Request,
        page: Callable[[CommandContext, Viewer], Awaitable[T]],
    ) -> T:
        """Run ``page`` for the URL's group as the signed-in moderator, or refuse."""
        viewer = await self.viewer(request)
        try:
            group_id = int(request.match_info["group"])
        except (KeyError, ValueError):
            raise Refused(404, "No such page.") from None
        if group_id != viewer.group_id:
            # Never reveal whether the other group exists.
            raise Refused(403, "This page belongs to another group's dashboard.")

        async def checked(ctx: CommandContext) -> T:
            if ctx.group.id != viewer.group_id or ctx.member.id != viewer.member_id:
                raise Refused(403, "Your account is no longer in this group.")
            if not ctx.is_moderator:
                raise Refused(403, "You are no longer a moderator of this group.")
            return await page(ctx, viewer)

        return await self.dispatcher.in_transaction(viewer.invocation(), checked)
