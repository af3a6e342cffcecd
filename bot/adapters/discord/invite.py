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


def invite_url(application_id: int | str) -> str:
    """The URL a server admin opens to add studybot to a server."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)
