"""The Discord renderer keeps every reply within Discord's limits and loses no text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.discord.render import (
    CONTENT_MAX,
    DESCRIPTION_MAX,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_PER_EMBED,
    FOOTER_MAX,
    MESSAGE_EMBED_TOTAL,
    TITLE_MAX,
    RenderedMessage,
    render,
    split_text,
    units,
)
from bot.content.store import ContentStore
from bot.core.models import Reply, ReplyField


def limit_problems(messages: list[RenderedMessage]) -> list[str]:
    """Every Discord limit the rendered messages break."""
    found: list[str] = []
    for i, message in enumerate(messages):
        if message.content is not None and units(message.content) > CONTENT_MAX:
            found.append(f"message {i}: content {units(message.content)}")
        if len(message.embeds) > EMBEDS_PER_MESSAGE:
            found.append(f"message {i}: {len(message.embeds)} embeds")
        if message.embed_total > MESSAGE_EMBED_TOTAL:
            found.append(f"message {i}: embed total {message.embed_total}")
        if not message.content and not message.embeds:
            found.append(f"message {i} is empty")
        for embed in message.embeds:
            if units(embed.title or "") > TITLE_MAX:
                found.append("title")
            if units(embed.description or "") > DESCRIPTION_MAX:
                found.append("description")
            if len(embed.fields) > FIELDS_PER_EMBED:
                found.append("field count")
            for f in embed.fields:
                if not (f.name or "").strip() and f.name != "\u200b":
                    found.append("empty field name")
                if not (f.value or "").strip() and f.value != "\u200b":
                    found.append("empty field value")
                if units(f.name or "") > FIELD_NAME_MAX or units(f.value or "") > FIELD_VALUE_MAX:
                    found.append("field size")
            if units(embed.footer.text or "") > FOOTER_MAX:
                found.append("footer")
    return found


def visible(text: str) -> str:
    """The non-space characters of ``text`` (splitting may only move whitespace)."""
    return re.sub(r"\s+", "", text)


# Letters, emoji (two UTF-16 units), spaces and newlines; no backticks, so no code fences.
_ALPHABET = st.sampled_from([*"abcxyz019 .-*", "\n", "\n\n", "🔥", "é", "日本"])
long_text = st.lists(_ALPHABET, max_size=12000).map("".join)
short_text = st.lists(_ALPHABET, max_size=400).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.none() | short_text | st.text(min_size=250, max_size=600),
    text=long_text,
    fields=st.lists(
        st.builds(ReplyField, name=short_text, value=long_text, inline=st.booleans()),
        max_size=40,
    ),
    footer=st.none() | long_text,
    mentions=st.lists(st.from_regex(r"[0-9]{17,20}", fullmatch=True), max_size=150),
)
def test_any_reply_fits_every_limit(
    title: str | None,
    text: str,
    fields: list[ReplyField],
    footer: str | None,
    mentions: list[str],
) -> None:
    reply = Reply(
        title=title,
        text=text,
        fields=tuple(fields),
        footer=footer,
        mention_user_ids=tuple(mentions),
    )
    messages = render(reply)
    assert messages
    assert limit_problems(messages) == []
    descriptions = "".join(e.description or "" for m in messages for e in m.embeds)
    placeholder = messages == [m for m in messages if m.embeds and m.embeds[0].description == "✓"]
    assert visible(descriptions) == visible(text) or (placeholder and not visible(text))
    values = "".join(
        f.value for m in messages for e in m.embeds for f in e.fields if f.value != "\u200b"
    )
    assert visible(values) == visible("".join(f.value for f in fields))
    contents = "".join(m.content or "" for m in messages)
    assert re.findall(r"<@(\d+)>", contents) == mentions


def test_a_small_reply_is_one_embed() -> None:
    reply = Reply(
        title="Step 5", text="Learn SQL.", fields=(ReplyField("Why", "Data."),), footer="f"
    )
    [message] = render(reply)
    [embed] = message.embeds
    assert (embed.title, embed.description, embed.footer.text) == ("Step 5", "Learn SQL.", "f")
    assert [(f.name, f.value) for f in embed.fields] == [("Why", "Data.")]
    assert message.content is None


def test_long_text_splits_between_lines_in_order() -> None:
    lines = [f"line {i:05d} " + "x" * 90 for i in range(400)]
    messages = render(Reply(title="Long", text="\n".join(lines)))
    descriptions = [e.description or "" for m in messages for e in m.embeds]
    assert len(descriptions) > 1
    assert [line for d in descriptions for line in d.split("\n")] == lines
    assert messages[0].embeds[0].title == "Long"
    assert all(e.title is None for m in messages for e in m.embeds[1:])
    assert limit_problems(messages) == []


def test_a_long_field_continues_in_a_named_field() -> None:
    value = "\n".join(f"- member {i}" for i in range(300))
    [message] = render(Reply(fields=(ReplyField("Board", value),)))
    names = [f.name for e in message.embeds for f in e.fields]
    assert names[0] == "Board" and set(names[1:]) == {"Board (continued)"}
    assert "\n".join(f.value for e in message.embeds for f in e.fields) == value


def test_code_blocks_stay_code_blocks_across_a_split() -> None:
    code = "\n".join(f"print({i})  # {'z' * 60}" for i in range(150))
    messages = render(Reply(text=f"Intro\n```python\n{code}\n```\nOutro"))
    descriptions = [e.description or "" for m in messages for e in m.embeds]
    assert len(descriptions) > 1
    for description in descriptions:
        assert description.count("```") % 2 == 0, description[:80]
    assert descriptions[1].startswith("```python\n")


def test_an_empty_reply_is_still_a_valid_message() -> None:
    [message] = render(Reply())
    assert message.embeds and limit_problems([message]) == []


def test_split_text_breaks_a_line_without_spaces() -> None:
    chunks = split_text("a" * 10000, 4096)
    assert all(len(c) <= 4096 for c in chunks)
    assert "".join(chunks) == "a" * 10000


def _content_replies(store: ContentStore) -> list[Reply]:
    """Every content item rendered by the content builders."""
    from bot.content import render as build

    bundle = store.bundle
    replies = [build.roadmap_overview_reply(store), build.routines_reply(bundle.routines)]
    replies += [build.step_reply(step, store) for step in bundle.steps]
    replies += [build.phase_reply(phase, store) for phase in bundle.phases]
    replies += [build.routine_reply(routine) for routine in bundle.routines]
    replies += [build.project_reply(project, store) for project in bundle.projects]
    replies += [build.challenge_reply(c, store) for c in bundle.challenges]
    replies += [build.tip_reply(tip, store) for tip in bundle.tips]
    replies.append(build.project_list_reply(bundle.projects))
    return replies


def test_every_shipped_content_item_renders_within_limits(content_store: ContentStore) -> None:
    replies = _content_replies(content_store)
    assert len(replies) > 20
    for reply in replies:
        messages = render(reply)
        assert limit_problems(messages) == [], reply.title
        assert len(messages) == 1, f"{reply.title} needs {len(messages)} messages"


_CODE_ALPHABET = st.sampled_from(["```", "```python", "\n", "x" * 50, " ", "🔥" * 10, "`"])


@settings(max_examples=60, deadline=None)
@given(text=st.lists(_CODE_ALPHABET, max_size=3000).map("".join), limit=st.integers(60, 4096))
def test_split_text_with_code_fences_respects_the_limit(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(units(c) <= limit for c in chunks)
    assert visible("".join(chunks).replace("`", "")).replace("python", "") == visible(
        text.replace("`", "")
    ).replace("python", "")
