"""Maintained progress figures stay exact: every writer, every rebuild, both databases.

The maintained rows (``member_progress``, ``progress_counts``, ``step_challenges``) must
equal what a rebuild from the source rows (``step_progress``, ``challenge_done``) gives:
after step changes and done challenges, after a merge, after ``/admin streak`` repairs
and a streak import (which touch neither source, so they must leave progress alone),
and after the first read of data written before the summaries existed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, text

from bot.db.models import Identity, Member, Space, StepProgress
from bot.db.models_progress import MemberProgress, ProgressCount, StepChallenges
from bot.db.repositories import progress_challenges, progress_summary
from bot.ops import streak_import
from bot.ops.streak_csv import StreakRow
from bot.progress.challenge_steps import challenge_steps, of_challenges
from bot.progress.plan import Status
from tests.linking.support import DISCORD, SLACK, link_accounts, link_spaces
from tests.support.harness import BotHarness

Snapshot = dict[str, list[tuple[Any, ...]]]


async def snapshot(bot: BotHarness) -> Snapshot:
    """Every maintained progress row, sorted (``updated_at`` left out)."""
    async with bot.services.sessions() as session:
        return await _read(session)


_QUERIES = {
    "member_progress": "SELECT member_id, group_id, hidden, current_step, on_step, "
    "steps_done, moved_on FROM member_progress",
    "progress_counts": "SELECT group_id, kind, key, score, members FROM progress_counts "
    "WHERE members != 0 AND kind NOT IN ('built', 'challenges')",
    "step_challenges": "SELECT member_id, step_id, group_id, done FROM step_challenges",
    "step_progress": "SELECT member_id, step_id, status, started_on, finished_on "
    "FROM step_progress",
    "challenge_done": "SELECT member_id, challenge_id, done_on FROM challenge_done",
}


async def _read(session: Any) -> Snapshot:
    return {
        name: sorted(tuple(map(str, row)) for row in (await session.execute(text(q))).all())
        for name, q in _QUERIES.items()
    }


async def rebuilt(bot: BotHarness, group_id: int = 1) -> Snapshot:
    """The snapshot after rebuilding everything from the source rows (rolled back)."""
    store = bot.services.content
    async with bot.services.sessions() as session:
        await progress_summary.rebuild(
            session, (store.phases, store.steps), group_id, bot.clock.now()
        )
        await progress_challenges.rebuild(
            session, group_id, challenge_steps(store.bundle.challenges)
        )
        found = await _read(session)
        await session.rollback()
    return found


async def assert_exact(bot: BotHarness) -> Snapshot:
    """The maintained rows equal a rebuild from the source rows."""
    kept = await snapshot(bot)
    assert kept == await rebuilt(bot)
    return kept


async def live_a_little(bot: BotHarness) -> None:
    """Three members move on the plan and do challenges over a few weeks."""
    await bot.cmd("/roadmap done web-basics", user="ann")
    await bot.cmd("/roadmap start git", user="ann")
    await bot.cmd("/roadmap start web-basics", user="bob")
    await bot.cmd("/roadmap skip web-basics", user="cy")
    await bot.cmd("/roadmap start language", user="cy")
    await bot.cmd("/done challenge web-basics-01", user="ann")
    bot.clock.advance(timedelta(days=1))
    await bot.cmd("/done challenge web-basics-02", user="ann")
    await bot.cmd("/done challenge web-basics-02", user="ann")  # counts once
    await bot.cmd("/done challenge git-01", user="bob")
    bot.clock.advance(timedelta(weeks=4))
    await bot.cmd("/roadmap done git", user="ann")
    await bot.cmd("/roadmap reset web-basics", user="bob")
    await bot.cmd("/roadmap start web-basics", user="bob")


async def scenario(bot: BotHarness) -> None:
    """The whole consistency scenario (run on SQLite and PostgreSQL)."""
    await live_a_little(bot)
    kept = await assert_exact(bot)
    assert ("ann", "web-basics", 2) in await per_step(bot)
    assert ("bob", "git", 1) in await per_step(bot)

    # Streak repairs and imports touch neither step records nor done challenges.
    await bot.cmd("/admin streak ann set 9 moved over from the old bot", user="mod")
    await bot.cmd("/admin streak bob restore forgot on holiday", user="mod")
    await bot.cmd("/admin streak cy recompute", user="mod")
    await import_streaks(bot, "ann", current=12, longest=20)
    assert await snapshot(bot) == kept
    await assert_exact(bot)

    # As right after migrations 0006/0009: source rows only, nothing maintained yet.
    async with bot.services.sessions() as session, session.begin():
        await session.execute(delete(MemberProgress))
        await session.execute(delete(ProgressCount))
        await session.execute(delete(StepChallenges))
    me = await bot.cmd("/roadmap me", user="ann")
    total = sum(1 for c in bot.services.content.bundle.challenges if c.step == "web-basics")
    assert f"(`web-basics`): done · challenges 2/{total}" in me.plain_text()
    report = await bot.cmd("/admin progress", user="mod")
    assert report.title == "Roadmap progress · 3 members on the plan"
    assert await snapshot(bot) == kept


async def per_step(bot: BotHarness) -> list[tuple[str, str, int]]:
    async with bot.services.sessions() as session:
        rows = await session.execute(
            select(Member.display_name, StepChallenges.step_id, StepChallenges.done).join(
                Member, Member.id == StepChallenges.member_id
            )
        )
        return [(str(n), str(s), int(d)) for n, s, d in rows.all()]


async def import_streaks(bot: BotHarness, user: str, current: int, longest: int) -> None:
    """``studybot import streaks`` of one row for a console user, as the CLI applies it."""
    async with bot.services.sessions() as session, session.begin():
        identity, space = (
            await session.execute(
                select(Identity, Space)
                .join(Space, Space.id == Identity.space_id)
                .join(Member, Member.id == Identity.member_id)
                .where(Member.display_name == user)
            )
        ).first()  # type: ignore[misc]
        row = StreakRow(
            1,
            space.platform,
            space.external_id,
            identity.platform_user_id,
            user,
            current,
            longest,
            bot.clock.now().date() - timedelta(days=1),
        )
        planned = await streak_import.plan(session, [row])
        assert not planned.errors
        await streak_import.apply(
            session, planned, source="old-bot", actor="test", now=bot.clock.now()
        )


async def test_maintained_figures_stay_exact_on_sqlite(bot: BotHarness) -> None:
    await scenario(bot)


async def test_a_merge_recounts_the_survivors_challenges(bot: BotHarness) -> None:
    await link_spaces(bot)
    await bot.cmd("/done challenge web-basics-01", user="ann", platform=DISCORD)
    await bot.cmd("/done challenge web-basics-01", user="ann", platform=SLACK)
    await bot.cmd("/done challenge web-basics-03", user="ann", platform=SLACK)
    await bot.cmd("/roadmap start web-basics", user="ann", platform=SLACK)
    await link_accounts(bot, "ann")
    rows = await per_step(bot)
    assert [(s, d) for _, s, d in rows] == [("web-basics", 2)]
    await assert_exact(bot)


async def test_content_that_moves_a_challenge_is_recounted_by_the_next_reader(
    bot: BotHarness,
) -> None:
    await bot.cmd("/done challenge web-basics-01", user="ann")
    store = bot.services.content
    moved = {**challenge_steps(store.bundle.challenges).step_of, "web-basics-01": "git"}
    other = of_challenges(
        c.model_copy(update={"step": moved[c.id]}) for c in store.bundle.challenges
    )
    async with bot.services.sessions() as session:
        ann = await session.execute(select(Member.id).where(Member.display_name == "ann"))
        member_id = ann.scalar_one()
        assert await progress_challenges.read(session, 1, member_id, other.fingerprint) is None
        await progress_challenges.rebuild(session, 1, other)
        assert await progress_challenges.read(session, 1, member_id, other.fingerprint) == {
            "git": 1
        }
        # The old content's marker is gone: its reader recounts too.
        old = challenge_steps(store.bundle.challenges).fingerprint
        assert await progress_challenges.read(session, 1, member_id, old) is None


async def test_set_based_rebuild_equals_the_member_by_member_one(bot: BotHarness) -> None:
    """Random step records: the SQL summaries equal :func:`summarise` in Python."""
    await seed_random(bot, members=60)
    store = bot.services.content
    plan = (store.phases, store.steps)
    async with bot.services.sessions() as session:
        await progress_summary.rebuild(session, plan, 1, bot.clock.now())
        await session.commit()
    in_sql = await snapshot(bot)
    async with bot.services.sessions() as session:
        await session.execute(delete(MemberProgress))
        await session.execute(delete(ProgressCount))
        totals = await progress_summary._rebuild_each(session, plan, 1, bot.clock.now())
        totals[(progress_summary.BUILT, "", progress_summary.VERSION)] = 1
        await session.execute(
            ProgressCount.__table__.insert(),
            [
                {"group_id": 1, "kind": k, "key": key, "score": s, "members": n}
                for (k, key, s), n in totals.items()
                if n
            ],
        )
        await session.commit()
    assert await snapshot(bot) == in_sql


async def seed_random(bot: BotHarness, members: int) -> None:
    """``members`` members with random statuses and dates on random steps."""
    rng = random.Random(13)
    steps = [s.id for s in bot.services.content.steps]
    await bot.cmd("/help", user="seed")
    statuses = [Status.DONE, Status.SKIPPED, Status.IN_PROGRESS]
    async with bot.services.sessions() as session, session.begin():
        for i in range(members):
            member = Member(group_id=1, display_name=f"m{i}", hidden=rng.random() < 0.2)
            member.created_at = bot.clock.now()
            session.add(member)
            await session.flush()
            for step in rng.sample(steps, rng.randint(1, len(steps))):
                status = rng.choice(statuses)
                start = date(2026, 1, 1) + timedelta(days=rng.randint(0, 60))
                started = None if status is Status.SKIPPED and rng.random() < 0.5 else start
                finished = (
                    None
                    if status is Status.IN_PROGRESS
                    else start + timedelta(days=rng.randint(0, 30))
                )
                session.add(
                    StepProgress(
                        member_id=member.id,
                        step_id=step,
                        group_id=1,
                        status=status.value,
                        started_on=started,
                        finished_on=finished,
                        updated_at=bot.clock.now(),
                    )
                )


@pytest.mark.postgres
async def test_maintained_figures_stay_exact_on_postgres(pg_bot: BotHarness) -> None:
    await scenario(pg_bot)


@pytest.mark.postgres
async def test_set_based_rebuild_equals_the_member_by_member_one_on_postgres(
    pg_bot: BotHarness,
) -> None:
    await test_set_based_rebuild_equals_the_member_by_member_one(pg_bot)
