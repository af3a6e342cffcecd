"""Replies read as people write (issue 19): counted nouns agree, possessives are English,
and no internal value (``True``, ``[0, 1, …]``, ``run_end``) leaks into a reply."""

from __future__ import annotations

import re

from bot.core.wording import count, possessive
from tests.support.harness import BotHarness

# What must never appear in a reply: Python values and hedged plurals.
LEAKS = re.compile(
    r"\bTrue\b|\bFalse\b|\bNone\b|\(s\)|\[\d+, \d+|\b1 (?:days|check-ins|members)\b|you's"
)

SESSION = [
    ("/admin settings challenge.days mon-fri", "mod"),
    ("/admin settings streak.rest_days sat,sun", "mod"),
    ("/admin post tip force", "mod"),
    ("/done first", "you"),
    ("/done second", "you"),
    ("/admin streak you set 5 repaired", "you"),
    ("/admin streak you show", "you"),
    ("/settings hide", "you"),
    ("/settings reminders:on", "you"),
    ("/streak", "you"),
    ("/leaderboard", "you"),
    ("/admin export checkins", "mod"),
    ("/admin audit", "mod"),
    ("/admin settings", "mod"),
    ("/admin schedule", "mod"),
]


def test_count_and_possessive() -> None:
    assert count(1, "check-in") == "1 check-in"
    assert count(0, "day") == "0 days"
    assert count(2, "freeze") == "2 freezes"
    assert count(1200, "member") == "1,200 members"
    assert count(2, "person", "people") == "2 people"
    assert possessive("Ann") == "Ann's"
    assert possessive("you") == "your" and possessive("You", start=True) == "Your"


async def test_no_internal_values_in_replies(bot: BotHarness) -> None:
    for line, user in SESSION:
        reply = await bot.cmd(line, user=user, moderator=True)
        text = reply.plain_text()
        assert not LEAKS.search(text), f"{line}: {LEAKS.search(text)!r} in\n{text}"


async def test_the_audit_log_shows_values_as_people_write_them(bot: BotHarness) -> None:
    for line, user in SESSION[:3]:
        await bot.cmd(line, user=user)
    audit = (await bot.cmd("/admin audit", user="mod")).text
    assert "challenge.days · daily → mon-fri" in audit
    assert "streak.rest_days · none → sat,sun" in audit
    assert "channel #general, force" in audit and "True" not in audit


async def test_an_export_of_one_check_in_says_one(bot: BotHarness) -> None:
    await bot.cmd("/done first", user="ann")
    assert "1 check-in exported." in (await bot.cmd("/admin export checkins", user="mod")).text
