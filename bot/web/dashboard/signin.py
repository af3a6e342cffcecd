"""Signing in from a one-time link, and signing out.

``GET /dashboard/signin?t=…`` only shows a confirmation button: link previews and
prefetchers follow GET links, and must not burn the one use. ``POST`` checks the
signature and the 10-minute lifetime, re-checks the moderator rule, records the link as
used (refused if it already was, on any instance), opens a session and writes the
sign-in to the group's audit log. Both are rate-limited per client address.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import aiohttp_jinja2
from aiohttp import web

from bot.core.context import CommandContext
from bot.core.models import Invocation, Platform, SpaceRef
from bot.db.repositories import dashboard as dashboard_repo
from bot.features.dashboard import signing_secret
from bot.features.dashboard.tokens import LINK_LIFETIME, InvalidLink, SignInClaims, verify
from bot.web.dashboard.guard import (
    COOKIE,
    IDLE,
    Guard,
    Refused,
    hash_cookie,
    new_cookie_value,
)
from bot.web.dashboard.security import RateLimiter, csrf_ok


@dataclass(frozen=True)
class _Outcome:
    refused: str | None = None
    cookie: str | None = None


class SignIn:
    """The sign-in and sign-out handlers."""

    def __init__(self, guard: Guard, *, secure_cookie: bool) -> None:
        self.guard = guard
        self.secure_cookie = secure_cookie
        self.limiter = RateLimiter(guard.services.clock.now)

    def routes(self, app: web.Application) -> None:
        """Register the routes."""
        app.router.add_get("/dashboard/signin", self.confirm)
        app.router.add_post("/dashboard/signin", self.sign_in)
        app.router.add_post("/dashboard/signout", self.sign_out)

    def _limit(self, request: web.Request) -> None:
        if not self.limiter.allow(request.remote or "?"):
            raise Refused(429, "Too many sign-in attempts from here; wait a minute.")

    async def _claims(self, token: str) -> SignInClaims:
        services = self.guard.services
        async with services.sessions() as session, session.begin():
            secret = await signing_secret(services, session, services.clock.now())
        try:
            return verify(token, secret, services.clock)
        except InvalidLink as exc:
            raise Refused(400, str(exc)) from None

    async def confirm(self, request: web.Request) -> web.Response:
        """Show the sign-in button for a valid link (nothing is used up yet)."""
        self._limit(request)
        token = request.query.get("t", "")
        claims = await self._claims(token)
        return aiohttp_jinja2.render_template(
            "signin.html",
            request,
            {"token": token, "name": claims.actor.get("display_name"), "title": "Sign in"},
        )

    async def sign_in(self, request: web.Request) -> web.Response:
        """Use the link: open a session and go to the group's overview."""
        self._limit(request)
        form = await request.post()
        token = form.get("t")
        if not isinstance(token, str) or not token:
            raise Refused(400, "This sign-in link is not valid.")
        claims = await self._claims(token)
        platform = Platform(claims.platform)
        invocation = Invocation(
            platform=platform,
            space=SpaceRef(platform, claims.space_external_id),
            actor=claims.to_actor(),
            command="admin dashboard",
        )

        async def use(ctx: CommandContext) -> _Outcome:
            if ctx.group.id != claims.group_id or ctx.member.id != claims.member_id:
                return _Outcome(refused="This link belongs to another group or account.")
            if not ctx.is_moderator:
                await ctx.audit("dashboard.signin_refused", reason="not a moderator")
                return _Outcome(refused="The dashboard is for moderators of this group.")
            if not await dashboard_repo.use_token(
                ctx.session, claims.token_id, ctx.group.id, ctx.member.id, ctx.now
            ):
                await ctx.audit("dashboard.signin_refused", reason="link already used")
                return _Outcome(
                    refused="This sign-in link has already been used. "
                    "Run `/admin dashboard` for a new one."
                )
            # Housekeeping on the rare write: a used link's record only matters while the
            # link could still be valid (its signature expires after 10 minutes).
            await dashboard_repo.prune(ctx.session, ctx.now - IDLE, ctx.now - 2 * LINK_LIFETIME)
            cookie = new_cookie_value()
            await dashboard_repo.create_session(
                ctx.session,
                id_hash=hash_cookie(cookie),
                group_id=ctx.group.id,
                member_id=ctx.member.id,
                platform=claims.platform,
                space_external_id=claims.space_external_id,
                actor=claims.actor,
                csrf=secrets.token_urlsafe(24),
                now=ctx.now,
            )
            await ctx.audit(
                "dashboard.signin",
                target=f"member:{ctx.member.id}",
                reason=f"web dashboard from {request.remote or 'unknown address'}",
            )
            return _Outcome(cookie=cookie)

        outcome = await self.guard.dispatcher.in_transaction(invocation, use)
        if outcome.refused or outcome.cookie is None:
            raise Refused(403, outcome.refused or "Sign-in refused.")
        response = web.HTTPSeeOther(f"/dashboard/g/{claims.group_id}/")
        response.set_cookie(
            COOKIE,
            outcome.cookie,
            httponly=True,
            secure=self.secure_cookie,
            samesite="Lax",
            path="/dashboard",
        )
        raise response

    async def sign_out(self, request: web.Request) -> web.Response:
        """End the session (CSRF-checked like every form)."""
        viewer = await self.guard.viewer(request)
        form = await request.post()
        if not csrf_ok(viewer.csrf, form.get("csrf")):
            raise Refused(403, "The form was missing its security token; reload and retry.")
        services = self.guard.services
        async with services.sessions() as session, session.begin():
            await dashboard_repo.end_session(session, viewer.id_hash)
        response = web.HTTPSeeOther("/dashboard/signed-out")
        response.del_cookie(COOKIE, path="/dashboard")
        raise response
