"""Start-up, the shared HTTP server, bad tokens and shutdown."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from tests.adapters.slack.conftest import start_bot
from tests.adapters.slack.support import MEMBER, SECRET, SlackBot
from tests.fakes.slack_server import FakeSlack


async def test_http_mode_shares_the_health_server(slack_http: SlackBot) -> None:
    base = slack_http.url.rsplit("/slack/events", 1)[0]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as health:
            assert health.status == 200
        async with session.get(f"{base}/readyz") as ready:
            body = await ready.json()
            assert ready.status == 200 and body["checks"]["slack"] == "ok"
    assert len(slack_http.fake.calls("auth.test")) == 1  # once, at start


async def test_requests_during_shutdown_get_503(slack_http: SlackBot) -> None:
    await slack_http.adapter.stop()
    resp = await slack_http.fake.send_slash_command(slack_http.url, SECRET, "/help", "", MEMBER)
    assert resp.status == 503
    assert slack_http.fake.response_posts() == []


async def test_shutdown_waits_for_acknowledged_work(slack_http: SlackBot) -> None:
    gate = asyncio.Event()
    resolve = slack_http.adapter.resolver.resolve

    async def slow(user_id: str, fallback: str):  # type: ignore[no-untyped-def]
        await gate.wait()
        return await resolve(user_id, fallback)

    slack_http.adapter.resolver.resolve = slow  # type: ignore[method-assign]
    resp = await slack_http.fake.send_slash_command(slack_http.url, SECRET, "/help", "", MEMBER)
    assert resp.status == 200
    stopping = asyncio.create_task(slack_http.adapter.stop())
    await asyncio.sleep(0)
    assert not stopping.done()
    gate.set()
    await asyncio.wait_for(stopping, 5)
    [post] = slack_http.fake.response_posts()
    assert post.status == 200  # answered before the connections closed


@pytest.mark.parametrize(
    ("mode", "which"), [("http", "SLACK_BOT_TOKEN"), ("socket", "SLACK_APP_TOKEN")]
)
async def test_a_refused_token_stops_start_with_a_clear_message(
    mode: str,
    which: str,
    settings: Settings,
    clock: FakeClock,
    content_store: ContentStore,
    fake: FakeSlack,
) -> None:
    if which == "SLACK_BOT_TOKEN":
        fake.fail_next("auth.test", error="invalid_auth")
    else:
        fake.fail_next("apps.connections.open", error="invalid_auth")
    with pytest.raises(RuntimeError, match=f"Slack refused {which} \\(invalid_auth\\)"):
        await start_bot(settings, clock, content_store, fake, mode)


def test_settings_choose_the_transport(settings: Settings) -> None:
    from bot.adapters.slack.factory import config_from

    both = settings.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-1"),
            "slack_signing_secret": SecretStr("s"),
            "slack_app_token": SecretStr("xapp-1"),
        }
    )
    assert config_from(both).socket_mode  # an app token wins: no public URL needed


async def test_expired_response_url_falls_back_to_the_web_api(slack_http: SlackBot) -> None:
    gate = asyncio.Event()
    resolve = slack_http.adapter.resolver.resolve

    async def held(user_id: str, fallback: str):  # type: ignore[no-untyped-def]
        await gate.wait()
        return await resolve(user_id, fallback)

    slack_http.adapter.resolver.resolve = held  # type: ignore[method-assign]
    fake = slack_http.fake
    await fake.send_slash_command(slack_http.url, SECRET, "/help", "", MEMBER, response_url_id="r1")
    fake.expire_response_url("r1")
    gate.set()
    call = await fake.wait_for_call("chat.postEphemeral")
    assert call.ok and call.args["user"] == MEMBER
    [refused] = fake.response_posts("r1")
    assert refused.status == 404
    [shown] = fake.ephemerals(user=MEMBER)
    assert "/help" in str(shown["blocks"])
