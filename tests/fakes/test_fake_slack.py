"""Self-test of the fake Slack: the real slack-bolt AsyncApp and slack_sdk clients against it.

No studybot code is involved. HTTP mode is served by bolt's own aiohttp app on 127.0.0.1:0;
Socket Mode uses ``AsyncSocketModeHandler`` + ``connect_async()``. Nothing sleeps: assertions wait
on the fake's condition-driven ``wait_*`` helpers or on events set by the listeners.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_payloads import block_errors, sign, verify
from tests.fakes.slack_server import FakeSlack

SECRET = "test-signing-secret"
ALICE, ADMIN, GENERAL = "U1ALICE", "U2ADMIN", "C1GENERAL"
CHECKIN_BLOCKS = [
    {"type": "section", "block_id": "summary", "text": {"type": "mrkdwn", "text": "Nice work!"}},
    {
        "type": "actions",
        "block_id": "buttons",
        "elements": [
            {
                "type": "button",
                "action_id": "kudos",
                "text": {"type": "plain_text", "text": "Kudos"},
                "value": "checkin-42",
            }
        ],
    },
]
HOME_VIEW = {
    "type": "home",
    "blocks": [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "refresh_home",
                    "text": {"type": "plain_text", "text": "Refresh"},
                    "value": "refresh",
                }
            ],
        }
    ],
}


@dataclass
class BoltUnderTest:
    """The bolt app plus what its listeners observed."""

    app: AsyncApp
    finished: defaultdict[str, asyncio.Event] = field(
        default_factory=lambda: defaultdict(asyncio.Event)
    )
    headers: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    async def wait_finished(self, name: str, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        await asyncio.wait_for(self.finished[name].wait(), timeout)


def build_bolt(fake: FakeSlack, client: AsyncWebClient | None = None) -> BoltUnderTest:
    client = client or AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    app = AsyncApp(client=client, signing_secret=SECRET)
    bolt = BoltUnderTest(app)

    @app.middleware
    async def capture_headers(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        bolt.headers.append(dict(req.headers))
        return await next()

    @app.command("/done")
    async def done(ack: Any, respond: Any, command: dict[str, Any], client: Any) -> None:
        try:
            await ack(f"Got it, <@{command['user_id']}>")
            await respond("Recorded via response_url")
            await client.chat_postMessage(
                channel=command["channel_id"],
                text="Nice work!",
                blocks=CHECKIN_BLOCKS,
                metadata={"event_type": "checkin_recorded", "event_payload": {"id": 42}},
            )
        finally:
            bolt.finished["/done"].set()

    @app.action("kudos")
    async def kudos(ack: Any, body: dict[str, Any], client: Any) -> None:
        try:
            await ack()
            await client.chat_update(
                channel=body["channel"]["id"],
                ts=body["message"]["ts"],
                text=f"Kudos from <@{body['user']['id']}>",
                blocks=[],
            )
        finally:
            bolt.finished["kudos"].set()

    @app.action("refresh_home")
    async def refresh_home(ack: Any, body: dict[str, Any], client: Any) -> None:
        try:
            await ack()
            await client.views_publish(user_id=body["user"]["id"], view=HOME_VIEW)
        finally:
            bolt.finished["refresh_home"].set()

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: Any) -> None:
        try:
            await client.views_publish(user_id=event["user"], view=HOME_VIEW)
        finally:
            bolt.finished["app_home_opened"].set()

    return bolt


@pytest.fixture(autouse=True)
def _no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_user(ALICE, "alice", tz="Europe/Berlin", display_name="Alice")
        fake.add_user(ADMIN, "bob", is_admin=True, tz="America/New_York")
        fake.add_channel(GENERAL, "general")
        yield fake


async def _serve(bolt: BoltUnderTest) -> web.AppRunner:
    runner = web.AppRunner(bolt.app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    bolt.url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    return runner


@pytest.fixture
async def bolt_http(fake: FakeSlack) -> AsyncIterator[BoltUnderTest]:
    bolt = build_bolt(fake)
    runner = await _serve(bolt)
    try:
        yield bolt
    finally:
        await runner.cleanup()


@pytest.fixture
async def bolt_socket(
    fake: FakeSlack,
) -> AsyncIterator[tuple[BoltUnderTest, AsyncSocketModeHandler]]:
    bolt = build_bolt(fake)
    handler = AsyncSocketModeHandler(bolt.app, fake.app_token)
    try:
        await handler.connect_async()
        await fake.wait_socket_connected(1)
        yield bolt, handler
    finally:
        await handler.close_async()


@pytest.fixture
async def web_client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)


# ------------------------------------------------------------------ bolt over HTTP


async def test_slash_command_ack_respond_and_post(
    fake: FakeSlack, bolt_http: BoltUnderTest
) -> None:
    resp = await fake.send_slash_command(bolt_http.url, SECRET, "/done", "day 3", ALICE)

    assert resp.status == 200
    assert await resp.text() == f"Got it, <@{ALICE}>"
    response_url_id = fake.inbound()[-1].response_url_id
    post = await fake.wait_for_response_post(response_url_id)
    assert (post.status, post.answer, post.text) == (200, "ok", "Recorded via response_url")
    call = await fake.wait_for_call("chat.postMessage")
    await bolt_http.wait_finished("/done")

    assert call.ok and call.args["channel"] == GENERAL
    assert call.args["team_id"] == fake.team_id  # bolt's per-request client adds it
    assert call.content_type == "application/json"
    assert call.response["message"]["metadata"]["event_type"] == "checkin_recorded"
    assert len(fake.calls("auth.test")) == 1
    [message] = fake.messages(GENERAL)
    assert message["bot_id"] == fake.bot_id and message["blocks"] == CHECKIN_BLOCKS
    # the ack body and the ephemeral respond() are shown to Alice only (in either order:
    # the listener keeps running after ack(), so respond() may land before the ack is read)
    assert {m["text"] for m in fake.ephemerals(GENERAL, user=ALICE)} == {
        f"Got it, <@{ALICE}>",
        "Recorded via response_url",
    }
    assert len(fake.post_times(GENERAL)) == 1


async def test_block_action_updates_the_message(fake: FakeSlack, bolt_http: BoltUnderTest) -> None:
    await fake.send_slash_command(bolt_http.url, SECRET, "/done", "", ALICE)
    await fake.wait_for_call("chat.postMessage")
    await bolt_http.wait_finished("/done")
    message = fake.messages(GENERAL)[-1]

    resp = await fake.send_block_action(
        bolt_http.url, SECRET, "kudos", message=message, user_id=ADMIN
    )
    assert resp.status == 200
    update = await fake.wait_for_call("chat.update")
    await bolt_http.wait_finished("kudos")

    assert update.ok and update.args["ts"] == message["ts"]
    stored = fake.messages(GENERAL)[-1]
    assert stored["text"] == f"Kudos from <@{ADMIN}>" and "blocks" not in stored
    assert "edited" in stored
    payload = fake.inbound()[-1].payload
    assert payload["actions"][0]["value"] == "checkin-42"
    assert payload["actions"][0]["block_id"] == "buttons"


async def test_bad_signature_is_rejected(fake: FakeSlack, bolt_http: BoltUnderTest) -> None:
    resp = await fake.send_slash_command(bolt_http.url, SECRET, "/done", bad_signature=True)
    assert resp.status == 401
    assert fake.calls() == []


async def test_stale_timestamp_is_rejected(fake: FakeSlack, bolt_http: BoltUnderTest) -> None:
    stale = int(time.time()) - 6 * 60
    resp = await fake.send_slash_command(bolt_http.url, SECRET, "/done", ts=stale)
    assert resp.status == 401
    assert fake.calls() == []


async def test_url_verification(fake: FakeSlack, bolt_http: BoltUnderTest) -> None:
    resp = await fake.send_url_verification(bolt_http.url, SECRET, "challenge-123")
    assert resp.status == 200
    assert await resp.json() == {"challenge": "challenge-123"}
    assert fake.calls("auth.test") == []


async def test_app_home_event_with_retry_headers_then_home_click(
    fake: FakeSlack, bolt_http: BoltUnderTest
) -> None:
    event = fake.app_home_opened_event(ALICE)
    resp = await fake.send_event(
        bolt_http.url, SECRET, event, event_id="Ev0001", retry_num=1, retry_reason="http_timeout"
    )
    assert resp.status == 200
    await fake.wait_for_call("views.publish")
    await bolt_http.wait_finished("app_home_opened")
    assert bolt_http.headers[-1]["x-slack-retry-num"] == ["1"]
    assert bolt_http.headers[-1]["x-slack-retry-reason"] == ["http_timeout"]
    view = fake.home_view(ALICE)
    assert view is not None and view["blocks"] == HOME_VIEW["blocks"]

    resp = await fake.send_block_action(bolt_http.url, SECRET, "refresh_home", view=view)
    assert resp.status == 200
    await fake.wait_for_call("views.publish", count=2)
    await bolt_http.wait_finished("refresh_home")
    assert fake.inbound()[-1].payload["container"] == {"type": "view", "view_id": view["id"]}


async def test_rate_limited_post_is_retried_by_the_retry_handler(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slack_sdk sleeps int(Retry-After) + random(): Retry-After 0 and a zero random keep it instant
    monkeypatch.setattr(builtin_async_handlers, "random", SimpleNamespace(random=lambda: 0.0))
    client = AsyncWebClient(
        token=fake.bot_token,
        base_url=fake.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    bolt = build_bolt(fake, client)
    runner = await _serve(bolt)
    try:
        fake.fail_next("chat.postMessage", status=429, retry_after=0)
        await fake.send_slash_command(bolt.url, SECRET, "/done", "", ALICE)
        ok = await fake.wait_for_call("chat.postMessage", predicate=lambda c: c.ok)
        await bolt.wait_finished("/done")
    finally:
        await runner.cleanup()
    first, second = fake.calls("chat.postMessage")
    assert (first.status, first.error) == (429, "ratelimited")
    assert second is ok
    assert len(fake.messages(GENERAL)) == 1


async def test_rate_limit_without_retry_handler_raises(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await web_client.chat_postMessage(channel=GENERAL, text="hi")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert fake.messages(GENERAL) == []


# ------------------------------------------------------------------ bolt over Socket Mode


async def test_socket_mode_slash_command_is_acked(
    fake: FakeSlack, bolt_socket: tuple[BoltUnderTest, AsyncSocketModeHandler]
) -> None:
    bolt, _ = bolt_socket
    hello = fake.socket_frames("sent")[0].data
    assert hello["type"] == "hello" and hello["connection_info"]["app_id"] == fake.app_id
    payload = fake.slash_command_payload("/done", "socket", user_id=ALICE)

    envelope_id = await fake.socket_send("slash_commands", payload)
    ack = await fake.wait_socket_ack(envelope_id)
    assert ack == {"text": f"Got it, <@{ALICE}>"}
    await fake.wait_for_call("chat.postMessage")
    await fake.wait_for_response_post()
    await bolt.wait_finished("/done")
    assert fake.calls("apps.connections.open")[0].token_kind == "app"
    assert "x-slack-retry-num" not in bolt.headers[-1]


async def test_socket_mode_refresh_requested_reconnects(
    fake: FakeSlack, bolt_socket: tuple[BoltUnderTest, AsyncSocketModeHandler]
) -> None:
    bolt, _ = bolt_socket
    assert await fake.socket_disconnect("refresh_requested") == 1
    await fake.wait_socket_connected(2)
    assert fake.socket_urls_issued == 2
    assert len(fake.calls("apps.connections.open")) == 2

    envelope_id = await fake.socket_send(
        "slash_commands", fake.slash_command_payload("/done", "after refresh", user_id=ALICE)
    )
    assert (await fake.wait_socket_ack(envelope_id))["text"] == f"Got it, <@{ALICE}>"
    assert fake.socket_frames("received")[-1].connection == 2
    await bolt.wait_finished("/done")


async def test_socket_mode_retry_attempt_reaches_bolt_headers(
    fake: FakeSlack, bolt_socket: tuple[BoltUnderTest, AsyncSocketModeHandler]
) -> None:
    bolt, _ = bolt_socket
    envelope_id = await fake.socket_send(
        "events_api",
        fake.event_payload(fake.app_home_opened_event(ALICE)),
        retry_attempt=1,
        retry_reason="timeout",
    )
    assert await fake.wait_socket_ack(envelope_id) == {}
    await fake.wait_for_call("views.publish")
    await bolt.wait_finished("app_home_opened")
    assert bolt.headers[-1]["x-slack-retry-num"] == ["1"]
    assert bolt.headers[-1]["x-slack-retry-reason"] == ["timeout"]


async def test_socket_mode_block_action_over_interactive_envelope(
    fake: FakeSlack,
    bolt_socket: tuple[BoltUnderTest, AsyncSocketModeHandler],
    web_client: AsyncWebClient,
) -> None:
    bolt, _ = bolt_socket
    posted = await web_client.chat_postMessage(channel=GENERAL, text="t", blocks=CHECKIN_BLOCKS)
    payload = fake.block_actions_payload("kudos", message=posted["message"], user_id=ALICE)
    envelope_id = await fake.socket_send("interactive", payload)
    await fake.wait_socket_ack(envelope_id)
    updated = await fake.wait_for_message(GENERAL, predicate=lambda m: "edited" in m)
    await bolt.wait_finished("kudos")
    assert updated["text"] == f"Kudos from <@{ALICE}>"


async def test_server_side_close_makes_the_client_reconnect(
    fake: FakeSlack, bolt_socket: tuple[BoltUnderTest, AsyncSocketModeHandler]
) -> None:
    assert await fake.socket_close() == 1
    await fake.wait_socket_connected(2)
    assert fake.socket_urls_issued == 2


# ------------------------------------------------------------------ Web API semantics


async def test_history_returns_metadata_only_when_asked(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    metadata = {"event_type": "daily_post", "event_payload": {"date": "2026-03-02"}}
    first = await web_client.chat_postMessage(channel=GENERAL, text="one", metadata=metadata)
    await web_client.chat_postMessage(channel=GENERAL, text="two")

    with_meta = await web_client.conversations_history(
        channel=GENERAL, include_all_metadata=True, limit=10
    )
    assert [m["text"] for m in with_meta["messages"]] == ["two", "one"]  # newest first
    assert with_meta["messages"][1]["metadata"] == metadata
    call = fake.calls("conversations.history")[-1]
    assert call.http_method == "GET" and call.args["include_all_metadata"] == "1"

    plain = await web_client.conversations_history(channel=GENERAL)
    assert all("metadata" not in m for m in plain["messages"])

    newer = await web_client.conversations_history(channel=GENERAL, oldest=first["ts"])
    assert [m["text"] for m in newer["messages"]] == ["two"]
    page = await web_client.conversations_history(channel=GENERAL, limit=1)
    assert page["has_more"] is True and page["response_metadata"]["next_cursor"]


async def test_uncertain_post_is_found_in_history(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake.fail_next("chat.postMessage", status=500, commit=True)
    metadata = {"event_type": "daily_post", "event_payload": {"key": "C1/2026-03-02"}}
    with pytest.raises(SlackApiError):
        await web_client.chat_postMessage(channel=GENERAL, text="daily", metadata=metadata)
    history = await web_client.conversations_history(channel=GENERAL, include_all_metadata=True)
    assert [m["metadata"] for m in history["messages"]] == [metadata]


async def test_dropped_connection_is_retried_by_the_connection_error_handler(
    fake: FakeSlack,
) -> None:
    # slack_sdk's default handler is this one with a 0.5 s back-off; zero keeps the test instant
    handler = AsyncConnectionErrorRetryHandler(
        interval_calculator=FixedValueRetryIntervalCalculator(fixed_internal=0)
    )
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url, retry_handlers=[handler])
    fake.fail_next("chat.postMessage", drop=True, commit=True)
    await client.chat_postMessage(channel=GENERAL, text="once?")
    # the message was stored before the drop, and the retry stored it again: a duplicate post
    assert [c.status for c in fake.calls("chat.postMessage")] == [0, 200]
    assert [m["text"] for m in fake.messages(GENERAL)] == ["once?", "once?"]


async def test_auth_and_unknown_method_errors(fake: FakeSlack) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=fake.api_url)
    with pytest.raises(SlackApiError) as info:
        await wrong.auth_test()
    assert info.value.response["error"] == "invalid_auth"
    app_token = AsyncWebClient(token=fake.app_token, base_url=fake.api_url)
    with pytest.raises(SlackApiError) as info:
        await app_token.chat_postMessage(channel=GENERAL, text="x")
    assert info.value.response["error"] == "not_allowed_token_type"
    bot = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    with pytest.raises(SlackApiError) as info:
        await bot.apps_connections_open(app_token=fake.bot_token)
    assert info.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as info:
        await bot.api_call("chat.postMessagee", json={"channel": GENERAL, "text": "x"})
    assert info.value.response.status_code == 200
    assert info.value.response["error"] == "unknown_method"
    assert "Authorization" not in fake.calls()[-1].headers


async def test_channel_membership_and_dms(fake: FakeSlack, web_client: AsyncWebClient) -> None:
    fake.add_channel("C2OUTSIDE", "outside", bot_is_member=False)
    fake.add_channel("G3SECRET", "secret", bot_is_member=False, is_private=True)
    for channel, error in [
        ("C2OUTSIDE", "not_in_channel"),
        ("G3SECRET", "channel_not_found"),
        ("C404", "channel_not_found"),
    ]:
        with pytest.raises(SlackApiError) as info:
            await web_client.chat_postMessage(channel=channel, text="x")
        assert info.value.response["error"] == error

    joined = await web_client.conversations_join(channel="C2OUTSIDE")
    assert joined["channel"]["is_member"] is True
    await web_client.chat_postMessage(channel="C2OUTSIDE", text="now I can")

    with pytest.raises(SlackApiError) as info:
        await web_client.chat_postMessage(channel=fake.dm_channel(ALICE), text="x")
    assert info.value.response["error"] == "channel_not_found"  # DM not opened yet
    opened = await web_client.conversations_open(users=ALICE)
    dm = opened["channel"]["id"]
    assert dm == fake.dm_channel(ALICE)
    await web_client.chat_postMessage(channel=dm, text="psst")
    assert [m["text"] for m in fake.messages(ALICE)] == ["psst"]
    info_im = await web_client.conversations_info(channel=dm)
    assert info_im["channel"]["is_im"] is True and info_im["channel"]["user"] == ALICE

    fake.block_dms(ADMIN)
    await web_client.conversations_open(users=ADMIN)
    with pytest.raises(SlackApiError) as info:
        await web_client.chat_postMessage(channel=fake.dm_channel(ADMIN), text="x")
    assert info.value.response["error"] == "messages_tab_disabled"
    with pytest.raises(SlackApiError) as info:
        await web_client.conversations_open(users=fake.bot_user_id)
    assert info.value.response["error"] == "cannot_dm_bot"


async def test_users_groups_members_and_ephemeral(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    user = (await web_client.users_info(user=ADMIN))["user"]
    assert user["is_admin"] is True and user["is_owner"] is False
    assert user["tz"] == "America/New_York" and user["tz_offset"] in (-18000, -14400)
    assert user["profile"]["display_name"] == "bob" and user["real_name"] == "Bob"
    with pytest.raises(SlackApiError) as info:
        await web_client.users_info(user="U404")
    assert info.value.response["error"] == "user_not_found"

    fake.add_usergroup("S1MENTORS", "mentors", [ADMIN])
    group = await web_client.usergroups_users_list(usergroup="S1MENTORS")
    assert group["users"] == [ADMIN]

    members = await web_client.conversations_members(channel=GENERAL)
    assert set(members["members"]) == {ALICE, ADMIN, fake.bot_user_id}

    fake.add_channel("C5SMALL", "small", members=[ADMIN])
    with pytest.raises(SlackApiError) as info:
        await web_client.chat_postEphemeral(channel="C5SMALL", user=ALICE, text="x")
    assert info.value.response["error"] == "user_not_in_channel"
    sent = await web_client.chat_postEphemeral(channel="C5SMALL", user=ADMIN, text="only you")
    assert fake.ephemerals("C5SMALL", user=ADMIN)[0]["ts"] == sent["message_ts"]


async def test_form_encoded_bodies_and_block_validation(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    await web_client.api_call(
        "chat.postMessage",
        data={"channel": GENERAL, "text": "form", "blocks": json.dumps(CHECKIN_BLOCKS)},
    )
    call = fake.calls("chat.postMessage")[-1]
    assert call.content_type == "application/x-www-form-urlencoded"
    assert call.args["blocks"] == CHECKIN_BLOCKS

    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError) as info:
        await web_client.chat_postMessage(channel=GENERAL, text="x", blocks=too_long)
    assert info.value.response["error"] == "invalid_blocks"
    assert "/blocks/0/text/text" in info.value.response["errors"][0]
    assert block_errors([{"type": "divider"}] * 51)


async def test_response_url_allows_five_posts(fake: FakeSlack) -> None:
    url = fake.response_url("r1", channel_id=GENERAL, user_id=ALICE)
    async with aiohttp.ClientSession() as session:
        statuses = []
        for i in range(6):
            async with session.post(url, json={"text": f"#{i}"}) as resp:
                statuses.append((resp.status, await resp.text()))
    assert statuses[:5] == [(200, "ok")] * 5 and statuses[5] == (404, "used_url")
    assert len(fake.response_posts("r1")) == 6


async def test_post_rate_limit_and_pacing_record(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake.limit_post_rate(1.0, burst=2, retry_after=1)
    await web_client.chat_postMessage(channel=GENERAL, text="1")
    await web_client.chat_postMessage(channel=GENERAL, text="2")
    with pytest.raises(SlackApiError) as info:
        await web_client.chat_postMessage(channel=GENERAL, text="3")
    assert info.value.response.status_code == 429
    times = fake.post_times(GENERAL)
    assert len(times) == 2 and times[0] <= times[1]


def test_sign_matches_slack_sdk_verifier() -> None:
    body = "token=x&command=%2Fdone"
    headers = sign(SECRET, body)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert verify(SECRET, body, headers)
    assert not verify(SECRET, body + "&tampered=1", headers)
