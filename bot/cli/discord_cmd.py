"""``studybot discord sync | invite-url``: register slash commands, print the invite link."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from bot.cli.common import settings_from
from bot.config import Settings

if TYPE_CHECKING:  # discord.py is imported only when a discord subcommand runs
    import discord


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``discord`` subcommand family."""
    parser = sub.add_parser("discord", help="Discord setup: register commands, invite link")
    actions = parser.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
    sync = actions.add_parser(
        "sync",
        help="register the slash commands with Discord (after install or an upgrade)",
        description=(
            "Register every slash command globally (may take a while to show up everywhere), "
            "or in one server with --guild (instant; use it while developing)."
        ),
    )
    sync.add_argument("--guild", type=int, metavar="ID", help="register in this server only")
    sync.add_argument(
        "--clear",
        action="store_true",
        help="with --guild: remove that server's commands (e.g. after switching to global)",
    )
    sync.set_defaults(handler=run_sync)
    invite = actions.add_parser(
        "invite-url", help="print the link that adds the bot to a server, with its permissions"
    )
    invite.add_argument(
        "--role-rewards",
        action="store_true",
        help="also ask for Manage Roles, which /admin rewards role needs",
    )
    invite.set_defaults(handler=run_invite_url)


def _token(settings: Settings) -> str | None:
    token = settings.discord_token
    return token.get_secret_value() if token is not None and token.get_secret_value() else None


async def _logged_in_client(settings: Settings, token: str) -> discord.Client:
    from bot.adapters.discord.client import make_client, point_at
    from bot.core.commands import Registry
    from bot.features import all_routers

    point_at(settings.discord_api_base_url, settings.discord_gateway_url)
    client = make_client(settings, Registry(all_routers()), None)
    try:
        await client.login(token)  # REST only; runs setup_hook, which builds the tree
    except BaseException:
        await client.close()
        raise
    return client


async def _sync(
    settings: Settings, token: str, guild: int | None, clear: bool
) -> tuple[int, list[str]]:
    from bot.adapters.discord.sync import describe, sync_commands

    client = await _logged_in_client(settings, token)
    try:
        commands = await sync_commands(client, guild, clear=clear)
    finally:
        await client.close()
    return len(commands), describe(commands)


def run_sync(args: argparse.Namespace) -> int:
    """Register the commands and print what Discord now has."""
    import discord

    settings = settings_from(args)
    token = _token(settings)
    if token is None:
        print("Set DISCORD_TOKEN (the bot token from the Developer Portal) first.")
        return 2
    if args.clear and args.guild is None:
        print("--clear needs --guild ID.")
        return 2
    try:
        count, lines = asyncio.run(_sync(settings, token, args.guild, args.clear))
    except discord.LoginFailure:
        print("Discord refused DISCORD_TOKEN (401). Copy the token again from the portal.")
        return 2
    except discord.HTTPException as exc:
        print(f"Discord refused the registration: {exc.status} {exc.text}")
        return 1
    where = f"server {args.guild}" if args.guild else "all servers (global)"
    if args.clear:
        print(f"Removed the commands registered in {where}.")
        return 0
    print(f"Registered {count} slash commands for {where}:")
    for line in lines:
        print("  " + line)
    if args.guild is None:
        print("Global commands can take a few minutes to appear in the Discord app.")
    return 0


async def _application_id(settings: Settings, token: str) -> int:
    client = await _logged_in_client(settings, token)
    try:
        assert client.application_id is not None
        return client.application_id
    finally:
        await client.close()


def run_invite_url(args: argparse.Namespace) -> int:
    """Print the OAuth2 URL (application id from settings, else asked of Discord)."""
    import discord

    from bot.adapters.discord.invite import (
        PERMISSION_NAMES,
        PERMISSIONS,
        ROLE_REWARD_PERMISSION_NAMES,
        ROLE_REWARD_PERMISSIONS,
        SCOPES,
        invite_url,
    )

    settings = settings_from(args)
    app_id: int | str | None = settings.discord_application_id
    if not app_id:
        token = _token(settings)
        if token is None:
            print("Set STUDYBOT_DISCORD_APPLICATION_ID or DISCORD_TOKEN first.")
            return 2
        try:
            app_id = asyncio.run(_application_id(settings, token))
        except discord.LoginFailure:
            print("Discord refused DISCORD_TOKEN (401). Copy the token again from the portal.")
            return 2
    roles = bool(getattr(args, "role_rewards", False))
    permissions = ROLE_REWARD_PERMISSIONS if roles else PERMISSIONS
    names = ", ".join(ROLE_REWARD_PERMISSION_NAMES if roles else PERMISSION_NAMES)
    print(invite_url(app_id, role_rewards=roles))
    print(f"Scopes: {' '.join(SCOPES)}. Permissions ({permissions.value}): {names}.")
    return 0
