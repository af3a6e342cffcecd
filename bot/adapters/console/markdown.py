"""Render a :class:`Reply` for a person at a terminal: Markdown drawn by rich.

Replies carry light Markdown (``**bold**``, `` `code` ``, ``- `` lists, code fences) and
platform mention markup (``<#general>``, ``<@ann>``). A terminal shows neither well as
raw text, so an interactive console draws the Markdown with rich and shows mentions the
way people write them (``#general``, ``@ann``). Scripted sessions keep the plain renderer
(:mod:`bot.adapters.console.render`), whose output tests and scripts can rely on.
"""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.markdown import Markdown

from bot.core.models import Reply

# <#C123|general>, <#general>, <@U1|ann>, <@!123>, <@&role>: keep the readable part.
_MENTION = re.compile(r"<([#@])[!&]?([^>|\s]+)(?:\|([^>]*))?>")


def plain_mentions(text: str) -> str:
    """Show ``<#general>`` as ``#general`` and ``<@U1|ann>`` as ``@ann``."""
    return _MENTION.sub(lambda m: f"{m.group(1)}{m.group(3) or m.group(2)}", text)


def to_markdown(reply: Reply) -> str:
    """The whole reply as one Markdown document, mentions made readable."""
    parts: list[str] = []
    if reply.mention_user_ids:
        parts.append(" ".join(f"@{uid}" for uid in reply.mention_user_ids))
    if reply.title:
        parts.append(f"## {reply.title}")
    if reply.text:
        parts.append(reply.text)
    for field in reply.fields:
        parts.append(f"**{field.name}**\n\n{field.value}")
    if reply.buttons:
        parts.append("  ".join(f"`[{b.label}]`" for b in reply.buttons))
    if reply.footer:
        parts.append(f"*{reply.footer}*")
    return plain_mentions("\n\n".join(parts))


def render_for_terminal(reply: Reply, *, width: int = 88) -> str:
    """The reply drawn by rich for a terminal (with colours), as text to write out."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width, highlight=False)
    console.print(Markdown(to_markdown(reply), code_theme="ansi_dark"))
    # rich pads every line to the width; trailing blanks only make copying from the terminal worse.
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()).strip("\n")
