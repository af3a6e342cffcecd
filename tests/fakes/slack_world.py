"""The modelled Slack workspace behind the fake: users, channels, DMs, user groups, messages.

:class:`SlackWorld` holds the state and the rules shared by several Web API methods (who may post
where, message and channel objects). The methods themselves are in
:mod:`tests.fakes.slack_methods`; authentication, faults and recording in
:mod:`tests.fakes.slack_webapi`.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .slack_payloads import block_errors

__all__ = [
    "ApiError",
    "DmBlock",
    "SlackChannel",
    "SlackUser",
    "SlackUsergroup",
    "SlackWorld",
    "truthy",
]

Args = dict[str, Any]


class ApiError(Exception):
    """A Web API failure, answered as ``{"ok": false, "error": error, **extra}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> Args:
        """Return the JSON body Slack would answer with."""
        return {"ok": False, "error": self.error, **self.extra}


def truthy(value: Any) -> bool:
    """Interpret a Slack boolean argument (``true``/``1`` in forms and query strings)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


@dataclass
class SlackUser:
    """A workspace member as returned by ``users.info``."""

    id: str
    name: str
    team_id: str
    real_name: str = ""
    display_name: str = ""
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    tz: str = "UTC"
    bot_id: str | None = None
    app_id: str | None = None

    def to_api(self) -> Args:
        """Render the ``user`` object of ``users.info``."""
        now = datetime.now(UTC)
        zone = ZoneInfo(self.tz)
        offset = zone.utcoffset(now)
        profile: Args = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "status_text": "",
            "status_emoji": "",
            "avatar_hash": "0000",
            "team": self.team_id,
        }
        if self.bot_id:
            profile.update(bot_id=self.bot_id, api_app_id=self.app_id, always_active=True)
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": now.astimezone(zone).tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
        }


@dataclass
class SlackChannel:
    """A conversation: public/private channel, DM (``is_im``) or group DM (``is_mpim``)."""

    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_im: bool = False
    is_mpim: bool = False
    im_user: str | None = None
    bot_is_member: bool = True
    members: list[str] | None = None  # None: every non-deleted user of the workspace
    created: int = field(default_factory=lambda: int(time.time()))
    messages: list[Args] = field(default_factory=list)
    ephemerals: list[Args] = field(default_factory=list)

    def find(self, ts: str) -> Args | None:
        """Return the stored message with ``ts`` (the live dict), or None."""
        for msg in self.messages:
            if msg["ts"] == ts:
                return msg
        return None


@dataclass
class SlackUsergroup:
    """A user group (``@handle``) and its members."""

    id: str
    handle: str
    users: list[str]
    name: str = ""


@dataclass
class DmBlock:
    """How DMs to one user fail: at ``conversations.open`` or at posting time."""

    error: str
    on: str  # "open" | "post"


class SlackWorld:
    """State of one fake workspace plus the Web API methods that read and change it.

    Args:
        team_id: Workspace id (``T...``).
        team_name: Workspace name.
        team_domain: Workspace subdomain (``<domain>.slack.com``).
        bot_user_id: The bot user's id (``auth.test`` ``user_id``).
        bot_id: The bot's ``B...`` id.
        bot_name: The bot user's name.
        app_id: The app's ``A...`` id.
        scopes: Granted bot scopes; ``chat:write.public`` lets the bot post in public channels
            it has not joined, as on real Slack.
    """

    def __init__(
        self,
        *,
        team_id: str,
        team_name: str,
        team_domain: str,
        bot_user_id: str,
        bot_id: str,
        bot_name: str,
        app_id: str,
        scopes: Iterable[str],
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.scopes = list(scopes)
        self.users: dict[str, SlackUser] = {}
        self.channels: dict[str, SlackChannel] = {}
        self.usergroups: dict[str, SlackUsergroup] = {}
        self.dm_blocks: dict[str, DmBlock] = {}
        self.home_views: dict[str, Args] = {}
        self._last_ts_us = 0
        self.users[bot_user_id] = SlackUser(
            id=bot_user_id,
            name=bot_name,
            team_id=team_id,
            real_name=bot_name,
            display_name=bot_name,
            is_bot=True,
            bot_id=bot_id,
            app_id=app_id,
        )

    # ------------------------------------------------------------------ helpers

    @property
    def url(self) -> str:
        """The workspace URL ``auth.test`` reports."""
        return f"https://{self.team_domain}.slack.com/"

    def next_ts(self) -> str:
        """Return a fresh, strictly increasing message ``ts`` (``"<secs>.<micros>"``)."""
        now_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = now_us
        return f"{now_us // 1_000_000}.{now_us % 1_000_000:06d}"

    @staticmethod
    def dm_id(user_id: str) -> str:
        """Return the id the DM between the bot and ``user_id`` gets when opened."""
        return "D" + user_id[1:]

    def channel_members(self, channel: SlackChannel) -> list[str]:
        """Return the member ids of ``channel`` (the bot included when it is a member)."""
        if channel.is_im:
            return [u for u in (channel.im_user, self.bot_user_id) if u]
        if channel.members is None:
            humans = [u.id for u in self.users.values() if not u.deleted and not u.is_bot]
        else:
            humans = [u for u in channel.members if u != self.bot_user_id]
        return humans + ([self.bot_user_id] if channel.bot_is_member else [])

    def visible_channel(self, channel_id: str) -> SlackChannel:
        """Return a conversation the bot can see, or raise ``channel_not_found``."""
        channel = self.channels.get(channel_id)
        if channel is None or (channel.is_private and not channel.bot_is_member):
            raise ApiError("channel_not_found")
        return channel

    def readable_channel(self, channel_id: str) -> SlackChannel:
        """Return a conversation whose history the bot may read (it must be a member)."""
        channel = self.visible_channel(channel_id)
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        return channel

    def open_dm(self, user_id: str) -> tuple[SlackChannel, bool]:
        """Open (or reuse) the DM with ``user_id``; returns ``(channel, already_open)``."""
        user = self.users.get(user_id)
        if user is None:
            raise ApiError("user_not_found")
        if user.is_bot:
            raise ApiError("cannot_dm_bot")
        if user.deleted:
            raise ApiError("user_disabled")
        block = self.dm_blocks.get(user_id)
        if block is not None and block.on == "open":
            raise ApiError(block.error)
        dm_id = self.dm_id(user_id)
        existing = self.channels.get(dm_id)
        if existing is not None:
            return existing, True
        channel = SlackChannel(id=dm_id, name=user_id, is_im=True, im_user=user_id)
        self.channels[dm_id] = channel
        return channel, False

    def postable_channel(self, ref: str) -> SlackChannel:
        """Resolve a ``channel`` argument of ``chat.postMessage`` and check the bot may post."""
        if ref.startswith("#"):
            matches = [c for c in self.channels.values() if c.name == ref[1:] and not c.is_im]
            if not matches:
                raise ApiError("channel_not_found")
            channel = matches[0]
        elif ref in self.users:
            channel, _ = self.open_dm(ref)
        else:
            channel = self.visible_channel(ref)
        if channel.is_archived:
            raise ApiError("is_archived")
        if channel.is_im:
            block = self.dm_blocks.get(channel.im_user or "")
            if block is not None:
                raise ApiError(block.error)
        elif not channel.bot_is_member and not (
            "chat:write.public" in self.scopes and not channel.is_private
        ):
            raise ApiError("not_in_channel")
        return channel

    @staticmethod
    def check_content(args: Args, *, required: bool = True) -> None:
        text = args.get("text")
        if isinstance(text, str) and len(text) > 40000:
            raise ApiError("msg_too_long")
        if "blocks" in args and args["blocks"] is not None:
            errors = block_errors(args["blocks"])
            if errors:
                raise ApiError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )
        if required and not (text or args.get("blocks") or args.get("attachments")):
            raise ApiError("no_text")
        metadata = args.get("metadata")
        if metadata is not None and (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload", {}), dict)
        ):
            raise ApiError("invalid_metadata_format")

    def bot_message(self, args: Args, ts: str) -> Args:
        """Build the stored message object for a bot post."""
        msg: Args = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": ts,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": args.get("text") or "",
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key) not in (None, ""):
                msg[key] = copy.deepcopy(args[key])
        if "metadata" in msg:
            msg["metadata"].setdefault("event_payload", {})
        if truthy(args.get("reply_broadcast")):
            msg["subtype"] = "thread_broadcast"
        return msg

    def channel_api(self, channel: SlackChannel, *, num_members: bool = False) -> Args:
        """Render the ``channel`` object of ``conversations.info``/``conversations.join``."""
        now = int(time.time())
        if channel.is_im:
            return {
                "id": channel.id,
                "created": channel.created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.team_id,
                "updated": now,
                "user": channel.im_user,
                "is_user_deleted": False,
                "is_open": True,
                "last_read": "0000000000.000000",
                "priority": 0,
            }
        data: Args = {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private and not channel.is_mpim,
            "is_group": channel.is_private and not channel.is_mpim,
            "is_im": False,
            "is_mpim": channel.is_mpim,
            "is_private": channel.is_private,
            "created": channel.created,
            "is_archived": channel.is_archived,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": channel.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": self.team_id,
            "updated": now,
            "parent_conversation": None,
            "creator": "",
            "shared_team_ids": [self.team_id],
            "is_member": channel.bot_is_member,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if num_members:
            data["num_members"] = len(self.channel_members(channel))
        return data
