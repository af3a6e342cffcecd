"""Render a neutral :class:`Reply` as Discord messages made of embeds, within every limit.

Discord limits (message resource docs): content 2000 characters; at most 10 embeds per
message; per embed a title of 256, a description of 4096, 25 fields with names of 256 and
values of 1024, a footer of 2048; and 6000 characters across *all* embeds of one message.
Long text is never cut: it is split at line boundaries into more embeds, and embeds that do
not fit one message go on to the next. Titles, field names and the footer are short labels,
so those are shortened with an ellipsis instead. Lengths are counted in UTF-16 code units,
which is never less than Discord's count, so an emoji-heavy reply cannot slip over a limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

from bot.core.models import Reply, ReplyField

CONTENT_MAX = 2000
EMBEDS_PER_MESSAGE = 10
MESSAGE_EMBED_TOTAL = 6000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
COLOUR = discord.Colour(0x3BA55C)
ELLIPSIS = "…"
BLANK = "\u200b"  # Discord rejects empty field names and values; a zero-width space is "empty"
CONTINUED = " (continued)"
_FENCE = "```"
_REOPEN_MAX = 16


def units(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (astral characters such as emoji count 2)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Return ``text`` shortened to ``limit`` units, ending with an ellipsis when cut."""
    if units(text) <= limit:
        return text
    return _prefix(text, limit - 1).rstrip() + ELLIPSIS


def _prefix(text: str, limit: int) -> str:
    """The longest prefix of ``text`` that is at most ``limit`` units long."""
    if units(text) <= limit:
        return text
    lo, hi = 0, min(len(text), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if units(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


class _Splitter:
    """Fills chunks line by line; see :func:`split_text`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chunks: list[str] = []
        self.buf = ""
        self.fresh = True  # ``buf`` holds nothing but a reopened fence (or nothing)
        self.fence: str | None = None  # the fence line of a code block open at the end of buf

    def _reopen(self) -> str:
        assert self.fence is not None
        return self.fence if units(self.fence) <= _REOPEN_MAX else _FENCE

    def _flush(self) -> None:
        if self.fence:
            self.buf += "\n" + _FENCE
        if self.buf.strip():
            self.chunks.append(self.buf)
        self.buf = self._reopen() if self.fence else ""
        self.fresh = True

    def finish(self) -> list[str]:
        """The chunks, the last one included."""
        self._flush()
        return self.chunks

    def add(self, line: str) -> None:
        """Append one line of the text."""
        opens = line.lstrip().startswith(_FENCE)
        after = (None if self.fence else line.strip()) if opens else self.fence
        closing = units("\n" + _FENCE) if after else 0
        while True:
            sep = "\n" if self.buf else ""
            if units(self.buf) + units(sep + line) + closing <= self.limit:
                self.buf += sep + line
                self.fence, self.fresh = after, False
                return
            fresh_size = units(self._reopen()) + 1 if self.fence else 0
            if not self.fresh and fresh_size + units(line) + closing <= self.limit:
                self._flush()
                continue
            # The line cannot fit any chunk whole: fill this chunk with its head.
            space = self.limit - units(self.buf) - units(sep) - (4 if self.fence else 0)
            head = _prefix(line, space)
            cut = head.rfind(" ")
            if len(head) < len(line) and cut > len(head) // 4:
                head = head[: cut + 1]
            if head:
                self.buf += sep + head
                self.fresh = False
                line = line[len(head) :]
            self._flush()


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` units, breaking between lines.

    A line too long for any chunk is broken at a space (or anywhere, if it has none) and
    continues at the start of the next chunk. A code block that spans two chunks is closed
    at the end of the first and reopened at the start of the next, so both render as code.
    """
    text = text.strip("\n")
    if not text.strip():
        return []
    splitter = _Splitter(limit)
    for line in text.split("\n"):
        splitter.add(line)
    return splitter.finish()


@dataclass
class RenderedMessage:
    """One Discord message: optional content (mentions) and up to ten embeds."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)

    @property
    def embed_total(self) -> int:
        """Characters counted against the 6000-character total of this message."""
        return sum(embed_units(e) for e in self.embeds)


def embed_units(embed: discord.Embed) -> int:
    """Units Discord counts for one embed (title, description, fields, footer, author)."""
    total = units(embed.title or "") + units(embed.description or "")
    total += units(embed.footer.text or "") + units(embed.author.name or "")
    return total + sum(units(f.name or "") + units(f.value or "") for f in embed.fields)


class _Packer:
    """Places embed parts into embeds and embeds into messages, respecting every limit."""

    def __init__(self) -> None:
        self.messages: list[RenderedMessage] = []
        self.embed: discord.Embed | None = None

    def _room(self) -> int:
        return MESSAGE_EMBED_TOTAL - (self.messages[-1].embed_total if self.messages else 0)

    def new_embed(self, needed: int) -> discord.Embed:
        message = self.messages[-1] if self.messages else None
        if message is None or len(message.embeds) >= EMBEDS_PER_MESSAGE or self._room() < needed:
            message = RenderedMessage()
            self.messages.append(message)
        self.embed = discord.Embed(colour=COLOUR)
        message.embeds.append(self.embed)
        return self.embed

    def description(self, chunk: str, title: str | None = None) -> None:
        embed = self.new_embed(units(chunk) + units(title or ""))
        if title:
            embed.title = title
        embed.description = chunk

    def title_only(self, title: str) -> None:
        self.new_embed(units(title)).title = title

    def add_field(self, name: str, value: str, inline: bool) -> None:
        needed = units(name) + units(value)
        embed = self.embed
        if embed is None or len(embed.fields) >= FIELDS_PER_EMBED or self._room() < needed:
            embed = self.new_embed(needed)
        embed.add_field(name=name, value=value, inline=inline)

    def footer(self, text: str) -> None:
        if self.embed is None or self._room() < units(text):
            self.new_embed(units(text))
        assert self.embed is not None
        self.embed.set_footer(text=text)


def _field_parts(field_: ReplyField) -> list[tuple[str, str]]:
    name = field_.name.strip() or BLANK
    values = split_text(field_.value, FIELD_VALUE_MAX) or [BLANK]
    parts = [(clip(name, FIELD_NAME_MAX), values[0])]
    more = clip(name + CONTINUED, FIELD_NAME_MAX) if name != BLANK else BLANK
    parts += [(more, value) for value in values[1:]]
    return parts


def mention_lines(user_ids: tuple[str, ...]) -> list[str]:
    """Mentions of ``user_ids`` packed into content strings of at most 2000 characters."""
    mentions = " ".join(f"<@{uid}>" for uid in user_ids)
    return split_text(mentions, CONTENT_MAX)


def render(reply: Reply) -> list[RenderedMessage]:
    """Render ``reply`` as one or more messages that each satisfy Discord's limits.

    The first message carries the mentions as content; buttons and files belong on the
    last message (the adapter attaches them). An empty reply becomes one message with a
    placeholder, because Discord refuses empty messages.
    """
    packer = _Packer()
    title = clip(reply.title.strip(), TITLE_MAX) if reply.title and reply.title.strip() else None
    chunks = split_text(reply.text, DESCRIPTION_MAX)
    for index, chunk in enumerate(chunks):
        packer.description(chunk, title if index == 0 else None)
    if title and not chunks:
        packer.title_only(title)
    for field_ in reply.fields:
        for name, value in _field_parts(field_):
            packer.add_field(name, value, field_.inline)
    if reply.footer and reply.footer.strip():
        packer.footer(clip(reply.footer.strip(), FOOTER_MAX))
    messages = packer.messages
    contents = mention_lines(reply.mention_user_ids)
    for index, content in enumerate(contents):
        if index < len(messages):
            messages[index].content = content
        else:
            messages.append(RenderedMessage(content=content))
    if not messages:
        messages.append(RenderedMessage(embeds=[discord.Embed(colour=COLOUR, description="✓")]))
    return messages
