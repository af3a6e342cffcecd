"""The rules of link codes: random, hashed, expiring, single use, rate limited, and one
answer for every bad code."""

from __future__ import annotations

import asyncio
import hashlib
import re

import pytest
from sqlalchemy import select

from bot.db.models import AuditEntry, LinkCode
from bot.features.linking.codes import INVALID, hash_code, new_code, normalise
from tests.linking.support import DISCORD, SLACK, code_of, link_spaces, member_of
from tests.support.harness import BotHarness


async def _codes(bot: BotHarness) -> list[LinkCode]:
    async with bot.services.sessions() as session:
        return list((await session.execute(select(LinkCode).order_by(LinkCode.id))).scalars())


def test_codes_carry_64_random_bits_in_a_readable_form() -> None:
    made = {new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", code)
        assert len(normalise(code) or "") * 4 == 64
    code = next(iter(made))
    # Typing is forgiving: case, spaces and dashes do not matter; anything else is no code.
    assert normalise(code.lower().replace("-", " ")) == code.replace("-", "")
    assert normalise(code[:-1]) is None and normalise(code + "0") is None
    assert normalise("status") is None
    assert hash_code(code.lower()) == hashlib.sha256(code.replace("-", "").encode()).hexdigest()


async def test_only_the_hash_is_stored_and_the_code_is_never_logged(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await link_spaces(bot)
    code = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    await bot.cmd(f"/link {code}", user="ann", platform=SLACK)
    rows = await _codes(bot)
    assert [r.kind for r in rows] == ["space", "member"]
    stored = {r.code_hash for r in rows}
    assert hash_code(code) in stored
    assert not any(code.replace("-", "") in h.upper() or code in h for h in stored)
    assert code not in caplog.text
    async with bot.services.sessions() as session:
        entries = list((await session.execute(select(AuditEntry))).scalars())
    assert not any(code in repr((e.target, e.before, e.after, e.reason)) for e in entries)


async def test_a_code_expires_after_15_minutes(bot: BotHarness) -> None:
    await link_spaces(bot)
    code = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    await bot.advance(minutes=15)
    reply = await bot.cmd(f"/link {code}", user="ann", platform=SLACK)
    assert reply.text == INVALID and reply.ephemeral

    fresh = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    await bot.advance(minutes=14, seconds=59)
    reply = await bot.cmd(f"/link {fresh}", user="ann", platform=SLACK)
    assert reply.title == "Accounts linked", reply.text


async def test_a_code_works_once(bot: BotHarness) -> None:
    await link_spaces(bot)
    code = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    assert (await bot.cmd(f"/link {code}", user="ann", platform=SLACK)).title == "Accounts linked"
    again = await bot.cmd(f"/link {code}", user="ann", platform=SLACK)
    assert again.text == INVALID
    # Someone else who saw it cannot use it either.
    other = await bot.cmd(f"/link {code}", user="eve", platform=SLACK)
    assert other.text == INVALID
    [space, member] = await _codes(bot)
    assert space.used_at is not None and member.used_at is not None


async def test_every_bad_code_gets_the_same_answer(bot: BotHarness) -> None:
    await link_spaces(bot)
    member_code = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    space_code = code_of(await bot.cmd("/admin link-space", user="mod", platform=DISCORD))
    await bot.cmd("/link status", user="ann", platform=SLACK)
    attempts = [
        ("/link 0123-4567-89AB-CDEF", "ann"),  # unknown
        ("/link not-a-code", "bob"),  # malformed
        (f"/link {space_code}", "cid"),  # wrong kind: a space code
        (f"/admin link-space {member_code}", "mod"),  # wrong kind: a member code
    ]
    answers = [(await bot.cmd(line, user=user, platform=SLACK)).text for line, user in attempts]
    assert answers == [INVALID] * len(attempts)
    # The member code was not used up by being tried as a space code.
    assert (await bot.cmd(f"/link {member_code}", user="ann", platform=SLACK)).title


async def test_a_new_code_cancels_the_previous_one(bot: BotHarness) -> None:
    await link_spaces(bot)
    first = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    second = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    assert first != second
    assert (await bot.cmd(f"/link {first}", user="ann", platform=SLACK)).text == INVALID
    assert (await bot.cmd(f"/link {second}", user="ann", platform=SLACK)).title


async def test_wrong_codes_are_rate_limited_per_member_and_audited(bot: BotHarness) -> None:
    await link_spaces(bot)
    good = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    for i in range(5):
        reply = await bot.cmd(f"/link 0000-0000-0000-000{i}", user="ann", platform=SLACK)
        assert reply.text == INVALID
    # The sixth try is refused before the code is looked at, even a good one.
    limited = await bot.cmd(f"/link {good}", user="ann", platform=SLACK)
    assert "Too many wrong codes" in limited.text and "15 minutes" in limited.text
    # Another member is not affected.
    other = await bot.cmd("/link 0000-0000-0000-0000", user="bob", platform=SLACK)
    assert other.text == INVALID
    slack_ann = await member_of(bot.services, SLACK, "ann")
    async with bot.services.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == "link.code_rejected")
        rejected = list((await session.execute(query)).scalars())
    assert sum(e.actor_member_id == slack_ann.id for e in rejected) == 5

    await bot.advance(minutes=10)
    still = await bot.cmd(f"/link {good}", user="ann", platform=SLACK)
    assert "wait 5 minutes" in still.text
    await bot.advance(minutes=5, seconds=1)  # the window has passed (and ``good`` expired)
    fresh = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    assert (await bot.cmd(f"/link {fresh}", user="ann", platform=SLACK)).title


async def test_asking_for_codes_is_rate_limited(bot: BotHarness) -> None:
    await link_spaces(bot)
    for _ in range(5):
        code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    reply = await bot.cmd("/link", user="ann", platform=DISCORD)
    assert reply.metadata is None and "5 codes" in reply.text and "wait 15 minutes" in reply.text
    await bot.advance(minutes=15)
    code_of(await bot.cmd("/link", user="ann", platform=DISCORD))


async def test_two_concurrent_redeems_of_one_code_have_one_winner(bot: BotHarness) -> None:
    await link_spaces(bot)
    code = code_of(await bot.cmd("/link", user="ann", platform=DISCORD))
    await bot.cmd("/link status", user="ann", platform=SLACK)
    await bot.cmd("/link status", user="ann2", platform=SLACK)
    replies = await asyncio.gather(
        bot.cmd(f"/link {code}", user="ann", platform=SLACK),
        bot.cmd(f"/link {code}", user="ann2", platform=SLACK),
    )
    titles = sorted(r.title or r.text for r in replies)
    assert titles == sorted(["Accounts linked", INVALID])


async def test_only_moderators_link_spaces_and_codes_need_a_linked_space(bot: BotHarness) -> None:
    denied = await bot.cmd("/admin link-space", user="ann", platform=DISCORD)
    assert "for moderators" in denied.text and denied.metadata is None
    code = code_of(await bot.cmd("/admin link-space", user="mod", platform=DISCORD))
    denied = await bot.cmd(f"/admin link-space {code}", user="ann", platform=SLACK)
    assert "for moderators" in denied.text
    # Not used up by the refused attempt: a moderator there can still redeem it.
    ok = await bot.cmd(f"/admin link-space {code}", user="mod", platform=SLACK)
    assert ok.title == "Spaces linked"
    assert (await _codes(bot))[0].used_at is not None
