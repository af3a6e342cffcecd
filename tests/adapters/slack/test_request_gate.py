"""Malformed, forged or odd requests to /slack/events get 401/400 and one log line."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import pytest

from bot.adapters.slack.request_gate import check_request
from tests.adapters.slack.support import MEMBER, SECRET, SlackBot

FORM = "application/x-www-form-urlencoded"


def sign(secret: str, body: bytes, ts: int | None = None) -> dict[str, str]:
    """Slack's v0 signature over raw bytes (the fake's helper only signs text)."""
    stamp = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def _signed(body: bytes, content_type: str = FORM, ts: int | None = None) -> dict[str, str]:
    return {"Content-Type": content_type, **sign(SECRET, body, ts)}


def _command(**overrides: str) -> bytes:
    fields = {"command": "/challenge", "text": "", "user_id": MEMBER, "team_id": "T1"}
    fields.update(overrides)
    return urlencode(fields).encode()


def _interaction(payload: object) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


BUTTON = {
    "type": "block_actions",
    "user": {"id": MEMBER},
    "team": {"id": "T1"},
    "actions": [{"action_id": "x"}],
}


def _unsigned_or_forged() -> list[tuple[dict[str, str], bytes, str]]:
    """Built when a test runs: a signature made at import would be stale in a slow run."""
    return [
        ({"Content-Type": FORM}, _command(), "unsigned"),
        (
            {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": "soon",
                "X-Slack-Signature": "v0=1",
            },
            _command(),
            "timestamp is not a number",
        ),
        (
            {"Content-Type": FORM, "X-Slack-Request-Timestamp": "١٢٣", "X-Slack-Signature": "v0=1"},
            _command(),
            "timestamp is not a number",
        ),
        (_signed(_command(), ts=int(time.time()) - 3600), _command(), "stale timestamp"),
        ({**_signed(b"other"), "Content-Type": FORM}, _command(), "bad signature"),
        ({**_signed(b"\xff\xfe"), "X-Slack-Signature": "v0=\u00e9"}, b"\xff\xfe", "bad signature"),
    ]


UNSIGNED_OR_FORGED = range(len(_unsigned_or_forged()))

SIGNED_BUT_MALFORMED = [
    (b"\xff\xfe\x00binary", FORM, "body is not UTF-8"),
    (_command(), FORM + "; charset=latin-1", "unsupported charset"),
    (_command(), "text/plain", "unsupported content type"),
    (b"<xml/>", "application/xml", "unsupported content type"),
    (b"{not json", "application/json", "body is not JSON"),
    (b"[1, 2]", "application/json", "not a JSON object"),
    (urlencode({"payload": "x"}).encode(), FORM, "payload is not JSON"),
    (_interaction([1]), FORM, "not a JSON object"),
    (_interaction({**BUTTON, "actions": "x"}), FORM, "without actions"),
    (_interaction({**BUTTON, "actions": []}), FORM, "without actions"),
    (_interaction({**BUTTON, "actions": ["x"]}), FORM, "action_id"),
    (_interaction({**BUTTON, "user": {}}), FORM, "without a user id"),
    (_interaction({**BUTTON, "user": {"id": "  "}}), FORM, "without a user id"),
    (_interaction({**BUTTON, "user": "U1ANN"}), FORM, "without a user id"),
    (_interaction({**BUTTON, "team": None}), FORM, "without a team id"),
    (_interaction({**BUTTON, "team": {"id": ""}}), FORM, "without a team id"),
    (_command(user_id=""), FORM, "without user_id"),
    (_command(team_id=""), FORM, "without user_id or team_id"),
    (_command(command="challenge"), FORM, "without a /command"),
    (_command(command="/"), FORM, "without a /command"),
    (b"just=words", FORM, "neither a command nor an interaction"),
]


@pytest.mark.parametrize("case", UNSIGNED_OR_FORGED)
def test_unsigned_or_forged_is_401(case: int) -> None:
    headers, body, reason = _unsigned_or_forged()[case]
    refusal = check_request(headers, body, SECRET)
    assert refusal is not None and refusal.status == 401 and reason in refusal.reason


@pytest.mark.parametrize(("body", "content_type", "reason"), SIGNED_BUT_MALFORMED)
def test_signed_but_malformed_is_400(body: bytes, content_type: str, reason: str) -> None:
    refusal = check_request(_signed(body, content_type), body, SECRET)
    assert refusal is not None and refusal.status == 400 and reason in refusal.reason


def test_what_slack_sends_passes() -> None:
    for body, content_type in (
        (_command(), FORM),
        (_command(), FORM + "; charset=utf-8"),
        (_interaction(BUTTON), FORM),
        (_interaction({**BUTTON, "team": None, "user": {"id": MEMBER, "team_id": "T1"}}), FORM),
        (json.dumps({"type": "url_verification", "challenge": "c"}).encode(), "application/json"),
    ):
        assert check_request(_signed(body, content_type), body, SECRET) is None


async def test_every_bad_request_is_refused_over_http_without_a_traceback(
    slack_http: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    session = slack_http.fake._session
    assert session is not None
    cases = [(h, b, 401) for h, b, _ in _unsigned_or_forged()] + [
        (_signed(b, ct), b, 400) for b, ct, _ in SIGNED_BUT_MALFORMED
    ]
    with caplog.at_level(logging.WARNING):
        for headers, body, status in cases:
            async with session.post(slack_http.url, data=body, headers=headers) as resp:
                assert resp.status == status, (headers, body, await resp.text())
    await slack_http.settle()
    assert slack_http.fake.response_posts() == []
    assert [c.method for c in slack_http.fake.calls()] == ["auth.test"]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    refused = [r for r in caplog.records if "Slack request refused" in r.getMessage()]
    assert len(refused) == len(cases)
