"""Only requests signed by Slack, recently, are acted on (HTTP mode)."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

from bot.core.models import Actor
from tests.adapters.slack.support import ADMIN, GENERAL, MEMBER, SECRET, SlackBot
from tests.fakes.slack_payloads import sign


async def assert_nothing_happened(slack: SlackBot) -> None:
    await slack.settle()
    assert slack.fake.response_posts() == []
    assert [c.method for c in slack.fake.calls()] == ["auth.test"]  # the start-up check only
    assert slack.fake.messages(GENERAL) == []


async def test_wrong_signature_gets_401_and_does_nothing(slack_http: SlackBot) -> None:
    resp = await slack_http.fake.send_slash_command(
        slack_http.url, SECRET, "/challenge", "", MEMBER, bad_signature=True
    )
    assert resp.status == 401
    await assert_nothing_happened(slack_http)


async def test_stale_signature_gets_401_and_does_nothing(slack_http: SlackBot) -> None:
    six_minutes_ago = int(time.time()) - 6 * 60
    resp = await slack_http.fake.send_slash_command(
        slack_http.url, SECRET, "/challenge", "", MEMBER, ts=six_minutes_ago
    )
    assert resp.status == 401
    await assert_nothing_happened(slack_http)


async def test_missing_signature_gets_401_and_does_nothing(slack_http: SlackBot) -> None:
    fields = slack_http.fake.slash_command_payload("/challenge", "", user_id=MEMBER)
    session = slack_http.fake._session
    assert session is not None
    async with session.post(
        slack_http.url,
        data=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as resp:
        assert resp.status == 401
    await assert_nothing_happened(slack_http)


async def test_body_changed_after_signing_gets_401(slack_http: SlackBot) -> None:
    fields = slack_http.fake.slash_command_payload("/admin", "settings", user_id=MEMBER)
    signed = sign(SECRET, urlencode(fields))
    fields["user_id"] = ADMIN  # a forger swaps the user after the signature was made
    session = slack_http.fake._session
    assert session is not None
    async with session.post(
        slack_http.url,
        data=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded", **signed},
    ) as resp:
        assert resp.status == 401
    await assert_nothing_happened(slack_http)


async def test_forged_button_press_does_nothing(slack_http: SlackBot) -> None:
    answer = await slack_http.command("/challenge", "")
    posts_before = len(slack_http.fake.response_posts())
    [message] = slack_http.fake.messages(GENERAL)
    payload = slack_http.fake.block_actions_payload(
        message["blocks"][-1]["elements"][0]["action_id"], message=message, user_id=MEMBER
    )
    resp = await slack_http.fake.send_signed(
        slack_http.url,
        SECRET,
        urlencode({"payload": json.dumps(payload)}),
        "application/x-www-form-urlencoded",
        bad_signature=True,
    )
    assert resp.status == 401
    await slack_http.settle()
    assert len(slack_http.fake.response_posts()) == posts_before
    assert answer.post.status == 200


async def test_url_verification_echoes_the_challenge(slack_http: SlackBot) -> None:
    resp = await slack_http.fake.send_url_verification(slack_http.url, SECRET, "c-42")
    assert resp.status == 200
    assert json.loads(slack_http.fake.inbound()[-1].answer) == {"challenge": "c-42"}


async def test_the_ack_waits_for_no_lookup_and_no_database(slack_http: SlackBot) -> None:
    """Hold every lookup (and so the dispatcher and database) until the ack has arrived."""
    gate = asyncio.Event()
    resolve = slack_http.adapter.resolver.resolve

    async def held(user_id: str, fallback: str) -> Actor:
        await gate.wait()
        return await resolve(user_id, fallback)

    slack_http.adapter.resolver.resolve = held  # type: ignore[method-assign]
    resp = await asyncio.wait_for(
        slack_http.fake.send_slash_command(slack_http.url, SECRET, "/challenge", "", MEMBER), 5
    )
    assert resp.status == 200
    assert slack_http.fake.response_posts() == []  # the work is still held
    gate.set()
    post = await slack_http.fake.wait_for_response_post(
        slack_http.fake.inbound()[-1].response_url_id
    )
    assert post.status == 200


async def test_a_replayed_signed_request_is_acted_on_once(slack_http: SlackBot) -> None:
    """A captured request replayed within the 5-minute window is acknowledged, not re-run."""
    fake = slack_http.fake
    fields = fake.slash_command_payload("/done", "replayed", user_id=MEMBER)
    body = urlencode(fields)
    stamp = int(time.time())
    for _ in range(3):
        resp = await fake.send_signed(
            slack_http.url, SECRET, body, "application/x-www-form-urlencoded", ts=stamp
        )
        assert resp.status == 200
    await fake.wait_for_response_post()
    await slack_http.settle()
    assert len(fake.response_posts()) == 1
