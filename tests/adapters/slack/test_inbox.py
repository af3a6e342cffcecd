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
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from bot.adapters.slack.intake import NOT_STORED
from bot.adapters.slack.late import RECORDED
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.dispatcher import KEPT
from bot.db.engine import create_engine
from tests.adapters.database import rows
from tests.adapters.slack.conftest import start_bot
from tests.adapters.slack.support import GENERAL, MEMBER, SECRET, SlackBot
from tests.fakes.slack_server import FakeSlack

ROOT = Path(__file__).resolve().parents[3]
PEOPLE = [f"U9P{i:03d}" for i in range(12)]
# The held work is cancelled before it starts, so its coroutine is never awaited.
HELD = "ignore:coroutine 'InboundWork.command' was never awaited:RuntimeWarning"


def documented() -> str:
    """docs/inbox.md with its line breaks folded, to find the messages it quotes."""
    return " ".join((ROOT / "docs" / "inbox.md").read_text(encoding="utf-8").split())


def documented_late_answer() -> str:
    """The direct message shown in docs/inbox.md's "What members see after a crash"."""
    doc = (ROOT / "docs" / "inbox.md").read_text(encoding="utf-8")
    block = doc.split("```text\n", 1)[1].split("```", 1)[0]
    return "\n".join(line.strip() for line in block.strip().splitlines())


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
    await slack.app.inbox.flush()
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
        await again.app.inbox.flush()
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
        # Exactly the example docs/inbox.md shows (bold marks aside).
        assert message["text"].replace("*", "") == documented_late_answer()
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


async def test_with_the_database_unreachable_the_member_is_told_at_once(
    slack: SlackBot,
) -> None:
    assert slack.app.inbox is not None
    await slack.app.inbox.stop()  # as if the database had gone away
    fields = slack.fake.slash_command_payload("/done", "not kept", user_id=MEMBER)
    if slack.mode == "http":
        resp = await slack.fake.send_signed(
            slack.url, SECRET, urlencode(fields), "application/x-www-form-urlencoded"
        )
        assert resp.status == 200
        ack = slack.fake.inbound()[-1].answer
    else:
        envelope = await slack.fake.socket_send("slash_commands", dict(fields))
        ack = (await slack.fake.wait_socket_ack(envelope))["text"]
    await slack.settle()
    assert ack == NOT_STORED
    assert " ".join(NOT_STORED.split()) in documented()
    assert slack.fake.response_posts() == []
    assert await rows(slack.app.settings, "SELECT count(*) FROM checkins") == [(0,)]


async def test_a_command_arriving_while_draining_is_kept_and_answered_after_restart(
    slack_http: SlackBot, settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fake = slack_http.fake
    assert slack_http.app.dispatcher is not None
    assert await slack_http.app.dispatcher.drain(1)  # SIGTERM has begun
    fields = fake.slash_command_payload("/done", "during the restart", user_id=MEMBER)
    rid = fields["response_url"].rsplit("/", 1)[-1]
    assert await send_command(slack_http, fields) == 200
    first = await fake.wait_for_response_post(rid)
    assert first.body["text"] == KEPT and " ".join(KEPT.split()) in documented()
    await slack_http.settle()
    await slack_http.app.stop()
    assert await rows(settings, "SELECT status FROM inbox") == [("pending",)]

    clock.advance(timedelta(seconds=settings.inbox_lease + 1))
    again = await start_bot(settings, clock, content_store, fake, "http")
    try:
        second = await fake.wait_for_response_post(rid, count=2, timeout=10)
        assert "checked in" in second.body["text"]
        assert await rows(settings, "SELECT note FROM checkins") == [("during the restart",)]
    finally:
        await again.app.stop()


async def test_a_check_in_recorded_before_a_crash_is_confirmed(
    slack_http: SlackBot, settings: Settings, clock: FakeClock, content_store: ContentStore
) -> None:
    fake = slack_http.fake
    answer = await slack_http.command("/done", "written by the writer")
    await slack_http.settle()
    await slack_http.app.stop()
    # As if the check-in writer had committed and the process died before the dispatcher.
    engine = create_engine(settings.database_url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE inbox SET status = 'recorded', reply = NULL"))
    await engine.dispose()

    clock.advance(timedelta(seconds=settings.inbox_lease + 1))
    again = await start_bot(settings, clock, content_store, fake, "http")
    try:
        second = await fake.wait_for_response_post(answer.post.id, count=2, timeout=10)
        assert second.body["text"] == RECORDED
        assert await rows(settings, "SELECT count(*) FROM checkins") == [(1,)]
    finally:
        await again.app.stop()


async def test_a_passing_database_failure_is_retried_not_apologised_for(
    settings: Settings,
    clock: FakeClock,
    content_store: ContentStore,
    fake: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.db.engine.SQLITE_BUSY_TIMEOUT_MS", 50)  # give up on locks fast
    bot = await start_bot(settings, clock, content_store, fake, "http")
    try:
        gate = asyncio.Event()

        async def lull() -> None:
            await gate.wait()

        bot.adapter.priority.lull = lull  # type: ignore[method-assign]
        fields = fake.slash_command_payload("/done", "despite the lock", user_id=MEMBER)
        rid = fields["response_url"].rsplit("/", 1)[-1]
        assert await send_command(bot, fields) == 200
        blocker = create_engine(settings.database_url)
        async with blocker.connect() as conn:
            await conn.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds the lock
            gate.set()
            await bot.settle()
            await conn.exec_driver_sql("ROLLBACK")
        await blocker.dispose()
        assert fake.response_posts(rid) == []  # no apology, nothing changed
        assert await rows(settings, "SELECT status FROM inbox") == [("pending",)]

        clock.advance(timedelta(seconds=settings.inbox_lease + 1))
        assert bot.app.recovery is not None
        await bot.app.recovery.sweep()
        await bot.settle()
        [post] = fake.response_posts(rid)
        assert "checked in" in post.body["text"]
        assert await rows(settings, "SELECT note FROM checkins") == [("despite the lock",)]
    finally:
        await bot.app.stop()


async def test_a_retry_routed_to_another_instance_is_processed_once(
    settings: Settings, clock: FakeClock, content_store: ContentStore, fake: FakeSlack
) -> None:
    """Two instances behind a load balancer share the database, so they share the dedupe:
    Slack's retry of a command reaching the second instance is acknowledged, not run again."""
    first = await start_bot(
        settings.model_copy(update={"instance_id": "a"}), clock, content_store, fake, "http"
    )
    second = await start_bot(
        settings.model_copy(update={"instance_id": "b"}), clock, content_store, fake, "http"
    )
    try:
        fields = fake.slash_command_payload("/done", "once", user_id=MEMBER)
        rid = fields["response_url"].rsplit("/", 1)[-1]
        assert await send_command(first, fields) == 200
        await fake.wait_for_response_post(rid)
        assert await send_command(second, fields) == 200  # the retry, on the other instance
        await first.settle()
        await second.settle()
        assert len(fake.response_posts(rid)) == 1
        assert len(await rows(first.app.settings, "SELECT * FROM checkins")) == 1
        assert len(await rows(first.app.settings, "SELECT * FROM inbox")) == 1
    finally:
        await second.app.stop()
        await first.app.stop()
