"""Tokens and the signing secret never reach the logs, even with every logger at DEBUG."""

from __future__ import annotations

import logging

import pytest

from bot.adapters.slack.redact import SDK_LOGGER, SecretRedactor
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Destination, Platform, Reply
from tests.adapters.slack.conftest import start_bot
from tests.adapters.slack.support import ADMIN, APP_TOKEN, BOT_TOKEN, GENERAL, SECRET
from tests.fakes.slack_server import FakeSlack

SECRETS = (BOT_TOKEN, APP_TOKEN, SECRET)


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_no_secret_in_debug_logs(
    mode: str,
    caplog: pytest.LogCaptureFixture,
    settings: Settings,
    clock: FakeClock,
    content_store: ContentStore,
    fake: FakeSlack,
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = await start_bot(settings, clock, content_store, fake, mode)
    try:
        await bot.command("/help", "", user=ADMIN)
        await bot.command("/admin", "settings", user=ADMIN)
        fake.fail_next("chat.postMessage", status=429, retry_after=0)
        await bot.adapter.send(
            Destination(Platform.SLACK, fake.team_id, channel_id=GENERAL),
            Reply(text="hello"),
            idempotency_key="k1",
        )
        fake.fail_next("users.info", error="invalid_auth")
        bot.adapter.resolver.forget(ADMIN)
        await bot.command("/help", "", user=ADMIN)
    finally:
        await bot.app.stop()
    sdk_debug = [r for r in caplog.records if r.name.startswith((SDK_LOGGER, "slack_"))]
    assert any(r.levelno == logging.DEBUG for r in sdk_debug), "the SDKs should log at DEBUG"
    for record in caplog.records:
        text = record.getMessage()
        for secret in SECRETS:
            assert secret not in text, f"{record.name} logged a secret: {text[:200]}"
    for secret in SECRETS:
        assert secret not in caplog.text


def test_redactor_hides_token_shapes_and_configured_secrets() -> None:
    redactor = SecretRedactor(["my-signing-secret"])
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "t=%s s=%s", ("xoxb-123-abc", "my-signing-secret"), None
    )
    assert redactor.filter(record)
    assert record.getMessage() == "t=[redacted] s=[redacted]"
    assert redactor.redact("xapp-1-A2-3 and xoxp-9") == "[redacted] and [redacted]"
