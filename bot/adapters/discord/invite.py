"""The OAuth2 invite URL: exactly the scopes and permissions studybot needs.

Interaction answers (replies, followups, edits, ephemeral messages) travel over the
interaction's webhook and need no channel permission at all. Permissions are only needed
for what the bot posts on its own: the daily challenge, reminders and announcements.
"""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")

# Each bit and why; nothing else is requested (no admin, no moderation, no message reading).
PERMISSIONS = discord.Permissions(
    view_channel=True,  # see the channels it is told to post in
    send_messages=True,  # post the daily challenge, reminders and announcements
    embed_links=True,  # posts are embeds; without this Discord strips them
)

PERMISSION_NAMES = ("View Channels", "Send Messages", "Embed Links")

# Only with role rewards (``/admin rewards role``): granting a role needs Manage Roles, and
# the bot's own role must sit above the roles it grants (Discord's rule, not a permission).
ROLE_REWARD_PERMISSIONS = discord.Permissions(
    PERMISSIONS.value | discord.Permissions(manage_roles=True).value
)
ROLE_REWARD_PERMISSION_NAMES = (*PERMISSION_NAMES, "Manage Roles")


def invite_url(application_id: int | str, *, role_rewards: bool = False) -> str:
    """The URL a server admin opens to add studybot to a server.

    ``role_rewards`` adds Manage Roles, for ``/admin rewards role``.
    """
    permissions = ROLE_REWARD_PERMISSIONS if role_rewards else PERMISSIONS
    return discord.utils.oauth_url(application_id, permissions=permissions, scopes=SCOPES)
