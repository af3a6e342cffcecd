"""Every registry command end to end, over signed HTTP and over Socket Mode.

The commands are read from the registry at test time, so a command added later is covered
without touching this file.
"""

from __future__ import annotations

import json

from bot.core.commands import CommandSpec, Registry
from bot.features import all_routers
from tests.adapters.slack.support import (
    ADMIN,
    FAKE_GAPS,
    GENERAL,
    MEMBER,
    SORRY_MARK,
    SlackBot,
)
from tests.fakes.slack_payloads import block_errors


def typed_line(spec: CommandSpec) -> tuple[str, str]:
    """``("/admin", "settings timezone Europe/Berlin")`` for a spec and its first example."""
    example = next((e for e in spec.examples if e.strip()), "")
    if spec.group:
        return f"/{spec.group}", f"{spec.name} {example}".strip()
    return f"/{spec.name}", example


async def test_every_registry_command_is_acked_and_answered(slack: SlackBot) -> None:
    registry = Registry(all_routers())
    assert registry.commands, "the registry should not be empty"
    for spec in registry.commands:
        command, text = typed_line(spec)
        answer = await slack.command(command, text, user=ADMIN)

        assert answer.ack_status == 200, f"{command} {text}: not acknowledged"
        assert answer.ack in ("", {}), f"{command}: the ack should be empty, got {answer.ack!r}"
        assert answer.post.status == 200, f"{command} {text}: {answer.post.answer}"
        assert not block_errors(answer.post.blocks), f"{command}: invalid blocks"
        assert answer.post.text, f"{command}: the text fallback must always be set"
        assert SORRY_MARK not in answer.text, f"{command} {text} failed: {answer.text[:300]}"
        expected = "ephemeral" if spec.ephemeral else None
        if expected:
            assert answer.post.response_type == "ephemeral", f"{command} should be ephemeral"
    await slack.settle()
    failed = [c for c in slack.fake.calls() if not c.ok and c.method not in FAKE_GAPS]
    assert failed == [], f"failed Web API calls: {[(c.method, c.error) for c in failed]}"


async def test_group_without_subcommand_lists_its_subcommands(slack: SlackBot) -> None:
    registry = Registry(all_routers())
    groups = [name for name in registry.top_level_names() if registry.is_group(name)]
    assert groups, "expected at least one command group such as /admin"
    answer = await slack.command(f"/{groups[0]}", "", user=ADMIN)
    assert answer.post.response_type == "ephemeral"
    for spec in registry.group_commands(groups[0]):
        assert spec.name in answer.text


async def test_wrong_argument_gets_the_usage_hint_privately(slack: SlackBot) -> None:
    answer = await slack.command("/admin", "settings timezone Mars/Olympus_Mons", user=ADMIN)
    assert answer.post.response_type == "ephemeral"
    assert "Mars/Olympus_Mons" in answer.text or "timezone" in answer.text
    unknown = await slack.command("/help", "with extra words", user=MEMBER)
    assert unknown.post.response_type == "ephemeral"
    assert "Usage" in unknown.text and "/help" in unknown.text


async def test_shared_result_is_posted_in_channel(slack: SlackBot) -> None:
    answer = await slack.command("/challenge", "")
    assert answer.post.response_type == "in_channel"
    # The fake applies in_channel replies as real messages in the channel.
    [posted] = slack.fake.messages(GENERAL)
    assert posted["bot_id"] == slack.fake.bot_id
    assert json.dumps(posted["blocks"]) == json.dumps(answer.post.blocks)


async def test_private_reply_reaches_only_the_caller(slack: SlackBot) -> None:
    answer = await slack.command("/help", "", user=MEMBER)
    assert answer.post.response_type == "ephemeral"
    assert slack.fake.messages(GENERAL) == []
    [shown] = slack.fake.ephemerals(GENERAL, user=MEMBER)
    assert "/help" in json.dumps(shown["blocks"])


async def test_mentions_typed_as_slack_escapes_them_reach_the_parser(slack: SlackBot) -> None:
    # &lt; and &gt; are how Slack sends a typed < and >; the parser must see the real text.
    answer = await slack.command("/admin", "settings day_start &lt;nope&gt;", user=ADMIN)
    assert "<nope>" in answer.post.body["text"].replace("&lt;", "<").replace("&gt;", ">")
    assert "&amp;lt;" not in answer.post.body["text"]
