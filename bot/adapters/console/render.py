"""Render a neutral :class:`Reply` as readable plain text for a terminal."""

from __future__ import annotations

import re
import textwrap

from bot.core.models import Reply

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def render(reply: Reply, *, width: int = 88) -> str:
    """Return the reply as text: title, body, fields, buttons and footer."""
    lines: list[str] = []
    if reply.mention_user_ids:
        lines.append(" ".join(f"@{uid}" for uid in reply.mention_user_ids))
    if reply.title:
        title = _plain(reply.title)
        lines += [title, "=" * min(len(title), width)]
    if reply.text:
        lines += _wrap(reply.text, width)
    for field in reply.fields:
        lines += ["", f"{_plain(field.name)}:"]
        lines += ["  " + line for line in _wrap(field.value, width - 2)]
    if reply.buttons:
        labels = "  ".join(f"[{b.label}]" for b in reply.buttons)
        lines += ["", labels]
    if reply.footer:
        lines += ["", _plain(reply.footer)]
    return "\n".join(lines).strip("\n")


def _plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)


def _wrap(text: str, width: int) -> list[str]:
    out: list[str] = []
    in_code = False
    for raw in _plain(text).splitlines():
        if raw.strip().startswith("```"):
            in_code = not in_code  # the fence itself is Markdown, not content
            continue
        if in_code:
            out.append(raw)  # code (a calendar, a command) keeps its alignment
            continue
        if not raw.strip():
            out.append("")
            continue
        indent = "  " if raw.lstrip().startswith("- ") else ""
        # Never split a word, nor at its hyphens: links (dashboard sign-in) must stay whole.
        out += textwrap.wrap(
            raw, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
        ) or [""]
    return out
