"""``/admin dashboard``: a one-time link that signs a moderator in to the web dashboard.

The dashboard itself (pages, sessions) is :mod:`bot.web.dashboard`; this feature only
mints links, so nothing here depends on the web layer.
"""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.core.commands import Role, Router
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.core.services import Services
from bot.db.repositories import dashboard as dashboard_repo
from bot.db.sessions import Session
from bot.features.dashboard.tokens import new_claims, sign

ORDER = 905

router = Router()


def base_url(settings: Settings) -> str:
    """The public base URL links point at (``STUDYBOT_DASHBOARD_URL`` or localhost)."""
    if settings.dashboard_url:
        return settings.dashboard_url.rstrip("/")
    return f"http://localhost:{settings.http_port or 3000}"


async def signing_secret(services: Services, session: Session, now: datetime) -> str:
    """``STUDYBOT_DASHBOARD_SECRET`` or the key kept in the database."""
    secret = services.settings.dashboard_secret
    if secret is not None:
        return secret.get_secret_value()
    return await dashboard_repo.signing_key(session, now)


@router.command(
    "dashboard",
    "Get a one-time link that signs you in to the web dashboard (valid 10 minutes).",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
)
async def admin_dashboard(ctx: CommandContext) -> Reply:
    """Mint a sign-in link bound to this moderator and group."""
    settings = ctx.services.settings
    if not settings.dashboard:
        raise UserError(
            "The web dashboard is off. The bot's operator turns it on with "
            "`STUDYBOT_DASHBOARD=true` (see docs/dashboard.md)."
        )
    invocation = ctx.invocation
    claims = new_claims(
        ctx.group.id,
        ctx.member.id,
        invocation.platform.value,
        invocation.space.external_id,
        invocation.actor,
    )
    secret = await signing_secret(ctx.services, ctx.session, ctx.now)
    link = f"{base_url(settings)}/dashboard/signin?t={sign(claims, secret, ctx.services.clock)}"
    return Reply(
        title="Dashboard sign-in",
        text=f"{link}\nThis link works once, for 10 minutes, and only for you. "
        "Don't share it: it signs in as you.",
        metadata={"dashboard_link": link},
        ephemeral=True,
    )
