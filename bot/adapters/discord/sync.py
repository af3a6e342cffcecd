"""Registering slash commands with Discord, deliberately rather than on every start.

Discord rate-limits command registration and propagates global changes to every server, so
``studybot discord sync`` is an explicit step after a release that changed commands. A
guild sync (``--guild ID``) applies instantly and is the quick loop during development. At
start the adapter only *compares* what is registered with what it serves and warns.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

Shape = tuple[str, int, tuple[Any, ...]]


async def sync_commands(
    client: discord.Client, guild_id: int | None = None, *, clear: bool = False
) -> list[app_commands.AppCommand]:
    """Register the client's commands globally, or copy them to one guild.

    Args:
        client: A logged-in client whose ``tree`` holds the commands.
        guild_id: Register in this guild only (instant; for development servers).
        clear: With ``guild_id``: remove the guild's commands instead (after moving to a
            global registration, so members do not see every command twice).
    """
    tree: app_commands.CommandTree[Any] = client.tree  # type: ignore[attr-defined]
    if guild_id is None:
        return await tree.sync()
    guild = discord.Object(guild_id)
    if clear:
        tree.clear_commands(guild=guild)
    else:
        tree.copy_global_to(guild=guild)
    return await tree.sync(guild=guild)


def _shape(data: dict[str, Any]) -> Shape:
    options = tuple(sorted(_shape(o) for o in data.get("options") or []))
    return (str(data["name"]), int(data.get("type") or 1), options)


async def registered_drift(client: discord.Client) -> str:
    """Describe how the globally registered commands differ from the served ones ("" if not).

    Only names, option names and option types are compared: they decide whether Discord
    can route an interaction to our callbacks.
    """
    tree: app_commands.CommandTree[Any] = client.tree  # type: ignore[attr-defined]
    local = {c.name: _shape(c.to_dict(tree)) for c in tree.get_commands()}
    remote = {c.name: _shape(dict(c.to_dict())) for c in await tree.fetch_commands()}
    problems = []
    missing = sorted(set(local) - set(remote))
    extra = sorted(set(remote) - set(local))
    changed = sorted(n for n in set(local) & set(remote) if local[n] != remote[n])
    if missing:
        problems.append("not registered: " + ", ".join(f"/{n}" for n in missing))
    if extra:
        problems.append("no longer served: " + ", ".join(f"/{n}" for n in extra))
    if changed:
        problems.append("options changed: " + ", ".join(f"/{n}" for n in changed))
    return "; ".join(problems)


def describe(commands: list[app_commands.AppCommand]) -> list[str]:
    """Human lines for what was registered, subcommands indented."""
    lines: list[str] = []
    for command in commands:
        hidden = command.default_member_permissions
        note = "  [hidden from members: needs Manage Server]" if hidden else ""
        lines.append(f"/{command.name}: {command.description}{note}")
        for option in command.options:
            if isinstance(option, app_commands.AppCommandGroup):
                lines.append(f"    /{command.name} {option.name}: {option.description}")
    return lines
