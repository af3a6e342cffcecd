"""The light Markdown of bot replies (``**bold**``, `` `code` ``, ``- `` lists) as safe HTML.

Pages that show what a chat command computes (``/admin schedule``) render its
:class:`~bot.core.models.Reply` with this instead of computing it again.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from bot.core.models import Reply

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def inline(text: str) -> Markup:
    """One line: escape first, then bold and code spans."""
    html = str(escape(text))
    html = _CODE.sub(r"<code>\1</code>", html)
    return Markup(_BOLD.sub(r"<strong>\1</strong>", html))


def block(text: str) -> Markup:
    """Several lines: ``- `` lines become a list, others paragraphs."""
    out: list[str] = []
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append(f"<li>{inline(line[2:])}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line.strip():
            out.append(f"<p>{inline(line)}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    return Markup("".join(out))


def reply_html(reply: Reply) -> Markup:
    """A whole reply: body, then each field as a section."""
    parts = [str(block(reply.text))]
    for field in reply.fields:
        parts.append(f"<section><h3>{escape(field.name)}</h3>{block(field.value)}</section>")
    if reply.footer:
        parts.append(f'<p class="small">{inline(reply.footer)}</p>')
    return Markup("".join(parts))
