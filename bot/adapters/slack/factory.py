"""Build the Slack adapter from the settings: Socket Mode with an app token, else HTTP mode.

HTTP mode mounts ``POST /slack/events`` on the app's shared HTTP server (the one serving
``/healthz``; port ``STUDYBOT_HTTP_PORT``, 3000 by default). Slash commands, interactivity and
events all use that one URL. Every request passes the request gate (signature over the raw
bytes, then the shapes Slack sends) before bolt, which verifies the signature again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.adapters.kit import AdapterKit
from bot.adapters.slack.adapter import SlackAdapter, SlackConfig
from bot.adapters.slack.manifest import EVENTS_PATH
from bot.adapters.slack.moderators import ModeratorConfig
from bot.adapters.slack.request_gate import check_request

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.web.server import HttpServer

log = logging.getLogger(__name__)


def config_from(settings: Settings) -> SlackConfig:
    """The adapter's configuration; raises ``RuntimeError`` naming what is missing."""
    if settings.slack_bot_token is None or not settings.slack_bot_token.get_secret_value():
        raise RuntimeError("Slack needs SLACK_BOT_TOKEN (the xoxb- token of the installed app)")
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    if not app_token and not secret:
        raise RuntimeError(
            "Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)"
        )
    return SlackConfig(
        bot_token=settings.slack_bot_token.get_secret_value(),
        signing_secret=secret,
        app_token=app_token or None,
        api_url=settings.slack_api_url,
        moderators=ModeratorConfig.parse(settings.slack_moderators),
        stop_grace=max(1.0, settings.shutdown_timeout - 2.0),
    )


def create(kit: AdapterKit) -> SlackAdapter:
    """The Slack adapter from ``kit``; in HTTP mode its route is added to the HTTP server."""
    adapter = SlackAdapter(kit.dispatcher, config_from(kit.settings), pacer=kit.pacer)
    if not adapter.config.socket_mode:
        mount_http(kit.ensure_http(), adapter)
    http = kit.http()
    if http is not None:

        async def ready() -> str | None:
            return None if adapter.ready.is_set() else "Slack is not connected yet"

        http.add_readiness_check("slack", ready)
    return adapter


def mount_http(http: HttpServer, adapter: SlackAdapter) -> None:
    """Serve ``POST /slack/events`` for ``adapter`` on the app's HTTP server."""

    async def slack_events(request: web.Request) -> web.Response:
        adapter.priority.arrived()
        if not adapter.accepting:
            # Slack retries events later; another instance (or this one restarted) takes them.
            return web.Response(status=503, text="shutting down")
        body = await request.read()
        refusal = check_request(request.headers, body, adapter.config.signing_secret)
        if refusal is not None:
            log.warning("Slack request refused (%d): %s", refusal.status, refusal.reason)
            return web.Response(status=refusal.status, text=refusal.reason)
        bolt_request = await to_bolt_request(request)
        bolt_response = await adapter.bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    http.app.router.add_post(EVENTS_PATH, slack_events)
