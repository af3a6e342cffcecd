"""A crash between claiming an answer (``answering``) and marking it ``answered``, on Slack.

Real bolt over HTTP against the loopback fake, a real SQLite file and its migrations. Two
crash points: between the claim and the send (the answer never left), and between the send
and the mark (it arrived). After the restart nothing is lost; a public answer (posted
``in_channel`` through the ``response_url`` with the entry's key as message metadata) is
found in the channel's history and never sent twice; a private answer, which nothing can
read back, is sent once more headed with the notice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.adapters.slack.late import AGAIN
from bot.adapters.slack.respond import ANSWER_EVENT_TYPE, ReplySender
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from tests.adapters.database import rows
from tests.adapters.slack.conftest import start_bot
from tests.adapters.slack.support import GENERAL, MEMBER, SECRET, SlackBot
from tests.fakes.slack_server import FakeSlack


async def restart(
    bot: SlackBot, settings: Settings, clock: FakeClock, content: ContentStore, fake: FakeSlack
) -> SlackBot:
    """Stop (the crash already happened), let the lease run out, start again, first sweep."""
    await bot.app.stop()
    clock.advance(timedelta(seconds=settings.inbox_lease + 1))
    again = await start_bot(settings, clock, content, fake, "http")
    assert again.app.recovery is not None and again.app.inbox is not None
    await asyncio.wait_for(again.app.recovery.first_sweep.wait(), 10)
    await again.settle()
    await again.app.inbox.flush()
    return again


def never_marked(bot: SlackBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies right after the answer went out: ``answered`` is never stored."""
    assert bot.app.inbox is not None
    monkeypatch.setattr(bot.app.inbox, "answered", lambda key: None)


async def test_a_public_answer_that_arrived_is_found_and_not_sent_again(
    slack_http: SlackBot,
    settings: Settings,
    clock: FakeClock,
    content_store: ContentStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = slack_http.fake
    never_marked(slack_http, monkeypatch)
    answer = await slack_http.command("/done", "answered before the crash")
    await slack_http.settle()
    assert answer.post.status == 200 and answer.post.body["response_type"] == "in_channel"
    [key] = await rows(settings, "SELECT key FROM inbox")
    assert answer.post.body["metadata"] == {
        "event_type": ANSWER_EVENT_TYPE,
        "event_payload": {"inbox_key": key[0]},
    }
    assert await rows(settings, "SELECT status FROM inbox") == [("answering",)]

    again = await restart(slack_http, settings, clock, content_store, fake)
    try:
        assert again.app.recovery is not None and again.app.recovery.uncertain == 1
        assert len(fake.response_posts(answer.post.id)) == 1  # found in #general: not re-sent
        assert [m["text"] for m in fake.messages(GENERAL)] == [answer.post.body["text"]]
        assert fake.messages(MEMBER) == []
        assert await rows(settings, "SELECT status FROM inbox") == [("answered",)]
        assert await rows(settings, "SELECT count(*) FROM checkins") == [(1,)]
    finally:
        await again.app.stop()


async def test_an_answer_the_crash_stopped_before_it_left_is_sent_after_restart(
    slack_http: SlackBot,
    settings: Settings,
    clock: FakeClock,
    content_store: ContentStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = slack_http.fake
    sending = asyncio.Event()

    async def dies_while_sending(self: ReplySender, url: str, payload: dict[str, Any]) -> bool:
        sending.set()
        await asyncio.Event().wait()  # the process is killed here
        return False

    with monkeypatch.context() as patched:
        patched.setattr(ReplySender, "_post_response_url", dies_while_sending)
        fields = fake.slash_command_payload("/done", "claimed, never sent", user_id=MEMBER)
        rid = fields["response_url"].rsplit("/", 1)[-1]
        resp = await fake.send_signed(
            slack_http.url, SECRET, urlencode(fields), "application/x-www-form-urlencoded"
        )
        assert resp.status == 200
        await asyncio.wait_for(sending.wait(), 10)
        for task in list(slack_http.adapter._tasks):
            task.cancel()
        await asyncio.gather(*slack_http.adapter._tasks, return_exceptions=True)
    assert await rows(settings, "SELECT status FROM inbox") == [("answering",)]
    assert fake.response_posts(rid) == []

    again = await restart(slack_http, settings, clock, content_store, fake)
    try:
        [post] = fake.response_posts(rid)  # not lost
        assert post.status == 200
        assert post.body["text"].startswith(AGAIN.strip()) and "checked in" in post.body["text"]
        assert post.body["response_type"] == "ephemeral"
        assert await rows(settings, "SELECT status FROM inbox") == [("answered",)]
        assert await rows(settings, "SELECT count(*) FROM checkins") == [(1,)]
    finally:
        await again.app.stop()


async def test_a_private_answer_is_repeated_once_with_the_notice(
    slack_http: SlackBot,
    settings: Settings,
    clock: FakeClock,
    content_store: ContentStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = slack_http.fake
    first = await slack_http.command("/done", "first")
    await slack_http.settle()
    assert slack_http.app.inbox is not None
    await slack_http.app.inbox.flush()
    never_marked(slack_http, monkeypatch)
    second = await slack_http.command("/done", "second, same day")
    await slack_http.settle()
    assert second.post.body["response_type"] == "ephemeral"  # "Already counted": private
    assert "metadata" not in second.post.body

    again = await restart(slack_http, settings, clock, content_store, fake)
    try:
        assert len(fake.response_posts(first.post.id)) == 1
        original, repeat = fake.response_posts(second.post.id)
        assert "Already counted" in original.body["text"]
        # Slack cannot show whether a private answer arrived: it comes once more, saying so.
        assert repeat.body["text"].startswith(AGAIN.strip())
        assert "Already counted" in repeat.body["text"]
        assert repeat.body["response_type"] == "ephemeral"
        assert await rows(settings, "SELECT DISTINCT status FROM inbox") == [("answered",)]
    finally:
        await again.app.stop()
