"""The Slack app manifest, generated from the command registry.

Create the Slack app from this manifest (api.slack.com/apps → *Create New App* → *From a
manifest*), so the slash commands Slack shows are exactly the ones the bot serves. The shipped
``deploy/slack-manifest.yaml`` is ``studybot slack manifest``'s output; a test fails when it
drifts from the registry.

Bot scopes, each for one thing the bot does:

- ``commands``: the slash commands.
- ``chat:write``: answers, daily posts, reminders; ``chat.update`` for buttons.
- ``chat:write.public``: post the daily challenge in a public channel without being invited.
- ``im:write``: open a direct message for reminders (``conversations.open``).
- ``files:write``: send a moderator's export (CSV) to their direct messages.
- ``users:read``: names, timezones and the admin/owner flags that make a moderator.
- ``usergroups:read``: user groups named as moderators (``STUDYBOT_SLACK_MODERATORS``,
  ``moderator_roles``).
- ``channels:history``, ``groups:history``, ``im:history``: read our own recent posts'
  metadata before re-sending one whose first attempt had an uncertain outcome, so a retry never
  posts twice (public channels, private channels and DMs respectively).
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.core.commands import CommandSpec, ParamKind, Registry

APP_NAME = "studybot"
APP_DESCRIPTION = "Daily backend challenges, streaks and a 12-month roadmap for your study group."
LONG_DESCRIPTION = (
    "studybot posts a backend-development challenge every day on your group's schedule, in your "
    "group's timezone. Members check in with /done and keep streaks that are fair across "
    "timezones; /roadmap walks a 12-month learning plan, /project suggests real projects with "
    "milestones, and moderators get leaderboards, schedule health and audited settings. The Home "
    "tab shows your streak, today's challenge and your place on the leaderboard."
)
BACKGROUND_COLOR = "#1d3557"
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "files:write",
    "users:read",
    "usergroups:read",
    "channels:history",
    "groups:history",
    "im:history",
)
BOT_EVENTS = ("app_home_opened",)
EVENTS_PATH = "/slack/events"
HEADER = (
    "# Slack app manifest for studybot, generated from the command registry.\n"
    "# Do not edit by hand: regenerate with `studybot slack manifest --output {path}`.\n"
    "# Socket Mode by default; `--request-url https://HOST/slack/events` for HTTP mode.\n"
)
SHIPPED_PATH = "deploy/slack-manifest.yaml"
DESCRIPTION_MAX = 2000
USAGE_HINT_MAX = 1000


def build_manifest(
    registry: Registry, *, request_url: str | None = None, name: str = APP_NAME
) -> dict[str, Any]:
    """The manifest as a dict: Socket Mode, or HTTP mode when ``request_url`` is given."""
    commands = [_slash_command(registry, top, request_url) for top in registry.top_level_names()]
    event_subscriptions: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if request_url:
        event_subscriptions = {"request_url": request_url, **event_subscriptions}
        interactivity["request_url"] = request_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name[:35],
            "description": APP_DESCRIPTION,
            "long_description": LONG_DESCRIPTION,
            "background_color": BACKGROUND_COLOR,
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": name[:80], "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": request_url is None,
            "token_rotation_enabled": False,
        },
    }


def render_manifest(
    registry: Registry, *, request_url: str | None = None, name: str = APP_NAME
) -> str:
    """The manifest as YAML, with a header saying how it was made."""
    manifest = build_manifest(registry, request_url=request_url, name=name)
    body = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(path=SHIPPED_PATH) + body


def _slash_command(registry: Registry, top: str, request_url: str | None) -> dict[str, Any]:
    specs = registry.group_commands(top) if registry.is_group(top) else [registry.get(top)]
    found = [s for s in specs if s is not None]
    if registry.is_group(top):
        names = ", ".join(s.name for s in found)
        description = f"{top.capitalize()} commands: {names}."
        # One line fits Slack's autocomplete; `/admin` alone lists each subcommand's usage.
        example = next(
            (f"{s.name} {e}".strip() for s in found for e in s.examples if e.strip()), ""
        )
        hint = "SUBCOMMAND [OPTIONS…]" + (f" (e.g. {example})" if example else "")
    else:
        description = found[0].description
        hint = _params_hint(found[0])
    entry: dict[str, Any] = {
        "command": f"/{top}",
        "description": description[:DESCRIPTION_MAX],
    }
    if request_url:
        entry["url"] = request_url
    if hint:
        entry["usage_hint"] = hint[:USAGE_HINT_MAX]
    # Escaping turns @mentions and #channels into ids (<@U…|name>), which member and channel
    # options need; other commands get the text exactly as typed.
    entry["should_escape"] = any(_takes_mentions(s) for s in found)
    return entry


def _params_hint(spec: CommandSpec) -> str:
    hint = " ".join(p.usage() for p in spec.params)
    example = next((e for e in spec.examples if e.strip()), None)
    if example:
        hint = f"{hint} (e.g. {example})" if hint else f"e.g. {example}"
    return hint


def _takes_mentions(spec: CommandSpec) -> bool:
    return any(p.kind in (ParamKind.MEMBER, ParamKind.CHANNEL) for p in spec.params)
