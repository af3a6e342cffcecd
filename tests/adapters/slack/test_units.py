"""Pure pieces of the Slack adapter: payload translation, delivery keys, caches, settings."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.adapters.slack.cache import SeenKeys, TtlCache
from bot.adapters.slack.factory import config_from
from bot.adapters.slack.moderators import ModeratorConfig
from bot.adapters.slack.priority import AckFirst
from bot.adapters.slack.retries import delivery_key, retry_after_seconds
from bot.adapters.slack.translate import (
    action_of,
    command_invocation,
    in_home_tab,
    unescape,
)
from bot.config import Settings
from bot.core.models import Actor, InvocationKind, Platform


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_command_invocation_keeps_subcommand_text_and_unescapes() -> None:
    body = {
        "team_id": "T1",
        "team_domain": "study",
        "user_id": "U1",
        "user_name": "ann",
        "channel_id": "C1",
        "command": "/Admin",
        "text": "settings note a &lt;b&gt; &amp; <@U2|bob>",
    }
    inv = command_invocation(body, Actor("U1", "Ann"))
    assert inv.platform is Platform.SLACK and inv.kind is InvocationKind.COMMAND
    assert (inv.space.external_id, inv.space.name) == ("T1", "study")
    assert inv.command == "admin" and inv.channel_id == "C1"
    assert inv.text == "settings note a <b> & <@U2|bob>"
    assert unescape("&amp;lt;") == "&lt;"  # only one level of escaping is undone


def test_actions_link_buttons_and_home_container() -> None:
    body = {"actions": [{"action_id": "vote#3", "value": "7"}], "container": {"type": "view"}}
    assert action_of(body) == ("vote", "7")
    assert in_home_tab(body)
    assert action_of({"actions": [{"action_id": "studybot-link#0"}]}) is None
    assert action_of({"actions": [{"action_id": "pick", "selected_option": {"value": "b"}}]}) == (
        "pick",
        "b",
    )
    assert action_of({"actions": []}) is None


def test_delivery_keys_are_stable_across_retries() -> None:
    event = {"event_id": "Ev1", "event": {"type": "app_home_opened"}}
    assert delivery_key(event) == delivery_key(dict(event)) == "event:Ev1"
    click = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "trigger_id": "t1",
        "actions": [{"action_id": "a", "action_ts": "1.2"}],
    }
    other = {**click, "trigger_id": "t2"}
    assert delivery_key(click) != delivery_key(other)
    assert delivery_key({"command": "/help", "trigger_id": "t9", "user_id": "U1"})
    assert delivery_key({"type": "url_verification"}) is None


def test_seen_keys_expire_and_stay_bounded() -> None:
    clock = Clock()
    seen = SeenKeys(ttl=10, max_size=3, clock=clock)
    assert seen.first_time("a") and not seen.first_time("a")
    clock.now = 11
    assert seen.first_time("a")
    cache: TtlCache[int] = TtlCache(ttl=100, max_size=3, clock=clock)
    for i in range(10):
        cache.put(str(i), i)
    assert len(cache) == 3 and cache.get("9") == 9 and cache.get("0") is None


def test_retry_after_header_parsing() -> None:
    assert retry_after_seconds({"Retry-After": ["7"]}) == 7
    assert retry_after_seconds({"retry-after": "2"}) == 2
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds(None) is None


def test_moderator_config_parsing() -> None:
    config = ModeratorConfig.parse("U1, S2  W3,,S4")
    assert config.user_ids == {"U1", "W3"} and config.group_ids == {"S2", "S4"}


def test_config_needs_a_token_and_a_transport(settings: Settings) -> None:
    with pytest.raises(RuntimeError, match="SLACK_BOT_TOKEN"):
        config_from(settings)
    with pytest.raises(RuntimeError, match="SLACK_APP_TOKEN"):
        config_from(settings.model_copy(update={"slack_bot_token": SecretStr("xoxb-1")}))
    socket = config_from(
        settings.model_copy(
            update={"slack_bot_token": SecretStr("xoxb-1"), "slack_app_token": SecretStr("xapp-1")}
        )
    )
    assert socket.socket_mode and socket.api_url == "https://slack.com/api/"


class SteppingClock:
    """A clock that only moves when slept on, with arrivals scripted per sleep."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self.on_sleep: list[object] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.on_sleep:
            hook = self.on_sleep.pop(0)
            if callable(hook):
                hook()


async def test_work_waits_for_a_lull_in_requests() -> None:
    clock = SteppingClock()
    gate = AckFirst(quiet_period=0.02, max_wait=0.5, clock=clock, sleep=clock.sleep)
    await gate.lull()
    assert clock.slept == []  # nothing arrived: no wait
    gate.arrived()
    clock.on_sleep = [gate.arrived]  # one more request arrives during the first wait
    await gate.lull()
    assert clock.slept == [0.02, 0.02]


async def test_a_steady_stream_cannot_starve_work() -> None:
    clock = SteppingClock()
    gate = AckFirst(quiet_period=0.02, max_wait=0.1, clock=clock, sleep=clock.sleep)
    gate.arrived()
    clock.on_sleep = [gate.arrived] * 100
    await gate.lull()
    assert sum(clock.slept) == pytest.approx(0.1)
