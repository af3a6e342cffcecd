"""/healthz, /readyz and /metrics through real HTTP requests to a started app."""

from __future__ import annotations

import json
from importlib.metadata import version

import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Platform
from tests.ops.conftest import HttpApp, started
from tests.support.fake_adapter import FakeAdapter
from tests.support.harness import BotHarness


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


async def test_healthz_answers_while_alive(http_app: HttpApp) -> None:
    status, content_type, body = await http_app.get("/healthz")
    assert status == 200
    assert content_type.startswith("application/json")
    assert json.loads(body) == {"status": "ok", "version": version("studybot")}


async def test_readyz_reports_every_check_ok(http_app: HttpApp) -> None:
    status, _, body = await http_app.get("/readyz")
    assert status == 200, body
    assert json.loads(body) == {
        "status": "ready",
        "checks": {"database": "ok", "adapters": "ok", "content": "ok", "accepting": "ok"},
    }


async def test_metrics_count_a_command_by_name_and_outcome(http_app: HttpApp) -> None:
    _, _, before = await http_app.get("/metrics")
    reply = await http_app.command("/help")
    assert reply  # /help answered
    await http_app.command("/nonsense")
    status, content_type, after = await http_app.get("/metrics")
    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4")
    ok = {"command": "help", "outcome": "ok"}
    assert (
        sample(after, "studybot_commands_total", **ok)
        == sample(before, "studybot_commands_total", **ok) + 1
    )
    unknown = {"command": "nonsense", "outcome": "user_error"}
    assert (
        sample(after, "studybot_commands_total", **unknown)
        == sample(before, "studybot_commands_total", **unknown) + 1
    )
    latency = {"command": "help"}
    assert (
        sample(after, "studybot_command_seconds_count", **latency)
        == sample(before, "studybot_command_seconds_count", **latency) + 1
    )


async def test_metrics_name_every_operational_series(http_app: HttpApp) -> None:
    _, _, text = await http_app.get("/metrics")
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {
        "studybot_commands",
        "studybot_command_seconds",
        "studybot_checkins",
        "studybot_posts",
        "studybot_scheduler_lateness_seconds",
        "studybot_platform_rate_limited",
        "studybot_event_loop_lag_seconds",
    } <= names


async def test_metrics_speak_openmetrics_when_asked(http_app: HttpApp) -> None:
    status, content_type, text = await http_app.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert status == 200
    assert content_type.startswith("application/openmetrics-text")
    assert text.rstrip().endswith("# EOF")


class LateAdapter(FakeAdapter):
    """Connects only when the test says so (like a gateway still handshaking)."""

    async def start(self) -> None:
        self.started = True


async def test_readyz_fails_until_every_adapter_is_connected(
    http_settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    adapter = LateAdapter(Platform.CONSOLE)
    async with started(http_settings, clock, content_store, adapter) as running:
        status, _, body = await running.get("/readyz")
        assert status == 503
        assert json.loads(body)["checks"]["adapters"] == "console not connected yet"
        assert (await running.get("/healthz"))[0] == 200  # alive, just not ready
        adapter.ready.set()
        assert (await running.get("/readyz"))[0] == 200
        adapter.closed.set()
        status, _, body = await running.get("/readyz")
        assert status == 503 and json.loads(body)["checks"]["adapters"] == "console closed"


async def test_readyz_fails_once_shutdown_begins(http_app: HttpApp) -> None:
    assert http_app.app.dispatcher is not None
    assert await http_app.app.dispatcher.drain(timeout=1)
    status, _, body = await http_app.get("/readyz")
    assert status == 503
    assert json.loads(body)["checks"]["accepting"] == "shutting down"


@pytest.mark.postgres
async def test_readyz_fails_when_the_database_is_gone(
    postgres_url: str, http_settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    settings = http_settings.model_copy(
        update={"database_url_override": postgres_url, "auto_migrate": True}
    )
    async with started(settings, clock, content_store) as running:
        assert (await running.get("/readyz"))[0] == 200
        name = postgres_url.rsplit("/", 1)[1]
        admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="test")
        try:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await admin.close()
        status, _, body = await running.get("/readyz")
        assert status == 503
        checks = json.loads(body)["checks"]
        assert checks["database"].startswith("unreachable:"), checks
        assert checks["adapters"] == "ok"
        assert (await running.get("/healthz"))[0] == 200


async def test_no_http_server_means_no_probe_and_no_checks(bot: BotHarness) -> None:
    assert bot.app.http is None
    assert bot.services.loop_lag is None
