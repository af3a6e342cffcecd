"""The Slack app manifest is generated from the registry, and the shipped one is current."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.adapters.slack.manifest import BOT_SCOPES, SHIPPED_PATH, build_manifest, render_manifest
from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.core.commands import Param, ParamKind, Registry, Role, Router
from bot.core.models import Reply
from bot.features import all_routers

REGENERATE = f"python -m bot slack manifest --output {SHIPPED_PATH}"


def test_shipped_manifest_matches_the_registry() -> None:
    shipped = (PROJECT_ROOT / SHIPPED_PATH).read_text(encoding="utf-8")
    current = render_manifest(Registry(all_routers()))
    assert shipped == current, (
        f"{SHIPPED_PATH} is out of date with the command registry (a command was added, "
        f"renamed or changed). Regenerate it from the project root with:\n    {REGENERATE}"
    )


def test_one_slash_command_per_top_level_name() -> None:
    registry = Registry(all_routers())
    manifest = build_manifest(registry)
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [f"/{n}" for n in registry.top_level_names()]
    for entry in commands:
        assert entry["description"] and len(entry["description"]) <= 2000
        assert len(entry.get("usage_hint", "")) <= 1000
        assert "url" not in entry  # Socket Mode needs no URLs


async def _reply(ctx: object, **_: object) -> Reply:
    return Reply(text="ok")


def test_usage_hints_and_escaping_come_from_the_specs() -> None:
    router = Router()
    router.command(
        "kudos",
        "Thank a member.",
        params=(
            Param("member", ParamKind.MEMBER, "Who to thank.", required=True),
            Param("why", ParamKind.TEXT, "What for."),
        ),
        examples=("@ann for the review",),
    )(_reply)
    router.command("plain", "No options.")(_reply)
    router.command(
        "pause",
        "Pause posts.",
        group="mod",
        requires=Role.MODERATOR,
        params=(Param("days", ParamKind.INTEGER, "How long."),),
    )(_reply)
    router.command(
        "where",
        "Set the channel.",
        group="mod",
        params=(Param("channel", ParamKind.CHANNEL, "The channel.", required=True),),
    )(_reply)
    entries = {
        c["command"]: c for c in build_manifest(Registry([router]))["features"]["slash_commands"]
    }
    assert entries["/kudos"]["usage_hint"] == "MEMBER [WHY…] (e.g. @ann for the review)"
    assert entries["/kudos"]["should_escape"] is True  # mentions must arrive as <@U…>
    assert "usage_hint" not in entries["/plain"]
    assert entries["/plain"]["should_escape"] is False
    assert entries["/mod"]["usage_hint"] == "SUBCOMMAND [OPTIONS…]"
    assert entries["/mod"]["should_escape"] is True
    assert "pause" in entries["/mod"]["description"]


def test_http_mode_points_everything_at_the_request_url() -> None:
    url = "https://bot.example.org/slack/events"
    manifest = build_manifest(Registry(all_routers()), request_url=url)
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["interactivity"] == {"is_enabled": True, "request_url": url}
    assert settings["event_subscriptions"]["request_url"] == url
    assert all(c["url"] == url for c in manifest["features"]["slash_commands"])


def test_scopes_events_and_home_tab() -> None:
    manifest = build_manifest(Registry(all_routers()))
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_cli_prints_the_shipped_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest"]) == 0
    printed = capsys.readouterr().out
    assert printed == render_manifest(Registry(all_routers()))
    assert yaml.safe_load(printed)["display_information"]["name"] == "studybot"


def test_cli_writes_http_mode_and_rejects_a_bad_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.yaml"
    url = "https://bot.example.org/slack/events"
    assert main(["slack", "manifest", "--request-url", url, "--output", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["settings"]["interactivity"]["request_url"] == url
    assert main(["slack", "manifest", "--request-url", "bot.example.org"]) == 2
    assert "full https:// URL" in capsys.readouterr().err
    # Slack only calls https addresses: an http:// request URL is refused too.
    plain = "http://bot.example.org/slack/events"
    assert main(["slack", "manifest", "--request-url", plain, "--output", str(out)]) == 2
    assert "Slack only calls https addresses" in capsys.readouterr().err
    assert yaml.safe_load(out.read_text())["settings"]["interactivity"]["request_url"] == url
