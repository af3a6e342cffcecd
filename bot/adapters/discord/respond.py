"""Answer an acknowledged interaction with a rendered :class:`Reply`.

Every interaction is deferred before any work (see :mod:`.interactions`), so the answer is
always an edit of the deferred response or a followup. Discord fixes a deferred response's
visibility when it is deferred: the first followup resolves the "thinking" message and
keeps its flags. So when a public command ends in a private reply (an error, ``/streak``
of oneself), the public "thinking" message is deleted and the reply is sent as an
ephemeral followup. Commands whose spec is ephemeral are deferred ephemerally, so for them
the two always agree. Button presses are deferred as a message update (no visible
"thinking"), which leaves both answers open: edit the clicked message (``update_original``,
e.g. the next page of a leaderboard) or send a followup, private unless the reply is public.
"""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from enum import Enum
from typing import Any

import discord

from bot.adapters.discord.render import RenderedMessage, render
from bot.adapters.discord.views import build_view
from bot.core.models import ImageAttachment, Reply

log = logging.getLogger(__name__)

ALLOWED_MENTIONS = discord.AllowedMentions(
    everyone=False, roles=False, users=True, replied_user=False
)
FAILED = "Sorry, I could not deliver my answer just now. Please try again in a moment."


class Deferral(Enum):
    """How an interaction was acknowledged."""

    PUBLIC = "public"  # type 5, visible "thinking" message
    EPHEMERAL = "ephemeral"  # type 5 with the ephemeral flag
    UPDATE = "update"  # type 6 for a button: no message yet, the clicked one may be edited


def reply_files(reply: Reply) -> list[discord.File]:
    """The reply's attachments as fresh :class:`discord.File` objects (each is sent once).

    A card goes with its alt text as the attachment's description, which Discord shows to
    screen readers.
    """
    files: list[discord.File] = []
    if reply.file is not None:
        files.append(discord.File(io.BytesIO(reply.file.content), filename=reply.file.filename))
    if reply.image is not None:
        image = reply.image
        files.append(
            discord.File(
                io.BytesIO(image.content),
                filename=image.filename,
                description=image.alt_text[:1024],
            )
        )
    return files


def message_kwargs(
    message: RenderedMessage,
    *,
    last: bool,
    view: discord.ui.View | None,
    files: list[discord.File] | None = None,
    image: ImageAttachment | None = None,
) -> dict[str, Any]:
    """Keyword arguments for ``send``/``edit`` of one rendered message.

    The last message carries the files, and for a card one more embed that shows it
    (``attachment://NAME``), so the picture sits inside the answer rather than under it.
    """
    kwargs: dict[str, Any] = {"embeds": message.embeds, "allowed_mentions": ALLOWED_MENTIONS}
    if message.content:
        kwargs["content"] = message.content
    if last and view is not None:
        kwargs["view"] = view
    if last and files:
        kwargs["files"] = files
    if last and image is not None and len(message.embeds) < 10:
        shown = discord.Embed(colour=message.embeds[-1].colour if message.embeds else None)
        shown.set_image(url=f"attachment://{image.filename}")
        kwargs["embeds"] = [*message.embeds, shown]
    return kwargs


async def deliver(interaction: discord.Interaction, reply: Reply, deferral: Deferral) -> None:
    """Send ``reply`` as the answer to ``interaction``; never raises.

    If a reply with a card is refused, it is sent again as text alone (logged). If Discord
    refuses the answer, a short apology is attempted so the user is not left with a
    "thinking…" message that never resolves.
    """
    try:
        await _deliver(interaction, reply, deferral)
        return
    except Exception:
        if reply.image is None:
            log.exception("could not answer interaction %s", interaction.id)
        else:
            log.warning("card upload failed on %s; sending text", interaction.id, exc_info=True)
    if reply.image is not None:
        try:
            await _deliver(interaction, replace(reply, image=None), deferral)
            return
        except Exception:
            log.exception("could not answer interaction %s", interaction.id)
    try:
        await interaction.followup.send(FAILED, ephemeral=True)
    except Exception:
        log.warning("could not apologise on interaction %s either", interaction.id)


async def _deliver(interaction: discord.Interaction, reply: Reply, deferral: Deferral) -> None:
    messages = render(reply)
    space_id = None if interaction.guild_id else _dm_space(interaction)
    view = build_view(reply.buttons, space_id)
    files = reply_files(reply)
    image = reply.image
    last = len(messages) - 1
    followups = messages
    if deferral is Deferral.UPDATE and reply.update_original:
        first = message_kwargs(messages[0], last=last == 0, view=view, image=image)
        first.setdefault("content", None)
        first.setdefault("view", None)  # a page without buttons removes the old ones
        if last == 0 and files:
            first["attachments"] = files
        await interaction.edit_original_response(**first)
        followups = messages[1:]
    elif deferral is not Deferral.UPDATE:
        private = deferral is Deferral.EPHEMERAL
        if reply.ephemeral and not private:
            await interaction.delete_original_response()
        else:
            first = message_kwargs(messages[0], last=last == 0, view=view, image=image)
            if last == 0 and files:
                first["attachments"] = files
            await interaction.edit_original_response(**first)
            followups = messages[1:]
    ephemeral = reply.ephemeral or deferral is Deferral.EPHEMERAL
    offset = len(messages) - len(followups)
    for index, message in enumerate(followups, start=offset):
        kwargs = message_kwargs(message, last=index == last, view=view, files=files, image=image)
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)


def _dm_space(interaction: discord.Interaction) -> str | None:
    """The guild a DM button press belongs to, as recorded when the handler saw it."""
    space = interaction.extras.get("studybot_space")
    return str(space) if space else None


async def answer_now(interaction: discord.Interaction, text: str) -> None:
    """Answer an interaction that was not acknowledged yet with a private message."""
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
            return
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except Exception:
        log.warning("could not answer interaction %s", interaction.id, exc_info=True)
