"""Render a neutral :class:`Reply` as a Slack Block Kit message within Slack's limits.

Limits enforced here (Slack rejects the whole message otherwise): a header's plain text is at
most 150 characters, a section's text 3000 and a section field 2000 (at most 10 fields), an
actions block holds at most 25 elements, a button label 75 characters, its ``value`` 2000 and its
``action_id`` 255 (unique within the block), and a message has at most 50 blocks (a Home tab
100). The ``text`` fallback, used for notifications and screen readers, is always set.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack import mrkdwn
from bot.core.models import Button, ButtonStyle, Reply, ReplyField

log = logging.getLogger(__name__)

Block = dict[str, Any]

MESSAGE_MAX_BLOCKS = 50
HOME_MAX_BLOCKS = 100
HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FIELDS_PER_SECTION = 10
CONTEXT_MAX = 3000
BUTTONS_PER_BLOCK = 25
BUTTON_LABEL_MAX = 75
BUTTON_VALUE_MAX = 2000
ACTION_ID_MAX = 255
FALLBACK_MAX = 3000
FILE_PREVIEW_MAX = 2500
# Separates our action id from the suffix that keeps Slack action ids unique in a block.
ACTION_SUFFIX = "#"
LINK_ACTION = "studybot-link"
EMPTY = "…"  # Slack rejects empty texts; this stands in for an empty part
_SUFFIXED = re.compile(r"^(.+)#\d+$")

_STYLES = {
    ButtonStyle.PRIMARY: "primary",
    ButtonStyle.SUCCESS: "primary",
    ButtonStyle.DANGER: "danger",
}


@dataclass(frozen=True)
class SlackMessage:
    """A rendered message: the notification ``text`` and the ``blocks``."""

    text: str
    blocks: list[Block]

    def as_args(self) -> dict[str, Any]:
        """Keyword arguments for ``chat.postMessage`` / ``response_url`` posts."""
        return {"text": self.text, "blocks": self.blocks}


def render_message(reply: Reply, *, max_blocks: int = MESSAGE_MAX_BLOCKS) -> SlackMessage:
    """Render ``reply`` as one message (blocks plus the ``text`` fallback)."""
    return SlackMessage(text=fallback_text(reply), blocks=render_blocks(reply, max_blocks))


def fallback_text(reply: Reply) -> str:
    """The plain ``text`` Slack shows in notifications: mentions first, then the reply."""
    mentions = " ".join(f"<@{uid}>" for uid in reply.mention_user_ids)
    body = mrkdwn.to_mrkdwn(reply.plain_text())
    text = f"{mentions} {body}".strip() if mentions else body
    if not text.strip():
        # Notifications need words; a reply of buttons only is named by its buttons.
        text = " · ".join(mrkdwn.plain(b.label) for b in reply.buttons if b.label.strip()) or "…"
    return mrkdwn.truncate(text, FALLBACK_MAX)


def render_blocks(reply: Reply, max_blocks: int = MESSAGE_MAX_BLOCKS) -> list[Block]:
    """The reply's blocks, cut to ``max_blocks`` with a note when it does not fit.

    Buttons are kept when content is cut: the note replaces the last content blocks.
    """
    content: list[Block] = []
    if reply.mention_user_ids:
        mentions = " ".join(f"<@{uid}>" for uid in reply.mention_user_ids)
        content.append(_section(mentions))
    if reply.title:
        content.append(header(reply.title))
    if reply.text.strip():
        content += [
            _section(chunk) for chunk in mrkdwn.split(mrkdwn.to_mrkdwn(reply.text), SECTION_MAX)
        ]
    content += _field_blocks(reply.fields)
    if reply.file is not None:
        content += _file_blocks(reply.file.filename, reply.file.content)
    if reply.footer and reply.footer.strip():
        content.append(context(mrkdwn.to_mrkdwn(reply.footer)))
    actions = button_blocks(reply.buttons)
    budget = max(1, max_blocks - len(actions))
    if len(content) > budget:
        dropped = len(content) - (budget - 1)
        log.warning(
            "reply cut to fit Slack's %d-block limit (%d blocks dropped)", max_blocks, dropped
        )
        note = context(f"_…{dropped} more part(s) did not fit in one Slack message._")
        content = [*content[: budget - 1], note]
    blocks = content + actions
    return blocks[:max_blocks] or [_section(EMPTY)]


def header(title: str) -> Block:
    """A header block (plain text, at most 150 characters)."""
    text = mrkdwn.truncate(mrkdwn.plain(title).strip() or EMPTY, HEADER_MAX)
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def context(text: str) -> Block:
    """A context block with one mrkdwn element (small print)."""
    return {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": mrkdwn.truncate(text, CONTEXT_MAX).strip() or EMPTY}
        ],
    }


def divider() -> Block:
    """A divider block."""
    return {"type": "divider"}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text if text.strip() else EMPTY}}


def _field_blocks(fields: tuple[ReplyField, ...]) -> list[Block]:
    blocks: list[Block] = []
    pending: list[dict[str, str]] = []

    def flush() -> None:
        if pending:
            blocks.append({"type": "section", "fields": list(pending)})
            pending.clear()

    for field in fields:
        name = mrkdwn.to_mrkdwn(mrkdwn.plain(field.name))
        text = f"*{name}*\n{mrkdwn.to_mrkdwn(field.value)}"
        if field.inline and len(text) <= FIELD_MAX:
            pending.append({"type": "mrkdwn", "text": text})
            if len(pending) == FIELDS_PER_SECTION:
                flush()
            continue
        flush()
        blocks += [_section(chunk) for chunk in mrkdwn.split(text, SECTION_MAX)]
    flush()
    return blocks


def _file_blocks(filename: str, content: bytes) -> list[Block]:
    # Replies upload files to the asker's DM; this preview is the fallback when that fails.
    text = content.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n")
    shown = text[:FILE_PREVIEW_MAX]
    note = f"*{mrkdwn.escape(filename)}* ({len(content)} bytes; I could not send it as a file)"
    if len(shown) < len(text):
        note += " — the start of it"
    return [_section(f"{note}\n```{mrkdwn.escape(shown)}```"[:SECTION_MAX])]


def button_blocks(buttons: tuple[Button, ...]) -> list[Block]:
    """Actions blocks for ``buttons``, 25 per block, with action ids unique per block."""
    blocks: list[Block] = []
    for start in range(0, len(buttons), BUTTONS_PER_BLOCK):
        chunk = buttons[start : start + BUTTONS_PER_BLOCK]
        used: set[str] = set()
        elements = [_button(b, start + i, used) for i, b in enumerate(chunk)]
        blocks.append({"type": "actions", "elements": elements})
    return blocks


def _button(button: Button, index: int, used: set[str]) -> Block:
    label = mrkdwn.truncate(mrkdwn.plain(button.label).strip() or "…", BUTTON_LABEL_MAX)
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
    }
    if button.url:
        element["url"] = button.url
        base = LINK_ACTION
    else:
        base = button.action_id[: ACTION_ID_MAX - 8]
        if len(button.value) > BUTTON_VALUE_MAX:
            log.warning("button value of %s is too long for Slack; cut", button.action_id)
        element["value"] = button.value[:BUTTON_VALUE_MAX]
    action_id = base
    if action_id in used or button.url:
        action_id = f"{base}{ACTION_SUFFIX}{index}"
    used.add(action_id)
    element["action_id"] = action_id
    style = _STYLES.get(button.style)
    if style:
        element["style"] = style
    return element


def action_id_of(slack_action_id: str) -> str | None:
    """Our action id from a Slack one (``None`` for link buttons, which need no handling)."""
    match = _SUFFIXED.match(slack_action_id)
    base = match.group(1) if match else slack_action_id
    return None if base == LINK_ACTION else base
