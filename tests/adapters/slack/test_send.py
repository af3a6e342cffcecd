"""Proactive posts: Block Kit with metadata, rate limits, no double posts, error mapping."""

from __future__ import annotations

import pytest

from bot import metrics
from bot.adapters.base import DirectMessagesClosed, SendError
from bot.core.models import Button, Destination, Platform, Reply
from bot.scheduling.delivery import Delivery
from bot.scheduling.pacing import Pacer, PacingPolicy, Rate
from tests.adapters.slack.support import GENERAL, MEMBER, SlackBot

POST = Reply(
    title="Challenge for Monday",
    text="Build a **cache**.",
    buttons=(Button("Done", action_id="checkin.done", value="c-1"),),
    metadata={"kind": "challenge"},
)


def to_channel(channel: str = GENERAL) -> Destination:
    return Destination(Platform.SLACK, "T0FAKE", channel_id=channel)


def rate_limited_total() -> float:
    return metrics.RATE_LIMITED.labels(platform="slack")._value.get()


async def test_post_carries_blocks_and_the_idempotency_metadata(slack_http: SlackBot) -> None:
    ref = await slack_http.adapter.send(to_channel(), POST, idempotency_key="post-1")
    [call] = slack_http.fake.calls("chat.postMessage")
    assert call.ok and ref.message_id == call.response["ts"] and ref.channel_id == GENERAL
    assert call.args["metadata"] == {
        "event_type": "studybot_post",
        "event_payload": {"kind": "challenge", "key": "post-1"},
    }
    assert call.args["text"].startswith("Challenge for Monday")
    assert call.args["blocks"][0]["type"] == "header"
    assert "*cache*" in str(call.args["blocks"])


async def test_retry_of_an_uncertain_post_finds_it_instead_of_posting_twice(
    slack_http: SlackBot,
) -> None:
    fake = slack_http.fake
    # Slack stores the message, but the answer is lost: the sender cannot know it worked.
    fake.fail_next("chat.postMessage", status=500, commit=True)
    with pytest.raises(SendError) as failed:
        await slack_http.adapter.send(to_channel(), POST, idempotency_key="post-2")
    assert failed.value.permanent is False
    ref = await slack_http.adapter.send(to_channel(), POST, idempotency_key="post-2")
    [stored] = fake.messages(GENERAL)
    assert ref.message_id == stored["ts"]
    assert len(fake.calls("chat.postMessage")) == 1
    assert fake.calls("conversations.history")[-1].args["include_all_metadata"] in (
        True,
        "true",
        "1",
    )


async def test_a_different_key_is_a_new_post(slack_http: SlackBot) -> None:
    await slack_http.adapter.send(to_channel(), POST, idempotency_key="post-3")
    await slack_http.adapter.send(to_channel(), POST, idempotency_key="post-4")
    assert len(slack_http.fake.messages(GENERAL)) == 2


async def test_429_is_retried_after_retry_after_and_counted(slack_http: SlackBot) -> None:
    before = rate_limited_total()
    slack_http.fake.fail_next("chat.postMessage", status=429, retry_after=0)
    await slack_http.adapter.send(to_channel(), POST, idempotency_key="post-5")
    first, second = slack_http.fake.calls("chat.postMessage")
    assert (first.status, second.status) == (429, 200)
    assert len(slack_http.fake.messages(GENERAL)) == 1
    assert rate_limited_total() == before + 1


async def test_persistent_429_reaches_the_caller_with_the_wait(slack_http: SlackBot) -> None:
    slack_http.fake.fail_next("chat.postMessage", status=429, retry_after=120)
    with pytest.raises(SendError) as failed:
        await slack_http.adapter.send(to_channel(), POST)
    assert failed.value.retry_after == 120
    assert failed.value.permanent is False
    assert len(slack_http.fake.calls("chat.postMessage")) == 1  # too long to wait in-line


class CountingPacer(Pacer):
    """The one pacer, counting the slots reserved."""

    def __init__(self, policy: PacingPolicy) -> None:
        super().__init__(policy)
        self.acquired = 0

    async def acquire(self, destination: Destination) -> float:
        self.acquired += 1
        return await super().acquire(destination)


async def test_posts_to_one_channel_are_paced_once(slack_http: SlackBot) -> None:
    fake = slack_http.fake
    fake.limit_post_rate(0.2, burst=1, retry_after=5)  # faster than 5/s/channel gets a 429
    # One pacer for the process: Delivery reserves the slot, the adapter's send does not.
    pacer = CountingPacer(PacingPolicy(slack_channel=Rate(1 / 0.3)))
    slack_http.adapter.poster.pacer = pacer
    delivery = Delivery(slack_http.adapter, pacer)
    for key in ("p-1", "p-2", "p-3"):
        await delivery.send(to_channel(), Reply(text=key), key=key)
    calls = fake.calls("chat.postMessage")
    assert [c.status for c in calls] == [200, 200, 200]
    assert pacer.acquired == 3


async def test_what_the_adapter_sends_on_its_own_is_paced(slack_http: SlackBot) -> None:
    fake = slack_http.fake
    fake.limit_post_rate(0.2, burst=1, retry_after=5)
    pacer = CountingPacer(PacingPolicy(slack_channel=Rate(1 / 0.3)))
    slack_http.adapter.poster.pacer = pacer
    for key in ("l-1", "l-2"):  # late answers use the sender's paced send
        await slack_http.adapter.poster.send(to_channel(), Reply(text=key), key)
    assert [c.status for c in fake.calls("chat.postMessage")] == [200, 200]
    assert pacer.acquired == 2


async def test_direct_message_opens_the_conversation(slack_http: SlackBot) -> None:
    ref = await slack_http.adapter.send(
        Destination(Platform.SLACK, "T0FAKE", user_id=MEMBER), Reply(text="Reminder")
    )
    [opened] = slack_http.fake.calls("conversations.open")
    assert opened.args["users"] == MEMBER
    assert ref.channel_id == slack_http.fake.dm_channel(MEMBER)
    assert [m["text"] for m in slack_http.fake.messages(MEMBER)] == ["Reminder"]


@pytest.mark.parametrize("on", ["post", "open"])
async def test_closed_direct_messages(slack_http: SlackBot, on: str) -> None:
    slack_http.fake.block_dms(MEMBER, on=on)
    with pytest.raises(DirectMessagesClosed) as closed:
        await slack_http.adapter.send(
            Destination(Platform.SLACK, "T0FAKE", user_id=MEMBER), Reply(text="Reminder")
        )
    assert closed.value.permanent and closed.value.code == "messages_tab_disabled"


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("missing", "channel_not_found"),
        ("archived", "is_archived"),
        ("not_member", "not_in_channel"),
    ],
)
async def test_permanent_channel_errors(slack_http: SlackBot, setup: str, code: str) -> None:
    fake = slack_http.fake
    channel = "C9OTHER"
    if setup != "missing":
        fake.add_channel(
            channel, "other", is_archived=setup == "archived", bot_is_member=setup != "not_member"
        )
    with pytest.raises(SendError) as failed:
        await slack_http.adapter.send(to_channel(channel), POST, idempotency_key=f"k-{setup}")
    assert failed.value.permanent is True
    assert failed.value.code == code


async def test_server_errors_are_transient(slack_http: SlackBot) -> None:
    slack_http.fake.fail_next("chat.postMessage", status=503)
    with pytest.raises(SendError) as failed:
        await slack_http.adapter.send(to_channel(), POST)
    assert failed.value.permanent is False and failed.value.code == "http_503"
