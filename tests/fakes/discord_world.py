"""The modelled world of the fake Discord: users, guilds, channels, messages and their payloads.

``World`` holds the state and builds the API v10 shapes discord.py 2.7 parses (user, member,
channel, guild, application and message objects). No networking happens in this module.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from .discord_payloads import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    CHANNEL_DM,
    CHANNEL_GUILD_TEXT,
    DEFAULT_EVERYONE_PERMISSIONS,
    FLAG_COMPONENTS_V2,
    FLAG_EPHEMERAL,
    JSON,
    MESSAGE_DEFAULT,
    Channel,
    Guild,
    Member,
    Role,
    SnowflakeGenerator,
    UploadedFile,
    User,
    now_iso,
    number_components,
)

_MENTION_RE = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


class World:
    """The users, guilds, channels and messages of the fake Discord, plus payload builders.

    Args:
        ids: The snowflake generator shared with the server.
        bot_name: Username of the bot user.
    """

    def __init__(self, ids: SnowflakeGenerator, bot_name: str = "studybot") -> None:
        self.ids = ids
        self.application_id = ids()
        self.bot_user_id = ids()
        self.users: dict[int, User] = {
            self.bot_user_id: User(self.bot_user_id, bot_name, None, bot=True)
        }
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, JSON] = {}
        self.channel_message_ids: defaultdict[int, list[int]] = defaultdict(list)
        self.created_counts: Counter[int] = Counter()
        self.dm_channels: dict[int, int] = {}
        self.app_owner_id = self.add_user("developer")

    # -- mutation -----------------------------------------------------------------------------

    def add_user(self, username: str, *, user_id: int | None = None, bot: bool = False) -> int:
        """Create (or rename) a user and return its id."""
        uid = user_id if user_id is not None else self.ids()
        self.users[uid] = User(uid, username, username.capitalize(), bot=bot)
        return uid

    def add_guild(
        self,
        name: str,
        *,
        guild_id: int | None,
        owner_id: int | None,
        locale: str,
        bot_permissions: int,
    ) -> Guild:
        """Create a guild with @everyone, the bot's managed role and the bot as a member."""
        gid = guild_id if guild_id is not None else self.ids()
        if owner_id is None:
            owner_id = self.add_user(f"{name.lower().replace(' ', '-')}-owner")
        elif owner_id not in self.users:
            self.add_user(f"user{owner_id}", user_id=owner_id)
        guild = Guild(gid, name, owner_id, locale)
        guild.roles[gid] = Role(gid, "@everyone", DEFAULT_EVERYONE_PERMISSIONS)
        bot_role = Role(
            self.ids(),
            self.users[self.bot_user_id].username,
            bot_permissions,
            position=1,
            managed=True,
            bot_id=self.bot_user_id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot_user_id] = Member(self.bot_user_id, [bot_role.id])
        guild.members[owner_id] = Member(owner_id)
        self.guilds[gid] = guild
        return guild

    def add_channel(self, guild_id: int, name: str, *, topic: str | None = None) -> Channel:
        """Create a text channel in a guild."""
        guild = self.guilds[guild_id]
        channel = Channel(
            self.ids(), CHANNEL_GUILD_TEXT, name, guild_id, len(guild.channel_ids), topic
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        return channel

    def add_role(self, guild_id: int, name: str, *, permissions: int = 0, **extra: Any) -> Role:
        """Create a role in a guild, positioned above the existing ones."""
        guild = self.guilds[guild_id]
        role = Role(self.ids(), name, permissions, position=len(guild.roles), **extra)
        guild.roles[role.id] = role
        return role

    def dm_channel(self, user_id: int) -> Channel:
        """Return the bot's DM channel with a user, creating it on first use."""
        if user_id not in self.users:
            raise KeyError(user_id)
        cid = self.dm_channels.get(user_id)
        if cid is None:
            channel = Channel(self.ids(), CHANNEL_DM, recipient_id=user_id)
            self.channels[channel.id] = channel
            self.dm_channels[user_id] = cid = channel.id
        return self.channels[cid]

    # -- queries -------------------------------------------------------------------------------

    def permissions(self, guild_id: int, user_id: int) -> int:
        """Compute a member's guild permissions from @everyone, their roles and ownership."""
        guild = self.guilds[guild_id]
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members[user_id]
        perms = guild.roles[guild.id].permissions
        for role_id in member.roles:
            perms |= guild.roles[role_id].permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def guild_of_channel(self, channel_id: int) -> int | None:
        """Return the guild id of a channel, or None for DMs."""
        return self.channels[channel_id].guild_id

    # -- payload builders ----------------------------------------------------------------------

    def user_payload(self, user_id: int) -> JSON:
        """Return the user object for a user id."""
        return self.users[user_id].payload()

    def member_payload(
        self, guild_id: int, user_id: int, *, with_user: bool = True, with_permissions: bool = False
    ) -> JSON:
        """Return a guild member object (optionally with ``user`` and ``permissions``)."""
        member = self.guilds[guild_id].members[user_id]
        data: JSON = {
            "nick": member.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in member.roles],
            "joined_at": member.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
            "avatar_decoration_data": None,
        }
        if with_user:
            data["user"] = self.user_payload(user_id)
        if with_permissions:
            data["permissions"] = str(self.permissions(guild_id, user_id))
        return data

    def channel_payload(self, channel_id: int, *, permissions_for: int | None = None) -> JSON:
        """Return a channel object; ``permissions_for`` adds a resolved ``permissions`` field."""
        channel = self.channels[channel_id]
        last = str(channel.last_message_id) if channel.last_message_id else None
        if channel.type == CHANNEL_DM:
            assert channel.recipient_id is not None
            return {
                "id": str(channel.id),
                "type": CHANNEL_DM,
                "last_message_id": last,
                "recipients": [self.user_payload(channel.recipient_id)],
                "flags": 0,
            }
        assert channel.guild_id is not None
        data: JSON = {
            "id": str(channel.id),
            "type": channel.type,
            "guild_id": str(channel.guild_id),
            "name": channel.name,
            "position": channel.position,
            "permission_overwrites": [],
            "topic": channel.topic,
            "nsfw": False,
            "last_message_id": last,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }
        if permissions_for is not None:
            data["permissions"] = str(self.permissions(channel.guild_id, permissions_for))
        return data

    def guild_payload(
        self, guild_id: int, *, gateway: bool = False, all_members: bool = False
    ) -> JSON:
        """Return a guild object: the REST shape, or the full GUILD_CREATE shape with ``gateway``.

        Args:
            guild_id: The guild.
            gateway: Add the gateway-only fields (channels, members, joined_at, ...).
            all_members: With ``gateway``, list every member instead of only the bot, as
                Discord does for sessions with the GUILD_PRESENCES intent.
        """
        guild = self.guilds[guild_id]
        data: JSON = {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": list(guild.features),
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(guild.channel_ids[0]) if guild.channel_ids else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "vanity_url_code": None,
            "description": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": guild.locale,
            "nsfw_level": 0,
            "incidents_data": None,
        }
        if gateway:
            member_ids = list(guild.members) if all_members else [self.bot_user_id]
            data.update(
                joined_at=guild.joined_at,
                large=False,
                unavailable=False,
                member_count=len(guild.members),
                channels=[self.channel_payload(c) for c in guild.channel_ids],
                members=[self.member_payload(guild.id, m) for m in member_ids],
                threads=[],
                presences=[],
                voice_states=[],
                stage_instances=[],
                guild_scheduled_events=[],
                soundboard_sounds=[],
                lazy=True,
            )
        return data

    def application_payload(self) -> JSON:
        """Return the ``/oauth2/applications/@me`` object."""
        bot = self.users[self.bot_user_id]
        return {
            "id": str(self.application_id),
            "name": bot.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self.user_payload(self.app_owner_id),
            "team": None,
            "bot": bot.payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
        }

    # -- messages ------------------------------------------------------------------------------

    def create_message(
        self,
        channel_id: int,
        author_id: int,
        body: JSON,
        *,
        files: list[UploadedFile] | None = None,
        message_type: int = MESSAGE_DEFAULT,
        flags: int | None = None,
        extra: JSON | None = None,
    ) -> JSON:
        """Store a new message built from a create/execute/callback body and return it."""
        mid = self.ids()
        msg: JSON = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "author": self.user_payload(author_id),
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": list(body.get("embeds") or []),
            "components": [],
            "pinned": False,
            "type": message_type,
            "flags": int(body.get("flags") or 0) if flags is None else flags,
        }
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if body.get("message_reference"):
            ref = dict(body["message_reference"])
            ref.setdefault("channel_id", str(channel_id))
            msg["message_reference"] = ref
        msg.update(extra or {})
        self._apply_edit(msg, body, files or [], initial=True)
        self.messages[mid] = msg
        self.channel_message_ids[channel_id].append(mid)
        self.created_counts[channel_id] += 1
        self.channels[channel_id].last_message_id = mid
        return msg

    def edit_message(
        self, message_id: int, body: JSON, files: list[UploadedFile] | None = None
    ) -> JSON:
        """Apply an edit body to a stored message and return the updated message."""
        msg = self.messages[message_id]
        self._apply_edit(msg, body, files or [], initial=False)
        msg["edited_timestamp"] = now_iso()
        return msg

    def delete_message(self, message_id: int) -> JSON | None:
        """Remove a message; return it, or None when unknown."""
        msg = self.messages.pop(message_id, None)
        if msg is not None:
            self.channel_message_ids[int(msg["channel_id"])].remove(message_id)
        return msg

    def _apply_edit(
        self, msg: JSON, body: JSON, files: list[UploadedFile], *, initial: bool
    ) -> None:
        if "content" in body:
            msg["content"] = body["content"] or ""
        if "embeds" in body:
            msg["embeds"] = list(body["embeds"] or [])
        if "components" in body:
            components = [dict(c) for c in body["components"] or []]
            number_components(components)
            msg["components"] = components
        if "flags" in body and not initial:
            # Only SUPPRESS_EMBEDS / components v2 may change on edit; keep ephemeral & co.
            keep = int(msg["flags"]) & ~((1 << 2) | FLAG_COMPONENTS_V2)
            msg["flags"] = keep | (int(body["flags"] or 0) & ((1 << 2) | FLAG_COMPONENTS_V2))
        if "attachments" in body or files:
            msg["attachments"] = self._attachments(msg, body.get("attachments"), files)
        content = msg["content"]
        msg["mentions"] = [
            self.user_payload(int(u)) for u in _MENTION_RE.findall(content) if int(u) in self.users
        ]
        msg["mention_roles"] = _ROLE_MENTION_RE.findall(content)
        msg["mention_everyone"] = "@everyone" in content or "@here" in content

    def _attachments(
        self, msg: JSON, wanted: list[JSON] | None, files: list[UploadedFile]
    ) -> list[JSON]:
        existing = {a["id"]: a for a in msg.get("attachments", [])}
        by_index: dict[int, UploadedFile] = {}
        for part in files:
            match = re.fullmatch(r"files\[(\d+)\]", part.field)
            by_index[int(match.group(1)) if match else len(by_index)] = part
        entries = wanted if wanted is not None else [{"id": i} for i in sorted(by_index)]
        out: list[JSON] = []
        for entry in entries:
            key = str(entry.get("id"))
            if key in existing:
                out.append(existing[key])
                continue
            upload = by_index.get(int(entry.get("id", -1)))
            if upload is None:
                continue
            aid = self.ids()
            filename = entry.get("filename") or upload.filename
            url = f"https://cdn.discordapp.com/attachments/{msg['channel_id']}/{aid}/{filename}"
            attachment: JSON = {
                "id": str(aid),
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
                "content_type": upload.content_type,
            }
            if entry.get("description"):
                attachment["description"] = entry["description"]
            if int(msg.get("flags", 0)) & FLAG_EPHEMERAL:
                attachment["ephemeral"] = True
            out.append(attachment)
        return out
