"""Small pure pieces of the Discord adapter: custom ids, shard ids, error mapping, choices."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.adapters.base import DirectMessagesClosed
from bot.adapters.discord.client import client_options, parse_shard_ids
from bot.adapters.discord.commands import option_description, to_choices
from bot.adapters.discord.sending import nonce_for, to_send_error
from bot.adapters.discord.views import build_view, custom_id, parse_custom_id
from bot.config import Settings
from bot.core.commands import Param, ParamKind
from bot.core.models import Button, ButtonStyle


def test_custom_ids_round_trip_with_and_without_a_guild() -> None:
    button = Button("Done", action_id="checkin.done", value="c-12:extra")
    assert custom_id(button) == "sb:checkin.done:c-12:extra"
    press = parse_custom_id("sb:checkin.done:c-12:extra")
    assert press is not None and (press.action_id, press.value, press.space_id) == (
        "checkin.done", "c-12:extra", None,
    )  # fmt: skip
    dm = parse_custom_id(custom_id(button, "900000000000000001") or "")
    assert dm is not None and dm.space_id == "900000000000000001" and dm.value == "c-12:extra"
    assert parse_custom_id("legacy:thing") is None


def test_a_value_too_long_for_discord_leaves_the_button_out() -> None:
    long = Button("Next", action_id="board.page", value="x" * 95)
    assert custom_id(long) is None
    view = build_view((long, Button("Docs", url="https://example.com/docs")))
    assert view is not None
    [item] = view.children
    assert isinstance(item, discord.ui.Button) and item.url == "https://example.com/docs"
    assert build_view((long,)) is None


def test_button_styles_and_labels() -> None:
    view = build_view((Button("A" * 120, action_id="x.y", value="1", style=ButtonStyle.DANGER),))
    assert view is not None
    [item] = view.children
    assert isinstance(item, discord.ui.Button)
    assert item.style is discord.ButtonStyle.danger and len(item.label or "") == 80
    assert not view.is_dispatchable()  # never kept in discord.py's view store


def test_shard_ids() -> None:
    assert parse_shard_ids(None, 4) is None
    assert parse_shard_ids("0, 2", 4) == [0, 2]
    assert parse_shard_ids("1-3", 4) == [1, 2, 3]
    for bad, count in (("4", 4), ("x", 4), ("0", None), ("2-1", 4)):
        with pytest.raises(ValueError):
            parse_shard_ids(bad, count)


def test_client_options_are_minimal() -> None:
    options: dict[str, Any] = client_options(Settings(discord_shards=4, discord_shard_ids="2-3"))
    intents: discord.Intents = options["intents"]
    assert intents.value == discord.Intents(guilds=True).value
    assert not (intents.members or intents.presences or intents.message_content)
    assert options["member_cache_flags"].value == 0
    assert options["chunk_guilds_at_startup"] is False
    assert (options["shard_count"], options["shard_ids"]) == (4, [2, 3])
    assert "shard_count" not in client_options(Settings())


def _http_error(cls: type[discord.HTTPException], status: int, code: int) -> Exception:
    class Response:
        def __init__(self) -> None:
            self.status = status
            self.reason = "x"

    return cls(Response(), {"code": code, "message": "nope"})  # type: ignore[arg-type]


def test_errors_map_to_the_adapter_contract() -> None:
    assert isinstance(
        to_send_error(_http_error(discord.Forbidden, 403, 50007)), DirectMessagesClosed
    )
    denied = to_send_error(_http_error(discord.Forbidden, 403, 50013))
    assert denied.permanent and denied.code == "50013"
    server = to_send_error(_http_error(discord.DiscordServerError, 503, 0))
    assert not server.permanent and server.code == "503"
    invalid = to_send_error(_http_error(discord.HTTPException, 400, 50035))
    assert invalid.permanent and invalid.code == "50035"
    limited = to_send_error(discord.RateLimited(90.0))
    assert limited.retry_after == 90.0 and not limited.permanent
    network = to_send_error(OSError("connection reset"))
    assert not network.permanent and network.code == "network"


def test_nonces_are_short_stable_and_distinct() -> None:
    assert nonce_for("post:1") == nonce_for("post:1")
    assert len({nonce_for("post:1"), nonce_for("post:1", 1), nonce_for("post:2")}) == 3
    assert all(len(nonce_for(k * 50)) <= 25 for k in "abc")


def test_choices_and_descriptions() -> None:
    values = ["a", "x" * 101, "b", *[str(i) for i in range(40)]]
    choices = to_choices(values)
    assert len(choices) == 25 and choices[0].value == "a" and choices[1].value == "b"
    assert [c.value for c in to_choices(["3", "three", "5"], integer=True)] == [3, 5]
    day = Param("day", ParamKind.DATE, "The day to excuse.")
    assert option_description(day) == "The day to excuse. (YYYY-MM-DD)"
    full = Param("day", ParamKind.DATE, "d" * 95)
    assert option_description(full) == "d" * 95


def test_the_invite_asks_for_manage_roles_only_with_role_rewards() -> None:
    from urllib.parse import parse_qs, urlparse

    from bot.adapters.discord.invite import invite_url

    plain = parse_qs(urlparse(invite_url(1)).query)["permissions"]
    roles = parse_qs(urlparse(invite_url(1, role_rewards=True)).query)["permissions"]
    assert plain == ["19456"] and roles == [str(19456 | 1 << 28)]
