"""The durable inbox on Slack: stored before the ack, processed once, finished after a crash.

Real bolt (HTTP and Socket Mode) against the loopback fake. A "crash" here stops the work
behind the acks from ever running (it waits on a gate that never opens), then cancels it
and stops the app: the database is left as a ``kill -9`` after the acks leaves it (the
benchmark ``benchmarks/crash_checkins.py`` does the real kill). A new app on the same
SQLite file must then run every stored command once and answer it.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.db.engine import create_engine
from tests.adapters.slack.conftest import start_bot
from tests.adapters.slack.support import GENERAL, MEMBER, SECRET, SlackBot
from tests.fakes.slack_server import FakeSlack

PEOPLE = [f"U9P{i:03d}" for i in range(12)]
# The held work is cancelled before it starts, so its coroutine is never awaited.
HELD = "ignore:coroutine 'InboundWork.command' was never awaited:RuntimeWarning"


async def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    """Rows of ``sql`` on the test database (a separate engine, as an operator would)."""
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()


async def send_command(bot: SlackBot, fields: dict[str, str]) -> int:
    """Deliver one slash command payload over the bot's transport; returns the ack status."""
    if bot.mode == "http":
        resp = await bot.fake.send_signed(
            bot.url, SECRET, urlencode(fields), "application/x-www-form-urlencoded"
        )
        return resp.status
    envelope = await bot.fake.socket_send("slash_commands", dict(fields))
    await bot.fake.wait_socket_ack(envelope)
    return 200


def hold_work(bot: SlackBot) -> None:
    """Acks go out, but the work behind them never starts (a gate that never opens)."""
    never = asyncio.Event()

    async def lull() -> None:
        await never.wait()

    bot.adapter.priority.lull = lull  # type: ignore[method-assign]


async def crash(bot: SlackBot) -> None:
    """Cancel the held work and stop: nothing after the acks ran."""
    for task in list(bot.adapter._tasks):
        task.cancel()
    await asyncio.gather(*bot.adapter._tasks, return_exceptions=True)
    await bot.app.stop()


async def test_a_command_is_stored_answered_and_marked(slack: SlackBot) -> None:
    answer = await slack.command("/done", "wrote the inbox")
    await slack.settle()
    assert answer.ack_status == 200
    await slack.app.require_services().extras["inbox"].flush()
    stored = await rows(slack.app.settings, "SELECT status, summary, kind FROM inbox")
    assert stored == [("answered", "/done wrote the inbox", "command")]
    assert len(await rows(slack.app.settings, "SELECT * FROM checkins")) == 1


async def test_a_redelivered_command_is_processed_once(slack: SlackBot) -> None:
    fields = slack.fake.slash_command_payload("/done", "twice?", user_id=MEMBER)
    rid = fields["response_url"].rsplit("/", 1)[-1]
    assert await send_command(slack, fields) == 200
    assert await send_command(slack, fields) == 200  # same trigger_id: a redelivery
    await slack.fake.wait_for_response_post(rid)
    await slack.settle()
    assert len(slack.fake.response_posts(rid)) == 1
    assert len(await rows(slack.app.settings, "SELECT * FROM checkins")) == 1
    assert len(await rows(slack.app.settings, "SELECT * FROM inbox")) == 1


async def test_a_redelivered_click_is_processed_once(slack: SlackBot) -> None:
    answer = await slack.command("/challenge", "")
    await slack.settle()
    [posted] = slack.fake.messages(GENERAL)
    done_button = next(
        e["action_id"]
        for b in posted["blocks"]
        for e in b.get("elements", [])
        if e.get("type") == "button" and "done" in e["action_id"]
    )
    payload = await slack.click(done_button, message=posted)
    await slack.click(done_button, payload=payload, retry_num=1)
    await slack.settle()
    assert answer.post.status == 200
    assert len(await rows(slack.app.settings, "SELECT * FROM checkins")) == 1
    kinds = await rows(slack.app.settings, "SELECT kind FROM inbox ORDER BY kind")
    assert kinds == [("action",), ("command",)]


@pytest.mark.filterwarnings(HELD)
async def test_commands_acked_before_a_crash_are_run_once_and_answered_after_restart(
    slack: SlackBot, settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fake: FakeSlack = slack.fake
    for person in PEOPLE:
        fake.add_user(person, person.lower())
    hold_work(slack)
    rids = []
    for person in PEOPLE:
        fields = fake.slash_command_payload("/done", f"note of {person}", user_id=person)
        rids.append(fields["response_url"].rsplit("/", 1)[-1])
        assert await send_command(slack, fields) == 200
    await crash(slack)
    assert fake.response_posts() == []  # nobody was answered before the crash
    assert await rows(settings, "SELECT count(*) FROM checkins") == [(0,)]

    clock.advance(timedelta(seconds=settings.inbox_lease + 1))  # the dead process's lease
    again = await start_bot(settings, clock, content_store, fake, slack.mode)
    try:
        assert again.app.recovery is not None
        await asyncio.wait_for(again.app.recovery.first_sweep.wait(), 10)
        for rid in rids:
            post = await fake.wait_for_response_post(rid)
            assert post.status == 200 and "something went wrong" not in json.dumps(post.body)
        await again.settle()
        await again.app.require_services().extras["inbox"].flush()
        # Each member's check-in is stored once, for the day they sent it.
        stored = await rows(settings, "SELECT local_date, note FROM checkins ORDER BY note")
        assert stored == sorted((str(clock.now().date()), f"note of {p}") for p in PEOPLE)
        assert all(len(fake.response_posts(rid)) == 1 for rid in rids)
        assert await rows(settings, "SELECT DISTINCT status FROM inbox") == [("answered",)]
        # A second sweep finds nothing left to do.
        assert await again.app.recovery.sweep() == 0
    finally:
        await again.app.stop()


@pytest.mark.filterwarnings(HELD)
async def test_past_the_response_url_window_the_member_gets_a_direct_message(
    slack_http: SlackBot, settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fake = slack_http.fake
    hold_work(slack_http)
    fields = fake.slash_command_payload("/done", "late but kept", user_id=MEMBER)
    assert await send_command(slack_http, fields) == 200
    await crash(slack_http)

    clock.advance(timedelta(minutes=31))
    again = await start_bot(settings, clock, content_store, fake, "http")
    try:
        assert again.app.recovery is not None
        await asyncio.wait_for(again.app.recovery.first_sweep.wait(), 10)
        await again.settle()
        message = await fake.wait_for_message(MEMBER)
        assert "Before I restarted, you sent `/done late but kept`" in message["text"]
        assert fake.response_posts() == []
        # Counted for the day it was sent, not the day it was processed.
        assert await rows(settings, "SELECT note FROM checkins") == [("late but kept",)]
    finally:
        await again.app.stop()


async def test_a_processed_but_unanswered_command_is_answered_with_what_was_recorded(
    slack_http: SlackBot, settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fake = slack_http.fake
    answer = await slack_http.command("/done", "answered once")
    await slack_http.settle()
    await slack_http.app.stop()
    # As if the process died after committing but before sending its answer.
    engine = create_engine(settings.database_url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE inbox SET status = 'done'"))
    await engine.dispose()

    clock.advance(timedelta(seconds=settings.inbox_lease + 1))
    again = await start_bot(settings, clock, content_store, fake, "http")
    try:
        assert again.app.recovery is not None
        await asyncio.wait_for(again.app.recovery.first_sweep.wait(), 10)
        second = await fake.wait_for_response_post(answer.post.id, count=2)
        assert answer.post.body["text"].split("\n")[0] in second.body["text"]
        assert await rows(settings, "SELECT count(*) FROM checkins") == [(1,)]
    finally:
        await again.app.stop()
