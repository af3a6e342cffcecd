"""Block Kit rendering within Slack's limits, for extreme replies and all shipped content.

Validity is judged by the fake Slack's Block Kit checker (the limits Slack enforces), not by
the renderer's own constants.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.slack import mrkdwn
from bot.adapters.slack.home import build_blocks
from bot.adapters.slack.render import action_id_of, render_message
from bot.content import render as content_render
from bot.content.store import ContentStore
from bot.core.models import Button, ButtonStyle, FileAttachment, Reply, ReplyField
from tests.fakes.slack_payloads import block_errors


def valid(reply: Reply) -> dict[str, object]:
    message = render_message(reply)
    errors = block_errors(message.blocks)
    assert errors == [], errors
    assert message.text.strip(), "the text fallback must never be empty"
    assert len(message.text) <= 3000
    return {"text": message.text, "blocks": message.blocks}


def section_texts(blocks: list[dict[str, object]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]  # type: ignore[index]


def test_plain_reply() -> None:
    out = valid(Reply(title="Hello **there**", text="A **bold** move", footer="small print"))
    blocks = out["blocks"]
    assert blocks[0] == {  # type: ignore[index]
        "type": "header",
        "text": {"type": "plain_text", "text": "Hello there", "emoji": True},
    }
    assert section_texts(blocks) == ["A *bold* move"]  # type: ignore[arg-type]
    assert blocks[-1]["type"] == "context"  # type: ignore[index]


def test_empty_reply_still_renders() -> None:
    out = valid(Reply())
    assert out["blocks"]


def test_huge_text_is_split_at_lines_and_cut_to_50_blocks_with_a_note() -> None:
    line = "word " * 40  # 200 characters
    text = "\n".join(f"{i}: {line}" for i in range(2000))  # ~400 kB
    reply = Reply(title="T" * 500, text=text, buttons=(Button("Done", "checkin.done", "x"),))
    blocks = valid(reply)["blocks"]
    assert len(blocks) == 50  # type: ignore[arg-type]
    assert blocks[-1]["type"] == "actions"  # type: ignore[index]
    assert "did not fit" in json.dumps(blocks[-2])  # type: ignore[index]
    assert len(blocks[0]["text"]["text"]) <= 150  # type: ignore[index]
    for chunk in section_texts(blocks)[:-1]:  # type: ignore[arg-type]
        assert chunk.endswith(line.rstrip()) or chunk.endswith(line)  # whole lines only


def test_one_enormous_line_is_cut_hard() -> None:
    valid(Reply(text="x" * 10_000))
    valid(Reply(text=("y" * 50 + " ") * 300))


def test_code_block_split_across_sections_stays_code() -> None:
    code = "\n".join(f"print({i})  # " + "c" * 60 for i in range(200))
    blocks = valid(Reply(text=f"```\n{code}\n```"))["blocks"]
    texts = section_texts(blocks)  # type: ignore[arg-type]
    assert len(texts) > 1
    for text in texts:
        assert text.count("```") % 2 == 0, text[:80]


def test_many_buttons_and_duplicate_action_ids() -> None:
    buttons = tuple(Button(f"B{i}" * 40, "vote", str(i), ButtonStyle.DANGER) for i in range(60))
    blocks = valid(Reply(text="pick", buttons=buttons))["blocks"]
    actions = [b for b in blocks if b["type"] == "actions"]  # type: ignore[index]
    assert [len(a["elements"]) for a in actions] == [25, 25, 10]  # type: ignore[index]
    ids = [e["action_id"] for a in actions for e in a["elements"]]  # type: ignore[index]
    assert {action_id_of(i) for i in ids} == {"vote"}
    values = [e["value"] for a in actions for e in a["elements"]]  # type: ignore[index]
    assert values == [str(i) for i in range(60)]


def test_link_buttons_and_long_values() -> None:
    reply = Reply(
        buttons=(
            Button("Docs", url="https://example.org/docs"),
            Button("Go", "go", "v" * 5000),
        )
    )
    blocks = valid(reply)["blocks"]
    link, go = blocks[-1]["elements"]  # type: ignore[index]
    assert link["url"] == "https://example.org/docs" and action_id_of(link["action_id"]) is None
    assert go["action_id"] == "go" and len(go["value"]) == 2000


def test_fields_inline_and_long() -> None:
    fields = tuple(ReplyField(f"F{i}", f"value {i}", inline=True) for i in range(23))
    fields += (ReplyField("Long", "z" * 7000), ReplyField("Wide", "w" * 2500, inline=True))
    blocks = valid(Reply(fields=fields))["blocks"]
    grouped = [b for b in blocks if "fields" in b]  # type: ignore[operator]
    assert [len(b["fields"]) for b in grouped] == [10, 10, 3]  # type: ignore[index]


def test_mentions_and_escaping() -> None:
    reply = Reply(text="a < b && c > d, ping <@U123> in <#C999|general>", mention_user_ids=("U7",))
    out = valid(reply)
    assert out["text"].startswith("<@U7> ")  # type: ignore[union-attr]
    body = section_texts(out["blocks"])  # type: ignore[arg-type]
    assert body[0] == "<@U7>"
    assert body[1] == "a &lt; b &amp;&amp; c &gt; d, ping <@U123> in <#C999|general>"


def test_file_attachment_is_previewed() -> None:
    data = ("name,streak\n" + "ann,3\n" * 2000).encode()
    out = valid(Reply(text="export", file=FileAttachment("streaks.csv", data)))
    assert "streaks.csv" in json.dumps(out["blocks"])


def test_markdown_conversion() -> None:
    text = "# Title\n- **one** and ~~two~~\n  * nested [docs](https://x.org/a?b=1&c=2)\n`**kept**`"
    assert mrkdwn.to_mrkdwn(text) == (
        "*Title*\n• *one* and ~two~\n  • nested <https://x.org/a?b=1&amp;c=2|docs>\n`**kept**`"
    )


def test_home_view_holds_at_most_100_blocks() -> None:
    big = Reply(title="Board", text="\n".join("x" * 2900 for _ in range(80)))
    blocks = build_blocks([big, big, Reply(text="small")], notice=Reply(text="Checked in!"))
    assert block_errors(blocks, max_blocks=100) == []
    assert len(blocks) <= 100
    assert "Checked in!" in json.dumps(blocks[:3])


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=400),
    text=st.text(max_size=8000),
    footer=st.text(max_size=4000),
    labels=st.lists(st.text(max_size=120), max_size=30),
    mentions=st.lists(st.from_regex(r"U[A-Z0-9]{8}", fullmatch=True), max_size=5),
)
def test_any_reply_renders_valid_blocks(
    title: str, text: str, footer: str, labels: list[str], mentions: list[str]
) -> None:
    buttons = tuple(Button(label, "act", label[:50]) for label in labels)
    valid(
        Reply(
            title=title or None,
            text=text,
            footer=footer or None,
            buttons=buttons,
            mention_user_ids=tuple(mentions),
            fields=(ReplyField(title or "f", text[:3000], inline=True),),
        )
    )


def test_every_shipped_content_item_renders(content_store: ContentStore) -> None:
    bundle = content_store.bundle
    day = date(2026, 3, 2)
    replies = [content_render.challenge_reply(c, content_store, day=day) for c in bundle.challenges]
    replies += [content_render.tip_reply(t, content_store, day=day) for t in bundle.tips]
    replies += [content_render.step_reply(s, content_store) for s in bundle.steps]
    replies += [content_render.phase_reply(p, content_store) for p in content_store.phases]
    replies += [content_render.project_reply(p, content_store) for p in bundle.projects]
    replies += [content_render.routine_reply(r) for r in bundle.routines]
    replies.append(content_render.roadmap_overview_reply(content_store))
    replies.append(content_render.project_list_reply(list(bundle.projects)))
    assert len(replies) > 100
    for reply in replies:
        valid(reply)


@pytest.mark.parametrize(
    ("limit", "text"),
    [(100, "a\n" * 300), (3000, "b" * 9000), (50, "```\n" + "c\n" * 100 + "```")],
)
def test_split_respects_the_limit(limit: int, text: str) -> None:
    chunks = mrkdwn.split(text, limit)
    assert all(len(c) <= limit for c in chunks)
    assert "".join(chunks).replace("\n", "").replace("`", "") == text.replace("\n", "").replace(
        "`", ""
    )
