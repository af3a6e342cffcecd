"""The platforms' message limits, and helpers that keep a :class:`Reply` inside them.

Adapters render a reply as a Discord embed (title 256, description 4096, 25 fields of
1024, footer 2048, 6000 characters in all) or as Slack Block Kit (3000 characters per
section, 50 blocks). The builders aim far below these numbers; :func:`fit` is the safety
net for content a group wrote itself, and :func:`problems` is what the tests check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.core.models import Reply, ReplyField

TITLE_MAX = 256
TEXT_MAX = 3000  # Slack's section limit; Discord would allow 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000  # Discord counts title, description, fields and footer together
BLOCKS_MAX = 50
LINK_BUTTONS_MAX = 5
ELLIPSIS = "…"
SHORTENED = "(shortened to fit the message size limit)"


def clip(text: str, limit: int) -> str:
    """Return ``text`` cut to at most ``limit`` characters, marking a cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def chunked_fields(name: str, lines: Iterable[str]) -> tuple[ReplyField, ...]:
    """Fields holding ``lines`` in order, split between whole lines at the field limit.

    A list longer than one field continues in fields named ``"<name> (continued)"``, so a
    long list stays complete instead of being cut off.
    """
    fields: list[ReplyField] = []
    current: list[str] = []
    size = 0
    for raw in lines:
        line = clip(raw, FIELD_VALUE_MAX)
        extra = len(line) + (1 if current else 0)
        if current and size + extra > FIELD_VALUE_MAX:
            fields.append(_field(name, fields, current))
            current, size, extra = [], 0, len(line)
        current.append(line)
        size += extra
    if current:
        fields.append(_field(name, fields, current))
    return tuple(fields)


def _field(name: str, done: list[ReplyField], lines: list[str]) -> ReplyField:
    label = name if not done else f"{name} (continued)"
    return ReplyField(clip(label, FIELD_NAME_MAX), "\n".join(lines))


def embed_size(reply: Reply) -> int:
    """Characters Discord counts against its 6000-character embed total."""
    fields = sum(len(f.name) + len(f.value) for f in reply.fields)
    return len(reply.title or "") + len(reply.text) + fields + len(reply.footer or "")


def block_count(reply: Reply) -> int:
    """Blocks a Slack rendering needs: header, text sections, one per field, buttons, footer."""
    text_blocks = -(-len(reply.text) // TEXT_MAX) if reply.text else 0
    return (
        (1 if reply.title else 0)
        + text_blocks
        + len(reply.fields)
        + (1 if reply.buttons else 0)
        + (1 if reply.footer else 0)
    )


def problems(reply: Reply) -> list[str]:
    """Every platform limit ``reply`` breaks (empty when it fits both platforms)."""
    found: list[str] = []
    if reply.title and len(reply.title) > TITLE_MAX:
        found.append(f"title has {len(reply.title)} characters (max {TITLE_MAX})")
    if len(reply.text) > TEXT_MAX:
        found.append(f"text has {len(reply.text)} characters (max {TEXT_MAX})")
    if len(reply.fields) > FIELDS_MAX:
        found.append(f"{len(reply.fields)} fields (max {FIELDS_MAX})")
    for f in reply.fields:
        if not f.name.strip() or not f.value.strip():
            found.append(f"field {f.name!r} has an empty name or value")
        if len(f.name) > FIELD_NAME_MAX:
            found.append(f"field name {f.name[:40]!r} is too long")
        if len(f.value) > FIELD_VALUE_MAX:
            found.append(f"field {f.name!r} has {len(f.value)} characters (max {FIELD_VALUE_MAX})")
    if reply.footer and len(reply.footer) > FOOTER_MAX:
        found.append(f"footer has {len(reply.footer)} characters (max {FOOTER_MAX})")
    if embed_size(reply) > EMBED_TOTAL_MAX:
        found.append(f"{embed_size(reply)} characters in all (max {EMBED_TOTAL_MAX})")
    if block_count(reply) > BLOCKS_MAX:
        found.append(f"{block_count(reply)} blocks (max {BLOCKS_MAX})")
    if sum(1 for b in reply.buttons if b.url) > LINK_BUTTONS_MAX:
        found.append(f"more than {LINK_BUTTONS_MAX} link buttons")
    return found


def fit(reply: Reply) -> Reply:
    """Return ``reply`` cut down until it fits every limit (a no-op for shipped content).

    Texts are clipped with an ellipsis; when the whole is too large, trailing fields are
    dropped and the footer says the message was shortened.
    """
    if not problems(reply):
        return reply
    fields = [
        ReplyField(clip(f.name, FIELD_NAME_MAX), clip(f.value, FIELD_VALUE_MAX), f.inline)
        for f in reply.fields
    ][:FIELDS_MAX]
    footer = clip(reply.footer, FOOTER_MAX) if reply.footer else None
    fitted = replace(
        reply,
        title=clip(reply.title, TITLE_MAX) if reply.title else None,
        text=clip(reply.text, TEXT_MAX),
        fields=tuple(fields),
        footer=footer,
    )
    if embed_size(fitted) > EMBED_TOTAL_MAX:
        room = FOOTER_MAX - len(SHORTENED) - 3
        note = f"{clip(footer, room)} · {SHORTENED}" if footer else SHORTENED
        fitted = replace(fitted, footer=note)
        while embed_size(fitted) > EMBED_TOTAL_MAX and fitted.fields:
            fitted = replace(fitted, fields=fitted.fields[:-1])
        overflow = embed_size(fitted) - EMBED_TOTAL_MAX
        if overflow > 0:
            fitted = replace(fitted, text=clip(fitted.text, max(len(fitted.text) - overflow, 1)))
    return fitted
