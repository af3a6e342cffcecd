"""One aiohttp server per process, shared by health checks, metrics and Slack HTTP mode.

Components add their routes while the app is being built (before :meth:`HttpServer.start`,
because aiohttp freezes the router once it runs). ``/metrics`` serves
:data:`bot.metrics.REGISTRY` in the Prometheus text format.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client.exposition import choose_encoder

from bot import __version__, metrics

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[str | None]]


class HttpServer:
    """An aiohttp application with a start/stop lifecycle and readiness checks.

    ``/healthz`` answers 200 while the process is alive. ``/readyz`` runs every
    registered readiness check; each returns ``None`` when fine or a short reason.
    ``/metrics`` is the Prometheus scrape endpoint.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.app = web.Application()
        self._runner: web.AppRunner | None = None
        self._checks: dict[str, ReadinessCheck] = {}
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/readyz", self._readyz)
        self.app.router.add_get("/metrics", self._metrics)

    def add_readiness_check(self, name: str, check: ReadinessCheck) -> None:
        """Register a check that ``/readyz`` runs (database, adapters, content...)."""
        self._checks[name] = check

    @property
    def bound_port(self) -> int:
        """The port actually bound (useful when started with port 0 in tests)."""
        if self._runner is None:
            return self.port
        for site in self._runner.sites:
            server = getattr(site, "_server", None)
            if server is not None and server.sockets:
                return int(server.sockets[0].getsockname()[1])
        return self.port

    async def start(self) -> None:
        """Bind and serve."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        log.info("HTTP server listening on %s:%s", self.host, self.bound_port)

    async def stop(self) -> None:
        """Stop serving and close connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": __version__})

    async def _readyz(self, _request: web.Request) -> web.Response:
        problems: dict[str, str] = {}
        for name, check in self._checks.items():
            try:
                reason = await check()
            except Exception as exc:  # a failing check means "not ready", not a crash
                reason = f"{type(exc).__name__}: {exc}"
            if reason:
                problems[name] = reason
        status = 503 if problems else 200
        body = {
            "status": "not ready" if problems else "ready",
            "checks": {name: problems.get(name, "ok") for name in self._checks},
        }
        return web.json_response(body, status=status)

    async def _metrics(self, request: web.Request) -> web.Response:
        # prometheus_client picks the format the scraper asks for (plain text or
        # OpenMetrics) and the matching content type.
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        # The content type carries parameters (version, charset), which aiohttp's
        # content_type= argument refuses; set the header as is.
        return web.Response(body=encode(metrics.REGISTRY), headers={"Content-Type": content_type})
