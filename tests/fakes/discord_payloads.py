"""Discord constants, entity records and payload rules for the fake Discord server.

Permission and intent bits, snowflakes, the user/role/channel/member/guild records with their
API v10 payloads, and Discord's validation rules for messages and application commands. Pure
data, no I/O; ``discord_world.World`` ties the records together.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | SEND_MESSAGES_IN_THREADS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
)

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Channel and message constants.
CHANNEL_GUILD_TEXT = 0
CHANNEL_DM = 1
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_COMPONENTS_V2 = 1 << 15
MESSAGE_DEFAULT = 0
MESSAGE_CHAT_INPUT_COMMAND = 20
DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def now_iso() -> str:
    """Return the current UTC time as an ISO 8601 string, as Discord formats timestamps."""
    return dt.datetime.now(dt.UTC).isoformat()


class SnowflakeGenerator:
    """Mint unique, time-ordered Discord snowflakes (``(ms - epoch) << 22 | worker << 17 | n``)."""

    def __init__(self, worker: int = 1) -> None:
        self._worker = worker & 0x1F
        self._last_ms = 0
        self._increment = 0

    def __call__(self) -> int:
        """Return the next snowflake."""
        ms = max(int(time.time() * 1000), self._last_ms)
        if ms == self._last_ms:
            self._increment += 1
            if self._increment > 0xFFF:
                ms += 1
                self._increment = 0
        else:
            self._increment = 0
        self._last_ms = ms
        return ((ms - DISCORD_EPOCH_MS) << 22) | (self._worker << 17) | self._increment


@dataclass
class User:
    """A Discord user account."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    def payload(self) -> JSON:
        """Return the API user object."""
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    """A guild role; the @everyone role shares the guild's id."""

    id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> JSON:
        """Return the API role object."""
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Channel:
    """A guild text channel or a DM channel."""

    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    recipient_id: int | None = None
    last_message_id: int | None = None


@dataclass
class Member:
    """A user's membership in a guild."""

    user_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)


@dataclass
class Guild:
    """A guild (server) with its roles, channels and members."""

    id: int
    name: str
    owner_id: int
    locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    features: list[str] = field(default_factory=list)
    joined_at: str = field(default_factory=now_iso)


def embed_length(embed: JSON) -> int:
    """Count the characters Discord's 6000-character embed limit applies to."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for fld in embed.get("fields") or []:
        total += len(fld.get("name") or "") + len(fld.get("value") or "")
    return total


def validate_message_body(body: JSON, *, files: int = 0, partial: bool = False) -> JSON | None:
    """Apply Discord's message limits; return an error body (400) or None when valid.

    Args:
        body: The JSON message body (create, edit, callback data or webhook execute).
        files: How many files were uploaded alongside the body.
        partial: True for edits, which may omit every field.
    """
    errors: JSON = {}
    content = body.get("content")
    if isinstance(content, str) and len(content) > 2000:
        errors["content"] = _form_error("BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = _form_error("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    elif sum(embed_length(e) for e in embeds) > 6000:
        errors["embeds"] = _form_error(
            "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    components = body.get("components") or []
    if not int(body.get("flags") or 0) & FLAG_COMPONENTS_V2 and len(components) > 5:
        errors["components"] = _form_error("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    if errors:
        return {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
    has_body = (
        content or embeds or components or files or body.get("sticker_ids") or body.get("poll")
    )
    if not partial and not has_body:
        return {"code": 50006, "message": "Cannot send an empty message"}
    return None


def _form_error(code: str, message: str) -> JSON:
    return {"_errors": [{"code": code, "message": message}]}


def number_components(components: list[JSON], start: int = 1) -> int:
    """Give every component without one a numeric ``id``, as Discord does; return the next id."""
    next_id = start
    for component in components:
        if "id" not in component:
            component["id"] = next_id
        next_id = max(next_id, int(component["id"])) + 1
        children = list(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                children.append(component[key])
        next_id = number_components(children, next_id)
    return next_id


def walk_components(components: list[JSON]) -> list[JSON]:
    """Flatten a component tree (action rows, sections, containers, labels) into a list."""
    out: list[JSON] = []
    for component in components:
        out.append(component)
        children = list(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                children.append(component[key])
        out.extend(walk_components(children))
    return out


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


_COMMAND_NAME_RE = re.compile(r"[-_'\w]{1,32}")


def validate_commands(commands: list[JSON]) -> JSON | None:
    """Apply Discord's application-command rules to a bulk overwrite; return a 400 body or None.

    Checks names (1-32 chars, lowercase for slash commands), descriptions (1-100 chars for slash
    commands), at most 25 options/choices, required options before optional ones, and unique
    ``(name, type)`` pairs, the mistakes ``tree.sync()`` surfaces as ``CommandSyncFailure``.
    """
    errors: JSON = {}
    seen: set[tuple[str, int]] = set()
    for index, command in enumerate(commands):
        ctype = int(command.get("type", 1))
        problems = _command_problems(command, slash=ctype == 1)
        key = (str(command.get("name")), ctype)
        if key in seen:
            problems["name"] = _form_error(
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {key[0]}",
            )
        seen.add(key)
        if problems:
            errors[str(index)] = problems
    if errors:
        return {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
    return None


def _command_problems(item: JSON, *, slash: bool) -> JSON:
    problems: JSON = {}
    name = str(item.get("name") or "")
    if not _COMMAND_NAME_RE.fullmatch(name) or (slash and name != name.lower()):
        problems["name"] = _form_error(
            "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}"
        )
    description = item.get("description") or ""
    if slash and not 1 <= len(description) <= 100:
        problems["description"] = _form_error(
            "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
        )
    choices = item.get("choices") or []
    if len(choices) > 25:
        problems["choices"] = _form_error("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    options = item.get("options") or []
    if len(options) > 25:
        problems["options"] = _form_error("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    option_errors: JSON = {}
    for index, option in enumerate(options):
        sub = _command_problems(option, slash=True)
        if int(option.get("type", 3)) > 2:
            if option.get("required"):
                if seen_optional:
                    sub["required"] = _form_error(
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True
        if sub:
            option_errors[str(index)] = sub
    if option_errors and "options" not in problems:
        problems["options"] = option_errors
    return problems
