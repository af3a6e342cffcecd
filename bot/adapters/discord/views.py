"""Buttons as Discord components, and the custom ids that bring a click back to an action.

A button's ``custom_id`` is ``sb:<action_id>:<value>``; on a direct message, where a click
carries no guild, it is ``sb@<guild id>:<action_id>:<value>`` so the press still reaches the
right study group. Nothing about a button lives in memory: the adapter's ``on_interaction``
listener parses the id of any click, so buttons keep working after a restart and on every
shard. The views built here only serialise components; they are never registered with
discord.py's view store (which would keep one object per message forever).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import discord

from bot.core.models import Button, ButtonStyle

log = logging.getLogger(__name__)

CUSTOM_ID_MAX = 100
LABEL_MAX = 80
URL_MAX = 512
BUTTONS_MAX = 25  # five rows of five
_PATTERN = re.compile(r"sb(?:@(?P<space>\d{1,20}))?:(?P<action>[^:]{1,64}):(?P<value>.*)", re.S)
_STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
    ButtonStyle.SUCCESS: discord.ButtonStyle.success,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}


@dataclass(frozen=True)
class ButtonPress:
    """What a clicked ``custom_id`` says: the action, its value and (in DMs) the guild."""

    action_id: str
    value: str
    space_id: str | None = None


def custom_id(button: Button, space_id: str | None = None) -> str | None:
    """The ``custom_id`` for ``button``, or ``None`` when it would exceed 100 characters.

    A value is never shortened: a cut value could name a different, valid thing (another
    day, another page), so an over-long button is left out and logged instead.
    """
    prefix = f"sb@{space_id}" if space_id else "sb"
    cid = f"{prefix}:{button.action_id}:{button.value}"
    if len(cid) > CUSTOM_ID_MAX or not _PATTERN.fullmatch(cid):
        log.error("button %r (%s) does not fit a Discord custom_id; left out", button.label, cid)
        return None
    return cid


def parse_custom_id(raw: str) -> ButtonPress | None:
    """Read a ``custom_id`` back; ``None`` for ids studybot did not make."""
    match = _PATTERN.fullmatch(raw)
    if match is None:
        return None
    return ButtonPress(match["action"], match["value"], match["space"])


class ComponentsView(discord.ui.View):
    """Buttons to send with a message; clicks are handled by the adapter, not by this view."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    def is_dispatchable(self) -> bool:
        """Never dispatchable, so discord.py does not store it in its view store."""
        return False


def build_view(buttons: tuple[Button, ...], space_id: str | None = None) -> ComponentsView | None:
    """A view with ``buttons`` (action buttons and link buttons), or ``None`` if none fit."""
    view = ComponentsView()
    for button in buttons[:BUTTONS_MAX]:
        label = _label(button.label)
        if button.url:
            if len(button.url) > URL_MAX:
                log.error("link button %r has a URL over %d characters; left out", label, URL_MAX)
                continue
            view.add_item(discord.ui.Button(label=label, url=button.url))
            continue
        cid = custom_id(button, space_id)
        if cid is None:
            continue
        style = _STYLES.get(button.style, discord.ButtonStyle.secondary)
        view.add_item(discord.ui.Button(label=label, style=style, custom_id=cid))
    return view if view.children else None


def _label(text: str) -> str:
    text = text.strip() or "…"
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"
