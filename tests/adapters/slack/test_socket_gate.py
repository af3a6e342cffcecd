"""Malformed Socket Mode envelopes are acknowledged, logged once and dropped (no traceback).

The same shapes the HTTP request gate refuses with 400, pushed over the real Socket Mode
connection to the real bolt app: none may reach a listener, answer anyone, or store a member
with an empty id; the envelope is acknowledged so Slack would not deliver it again.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import text

from bot.db.engine import create_engine
from tests.adapters.slack.support import GENERAL, MEMBER, SlackBot

BUTTON: dict[str, Any] = {
    "type": "block_actions",
    "user": {"id": MEMBER, "username": "ann", "team_id": "T0FAKE"},
    "team": {"id": "T0FAKE", "domain": "study"},
    "trigger_id": "1.2.3",
    "container": {"type": "message", "channel_id": GENERAL},
    "channel": {"id": GENERAL},
    "actions": [{"action_id": "studybot:checkin.done", "action_ts": "1.0", "value": ""}],
}
COMMAND = {
    "team_id": "T0FAKE",
    "user_id": MEMBER,
    "user_name": "ann",
    "channel_id": GENERAL,
    "command": "/done",
    "text": "",
    "trigger_id": "4.5.6",
}

BAD_ENVELOPES: list[tuple[str, Any, str]] = [
    ("interactive", {**BUTTON, "actions": "x"}, "without actions"),
    ("interactive", {**BUTTON, "actions": []}, "without actions"),
    ("interactive", {**BUTTON, "actions": ["x"]}, "action_id"),
    ("interactive", {**BUTTON, "user": {}}, "without a user id"),
    ("interactive", {**BUTTON, "user": {"id": ""}, "team": None}, "without a user id"),
    (
        "interactive",
        {k: v for k, v in BUTTON.items() if k != "team"} | {"user": {"id": "U1"}},
        "without a team id",
    ),
    ("interactive", [1, 2], "not a JSON object"),
    ("interactive", 42, "not a JSON object"),
    ("interactive", "just text", "not a JSON object"),
    ("slash_commands", {**COMMAND, "user_id": ""}, "without user_id"),
    ("slash_commands", {k: v for k, v in COMMAND.items() if k != "team_id"}, "team_id"),
    ("slash_commands", {**COMMAND, "command": "done"}, "without a /command"),
    ("slash_commands", {**COMMAND, "text": ["a"]}, "text is not a string"),
    ("slash_commands", ["/done"], "not a JSON object"),
    ("events_api", {"event": {"type": "app_home_opened"}}, "with a type"),
    ("events_api", [1], "with a type"),
]


@pytest.mark.parametrize(("kind", "payload", "reason"), BAD_ENVELOPES)
async def test_a_malformed_envelope_is_acked_logged_and_dropped(
    slack_socket: SlackBot, caplog: pytest.LogCaptureFixture, kind: str, payload: Any, reason: str
) -> None:
    with caplog.at_level(logging.INFO):
        envelope = await slack_socket.fake.socket_send(kind, payload)
        assert await slack_socket.fake.wait_socket_ack(envelope) == {}
        await slack_socket.settle()
    dropped = [
        r for r in caplog.records if "envelope" in r.getMessage() and "dropped" in r.getMessage()
    ]
    assert len(dropped) == 1 and reason in dropped[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert slack_socket.fake.response_posts() == []
    engine = create_engine(slack_socket.app.settings.database_url)
    try:
        async with engine.connect() as conn:
            for table in ("identities", "inbox", "checkins"):
                count = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                assert count == 0, f"{table} changed"
    finally:
        await engine.dispose()


async def test_a_well_formed_envelope_still_runs(slack_socket: SlackBot) -> None:
    answer = await slack_socket.command("/done", "fine")
    assert answer.post.status == 200
