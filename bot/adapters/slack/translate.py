"""Slack payloads to platform-neutral invocations (pure functions, no I/O).

The same shapes arrive over HTTP (form fields, bolt parses them into a dict) and Socket Mode
(JSON inside an envelope), so one set of functions serves both modes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.render import action_id_of
from bot.core.models import Actor, Invocation, InvocationKind, Platform, SpaceRef

_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True)
class Who:
    """The bits of a payload that identify the caller before any lookup."""

    team_id: str
    team_domain: str
    user_id: str
    user_name: str


def command_name(raw: str) -> str:
    """``"/Roadmap"`` → ``"roadmap"``."""
    return raw.strip().lstrip("/").lower()


def unescape(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` in typed text.

    Mentions Slack converted (``<@U123|ann>``) keep their real brackets, so the shared parser
    still recognises them.
    """
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def space_of(who: Who) -> SpaceRef:
    """The workspace as a space reference."""
    return SpaceRef(Platform.SLACK, who.team_id, who.team_domain)


def command_who(body: dict[str, Any]) -> Who:
    """Caller of a slash command payload."""
    return Who(
        team_id=str(body.get("team_id") or ""),
        team_domain=str(body.get("team_domain") or ""),
        user_id=str(body.get("user_id") or ""),
        user_name=str(body.get("user_name") or body.get("user_id") or ""),
    )


def action_who(body: dict[str, Any]) -> Who:
    """Caller of a ``block_actions`` payload."""
    team = body.get("team") or {}
    user = body.get("user") or {}
    return Who(
        team_id=str(team.get("id") or user.get("team_id") or ""),
        team_domain=str(team.get("domain") or ""),
        user_id=str(user.get("id") or ""),
        user_name=str(user.get("username") or user.get("name") or user.get("id") or ""),
    )


def command_invocation(body: dict[str, Any], actor: Actor) -> Invocation:
    """The invocation for a slash command.

    ``/admin settings tz UTC`` keeps its subcommand in the text; the dispatcher splits it.
    """
    return Invocation(
        platform=Platform.SLACK,
        space=space_of(command_who(body)),
        actor=actor,
        command=command_name(str(body.get("command") or "")),
        channel_id=body.get("channel_id") or None,
        text=unescape(str(body.get("text") or "")),
    )


def action_of(body: dict[str, Any]) -> tuple[str, str] | None:
    """``(our action id, value)`` of the clicked element, or ``None`` for link buttons."""
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    ours = action_id_of(str(action.get("action_id") or ""))
    if ours is None:
        return None
    value = action.get("value")
    if value is None:
        selected = action.get("selected_option") or {}
        value = selected.get("value", "")
    return ours, str(value)


def action_channel(body: dict[str, Any]) -> str | None:
    """The channel of the message a button was on (``None`` in the App Home)."""
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    return channel.get("id") or container.get("channel_id") or None


def action_invocation(body: dict[str, Any], actor: Actor, action_id: str, value: str) -> Invocation:
    """The invocation for a button press."""
    return Invocation(
        platform=Platform.SLACK,
        space=space_of(action_who(body)),
        actor=actor,
        command=action_id,
        channel_id=action_channel(body),
        args={"value": value},
        kind=InvocationKind.ACTION,
    )


def in_home_tab(body: dict[str, Any]) -> bool:
    """Whether a ``block_actions`` click came from the App Home (a view, not a message)."""
    container = body.get("container") or {}
    return container.get("type") == "view" or (body.get("view") or {}).get("type") == "home"
