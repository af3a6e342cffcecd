"""Value types that cross the boundary between adapters and the core.

Adapters build :class:`Invocation` objects from platform events and render :class:`Reply`
objects back into platform messages. Both are frozen so they can be shared between tasks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    """The chat platforms studybot speaks to."""

    CONSOLE = "console"
    DISCORD = "discord"
    SLACK = "slack"


@dataclass(frozen=True)
class Actor:
    """Who sent an invocation, as the adapter saw them.

    Attributes:
        user_id: The platform's user id (Discord snowflake, Slack ``U…``, console name).
        display_name: A human name to show in replies and boards.
        is_admin: The platform says this user administers the space (Discord *Manage
            Server*, Slack workspace admin or owner, console ``--mod``).
        roles: Platform role or user-group ids the user holds; matched against the
            group's ``moderator_roles`` setting.
        timezone: A timezone the platform reports for the user, if any (Slack does).
    """

    user_id: str
    display_name: str
    is_admin: bool = False
    roles: frozenset[str] = frozenset()
    timezone: str | None = None


@dataclass(frozen=True)
class SpaceRef:
    """A Discord guild, Slack workspace or console session an event came from."""

    platform: Platform
    external_id: str
    name: str = ""


#: The console's one space: every console session is this study group (a constant of the
#: core, so the scheduler can set up console defaults without importing the adapter).
CONSOLE_SPACE = SpaceRef(Platform.CONSOLE, "console", "Console study group")


@dataclass(frozen=True)
class Destination:
    """Where a proactive message goes: a channel, or a user's direct messages."""

    platform: Platform
    space_id: str
    channel_id: str | None = None
    user_id: str | None = None

    def __post_init__(self) -> None:
        if (self.channel_id is None) == (self.user_id is None):
            raise ValueError("a destination names exactly one of channel_id or user_id")


class InvocationKind(StrEnum):
    """What the user did: ran a command or pressed a button."""

    COMMAND = "command"
    ACTION = "action"


@dataclass(frozen=True)
class Invocation:
    """One request from a user, platform-neutral.

    Attributes:
        platform: Which adapter received it.
        space: The guild/workspace it came from.
        channel_id: The channel it was typed in (``None`` for direct messages).
        actor: Who sent it.
        command: The full command name (``"roadmap"``, ``"admin settings"``) or, for
            button presses, the action id (``"checkin.done"``).
        text: Unparsed argument text (Slack and console); the dispatcher parses it.
        args: Already-typed arguments (Discord options); used when ``text`` is ``None``.
        kind: Command or action.
        id: A short id used in logs to follow one invocation.
        inbox_key: The durable inbox entry this runs (Slack and Discord); the dispatcher
            marks it done in the command's own transaction.
        sent_at: When the member sent it, for a command run later than it arrived (after a
            restart): the handler's "now" is then this instant, so a check-in sent before
            midnight counts for that day.
    """

    platform: Platform
    space: SpaceRef
    actor: Actor
    command: str
    channel_id: str | None = None
    text: str | None = None
    args: dict[str, Any] | None = None
    kind: InvocationKind = InvocationKind.COMMAND
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    inbox_key: str | None = None
    sent_at: datetime | None = None


class ButtonStyle(StrEnum):
    """How a button looks; adapters map these to the nearest platform style."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    SUCCESS = "success"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    """A button under a reply or post; pressing it becomes an ACTION invocation.

    ``action_id`` names an :class:`~bot.core.commands.ActionSpec`; ``value`` travels
    back with the click, so it must be short (Discord caps custom ids at 100 characters).
    A button with a ``url`` is a plain link and produces no invocation.
    """

    label: str
    action_id: str = ""
    value: str = ""
    style: ButtonStyle = ButtonStyle.SECONDARY
    url: str | None = None


@dataclass(frozen=True)
class ReplyField:
    """A labelled block of text inside a reply (an embed field, a Block Kit section)."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class FileAttachment:
    """A file sent with a reply, such as a CSV export."""

    filename: str
    content: bytes
    mime_type: str = "text/csv"


@dataclass(frozen=True)
class ImageAttachment:
    """A picture shown with a reply (a streak or leaderboard card), always with alt text.

    The reply's text stays the whole answer: an image only adds a view of it, so an
    adapter that cannot deliver the picture sends the text alone.

    Attributes:
        filename: A plain file name ending in ``.png`` (Discord refers to it by name).
        content: The PNG bytes.
        alt_text: What the picture shows, for screen readers (Discord's attachment
            description, Slack's ``alt_txt``).
    """

    filename: str
    content: bytes
    alt_text: str
    mime_type: str = "image/png"


@dataclass(frozen=True)
class Reply:
    """What a handler returns; each adapter renders it within its platform's limits.

    Attributes:
        text: The main body; light Markdown (``**bold**``, `` `code` ``, ``- `` lists).
        title: An optional heading.
        fields: Labelled sections shown after the body.
        buttons: Buttons shown under the message.
        ephemeral: Only the caller sees it (errors, personal settings).
        footer: A short line of small print.
        file: An optional attachment.
        image: An optional picture of the reply (a card); the text stays complete.
        mention_user_ids: Platform user ids to mention at the start of the message.
        update_original: For button presses: replace the message the button was on.
        metadata: Small key/value facts adapters may attach to the platform message
            (Slack message metadata), used to find a post again after a crash.
    """

    text: str = ""
    title: str | None = None
    fields: tuple[ReplyField, ...] = ()
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False
    footer: str | None = None
    file: FileAttachment | None = None
    image: ImageAttachment | None = None
    mention_user_ids: tuple[str, ...] = ()
    update_original: bool = False
    metadata: dict[str, str] | None = None

    def plain_text(self) -> str:
        """Return the whole reply as plain text (for logs, the console and fallbacks)."""
        parts: list[str] = []
        if self.title:
            parts.append(self.title)
        if self.text:
            parts.append(self.text)
        for f in self.fields:
            parts.append(f"{f.name}\n{f.value}")
        if self.footer:
            parts.append(self.footer)
        return "\n\n".join(parts)


@dataclass(frozen=True)
class SentRef:
    """A platform's reference to a message we sent (channel id and message id/ts)."""

    channel_id: str
    message_id: str
