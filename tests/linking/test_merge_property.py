"""Merging two members' histories: the merged statistics are exactly the streak engine's
replay of the union of their check-ins, whatever the histories and the group's policy.

Each example writes random histories for a member's Discord and Slack accounts into a real
migrated SQLite database, keeps their statistics as the bot would (a recompute per
member), merges them through the linking code, and compares every stored field with
``replay`` of the union by local date (the earliest check-in of each date kept); the
check-ins feature's audit then confirms every derived figure (period and score counts).
40 examples per run keep the suite fast; 800 passed when this test was written.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import CheckIn, ExcusedDay, Group, Identity, Member, MemberStats, Setting, Space
from bot.features.checkins import recording
from bot.features.checkins.audit_check import verify_group
from bot.features.checkins.rules import FREEZE_EVERY, MAX_FREEZES, REST_DAYS
from bot.features.linking.merge import merge
from bot.streaks import CheckInDay, StreakPolicy, replay

START = date(2026, 1, 5)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
_ids = count(1)


@dataclass(frozen=True)
class Made:
    """One generated check-in: its local date, when it was made and where."""

    day: date
    at: datetime
    tz: str


@st.composite
def histories(draw: st.DrawFn) -> dict[date, Made]:
    """A random history: up to 40 distinct days in eight weeks, each made at some hour."""
    offsets = draw(st.sets(st.integers(0, 55), max_size=40))
    made = {}
    for offset in offsets:
        day = START + timedelta(days=offset)
        tz = draw(st.sampled_from(ZONES))
        minute = draw(st.integers(6 * 60, 22 * 60))  # clear of DST switches
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=ZoneInfo(tz))
        made[day] = Made(day, local.astimezone(UTC), tz)
    return made


policies = st.builds(
    StreakPolicy,
    freeze_every=st.sampled_from([0, 2, 3, 7]),
    max_freezes=st.integers(0, 3),
    rest_weekdays=st.sets(st.integers(0, 6), max_size=2).map(frozenset),
)
excused_days = st.sets(st.integers(0, 55), max_size=4).map(
    lambda offsets: {START + timedelta(days=o) for o in offsets}
)


async def _scenario(
    url: str,
    policy: StreakPolicy,
    excused: set[date],
    left: dict[date, Made],
    right: dict[date, Made],
) -> tuple[MemberStats, list[CheckIn]]:
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            n = next(_ids)
            group = Group(name=f"g{n}", created_at=NOW)
            session.add(group)
            await session.flush()
            values = {
                FREEZE_EVERY: policy.freeze_every,
                MAX_FREEZES: policy.max_freezes,
                REST_DAYS: sorted(policy.rest_weekdays),
            }
            for key, value in values.items():
                session.add(
                    Setting(group_id=group.id, scope="group", key=key, value=value, updated_at=NOW)
                )
            for day in excused:
                session.add(
                    ExcusedDay(
                        group_id=group.id, member_id=None, day=day, reason="x", created_at=NOW
                    )
                )
            members = []
            for platform, history in (("discord", left), ("slack", right)):
                space = Space(
                    group_id=group.id,
                    platform=platform,
                    external_id=f"{platform}-{n}",
                    name="",
                    created_at=NOW,
                )
                member = Member(
                    group_id=group.id,
                    display_name="ann",
                    timezone=None,
                    hidden=False,
                    reminders=False,
                    created_at=NOW,
                )
                session.add_all([space, member])
                await session.flush()
                session.add(
                    Identity(
                        member_id=member.id,
                        space_id=space.id,
                        platform_user_id="ann",
                        display_name="ann",
                        created_at=NOW,
                    )
                )
                for made in history.values():
                    session.add(
                        CheckIn(
                            member_id=member.id,
                            group_id=group.id,
                            local_date=made.day,
                            checked_at=made.at,
                            timezone=made.tz,
                            platform=platform,
                        )
                    )
                await session.flush()
                members.append(member)
            # Figures as the bot keeps them, score counts included.
            await recording.recompute(session, [m.id for m in members], policy, NOW)
            assert await verify_group(session, group.id, policy) == []
            await merge(session, members[0], members[1], NOW)
            survivor = members[0].id
            # Every stored figure (stats, period counts, score counts) agrees with the rows.
            assert await verify_group(session, group.id, policy) == []
        async with sessions() as session:
            stats = await session.get_one(MemberStats, survivor)
            query = select(CheckIn).where(CheckIn.member_id == survivor)
            rows = list((await session.execute(query.order_by(CheckIn.local_date))).scalars())
            gone = await session.get(Member, members[1].id)
            assert gone is None
        return stats, rows
    finally:
        await engine.dispose()


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(policy=policies, excused=excused_days, left=histories(), right=histories())
def test_merged_stats_equal_the_replay_of_the_union(
    sqlite_url: str,
    policy: StreakPolicy,
    excused: set[date],
    left: dict[date, Made],
    right: dict[date, Made],
) -> None:
    stats, rows = asyncio.run(_scenario(sqlite_url, policy, excused, left, right))

    union = dict(left)
    for day, made in right.items():
        if day not in union or made.at < union[day].at:
            union[day] = made
    # Nothing lost, nothing twice: one row per date of either history, the earliest one.
    assert [(r.local_date, r.checked_at, r.timezone) for r in rows] == [
        (m.day, m.at, m.tz) for m in sorted(union.values(), key=lambda m: m.day)
    ]
    expected = replay([CheckInDay(m.day, m.at, m.tz) for m in union.values()], policy, excused)
    assert (
        stats.run,
        stats.run_end,
        stats.longest,
        stats.total,
        stats.freezes,
        stats.progress,
        stats.freezes_used,
        stats.last_at,
        stats.last_tz,
    ) == (
        expected.run,
        expected.run_end,
        expected.longest,
        expected.total,
        expected.freezes,
        expected.progress,
        expected.freezes_used,
        expected.last_at,
        expected.last_tz,
    )
