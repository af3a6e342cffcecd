"""Our light Markdown to Slack ``mrkdwn``, plus escaping and limit-aware splitting.

Replies use a small Markdown dialect (``**bold**``, `` `code` ``, ``- `` lists, ``[text](url)``).
Slack's mrkdwn differs (``*bold*``, ``<url|text>``) and requires ``&``, ``<`` and ``>`` to be
escaped, except in its own mention and link syntax, which we keep so handlers can mention members
with ``<@U123>`` (the same syntax Discord uses).
"""

from __future__ import annotations

import re

# Slack syntax we let through unescaped: user/channel mentions and special mentions.
_KEEP = re.compile(r"<(?:@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+(?:\|[^<>]*)?|!(?:here|channel|everyone))>")
_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.S)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_STRIKE = re.compile(r"~~(.+?)~~")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*$", re.M)
_BULLET = re.compile(r"^([ \t]*)[-*][ \t]+", re.M)
_FENCE = "```"


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` as Slack requires, keeping mentions intact."""
    out: list[str] = []
    last = 0
    for match in _KEEP.finditer(text):
        out.append(_escape_plain(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    """Convert our light Markdown to Slack mrkdwn; code spans and blocks are left as typed."""
    parts = _CODE.split(text)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a code span or block: escaped, never reformatted
            out.append(escape(part))
            continue
        part = escape(part)
        part = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", part)
        part = _HEADING.sub(r"**\1**", part)
        part = _BULLET.sub(r"\1• ", part)
        part = _BOLD.sub(r"*\1*", part)
        part = _STRIKE.sub(r"~\1~", part)
        out.append(part)
    return "".join(out)


def plain(text: str) -> str:
    """Strip our Markdown markers for plain-text places (headers, button labels)."""
    text = _LINK.sub(r"\1", text)
    text = _BOLD.sub(r"\1", text)
    return text.replace("`", "")


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ellipsis))].rstrip() + ellipsis


def split(text: str, limit: int) -> list[str]:
    """Split mrkdwn into chunks of at most ``limit`` characters, preferring line boundaries.

    A code block cut in two is closed at the end of one chunk and reopened in the next, so
    both halves still render as code. Lines longer than ``limit`` are cut at a space if there
    is one near the end, else hard.
    """
    if limit < 16:
        raise ValueError("limit too small to split sensibly")
    room = limit - len(_FENCE) - 1  # space to close a code block that spans chunks
    chunks: list[str] = []
    current = ""
    in_code = False
    for line in _long_lines_cut(text.split("\n"), room):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= room:
            current = candidate
        else:
            chunks.append(current + ("\n" + _FENCE if in_code else ""))
            current = (_FENCE + "\n" if in_code else "") + line
        in_code ^= line.count(_FENCE) % 2 == 1
    if current or not chunks:
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [""]


def _long_lines_cut(lines: list[str], room: int) -> list[str]:
    width = room - len(_FENCE) - 1  # a reopened block adds a fence line before it
    out: list[str] = []
    for line in lines:
        while len(line) > width:
            cut = line.rfind(" ", width // 2, width)
            cut = width if cut <= 0 else cut
            out.append(line[:cut])
            line = line[cut:].lstrip(" ")
        out.append(line)
    return out
