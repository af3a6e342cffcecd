"""The moderator web dashboard, served on the bot's HTTP server (off by default).

Turned on with ``STUDYBOT_DASHBOARD=true``; moderators sign in with the one-time link
``/admin dashboard`` gives them (:mod:`bot.features.dashboard`). Pages are rendered on
the server with Jinja2 (``templates/``), charts are inline SVG, and there is no
JavaScript. See ``docs/dashboard.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.core.dispatcher import Dispatcher
from bot.core.services import Services
from bot.features.dashboard import base_url
from bot.web.dashboard.guard import Guard, Refused
from bot.web.dashboard.markup import inline
from bot.web.dashboard.pages import Pages
from bot.web.dashboard.security import PREFIX, add_security_headers
from bot.web.dashboard.signin import SignIn
from bot.web.server import HttpServer

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def install(http: HttpServer, services: Services, dispatcher: Dispatcher) -> None:
    """Add the dashboard's routes, templates and security headers to ``http``."""
    app = http.app
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
    )
    aiohttp_jinja2.get_env(app).filters["md"] = inline
    guard = Guard(services, dispatcher)
    secure = base_url(services.settings).startswith("https://")
    SignIn(guard, secure_cookie=secure).routes(app)
    Pages(guard).routes(app)
    app.router.add_get(PREFIX, _home)
    app.router.add_get(PREFIX + "/", _home)
    app.router.add_get(PREFIX + "/signed-out", _signed_out)
    app.router.add_static(PREFIX + "/static", HERE / "static")
    app.middlewares.append(_refusals)
    app.on_response_prepare.append(add_security_headers)
    log.info("dashboard on at %s/dashboard", base_url(services.settings))


async def _home(request: web.Request) -> web.Response:
    return _message(request, 200, "Run `/admin dashboard` in your group's chat for a sign-in link.")


async def _signed_out(request: web.Request) -> web.Response:
    return _message(request, 200, "You are signed out.")


def _message(request: web.Request, status: int, text: str) -> web.Response:
    response = aiohttp_jinja2.render_template(
        "message.html", request, {"title": "studybot dashboard", "text": text}
    )
    response.set_status(status)
    return response


@web.middleware
async def _refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A :class:`Refused` on a dashboard page becomes a plain error page."""
    if not request.path.startswith(PREFIX):
        return await handler(request)
    try:
        return await handler(request)
    except Refused as refused:
        return _message(request, refused.status, refused.message)
