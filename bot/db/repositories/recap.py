"""The weekly recap's figures: check-ins this week, top current streaks, new bests, steps.

Read straight from the check-in tables (``checkins``, ``member_stats``, ``members``): the
current streak shown is ``member_stats.run`` while ``alive_until`` is on or after the
recap's day, as on the leaderboards; members who hide themselves are left out of names
(their check-ins still count in the totals). Roadmap steps finished (``done``) during the
week are counted per step ("3 members finished Databases and SQL this week").

The post made from them is :mod:`bot.scheduling.recap`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, Member, MemberStats
from bot.db.repositories import progress_figures

TOP = 5


@dataclass(frozen=True)
class RecapFigures:
    """What a recap reports for one week."""

    week_start: date
    week_end: date
    checkins: int
    members: int
    top_streaks: list[tuple[str, int]]
    new_bests: list[tuple[str, int]]
    per_day: list[tuple[date, int]] = field(default_factory=list)
    steps_finished: int = 0
    finished_steps: list[tuple[str, int]] = field(default_factory=list)


async def recap_figures(session: AsyncSession, group_id: int, week_end: date) -> RecapFigures:
    """Gather the week ending on ``week_end`` (seven local dates, inclusive)."""
    week_start = week_end - timedelta(days=6)
    totals = (
        await session.execute(
            select(func.count(CheckIn.id), func.count(distinct(CheckIn.member_id))).where(
                CheckIn.group_id == group_id,
                CheckIn.local_date >= week_start,
                CheckIn.local_date <= week_end,
            )
        )
    ).one()
    visible = (
        select(Member.display_name, MemberStats.run, MemberStats.longest)
        .join(Member, Member.id == MemberStats.member_id)
        .where(
            MemberStats.group_id == group_id,
            MemberStats.hidden.is_(False),
            Member.hidden.is_(False),
            MemberStats.alive_until >= week_end,
            MemberStats.run > 0,
        )
    )
    top = await session.execute(
        visible.order_by(MemberStats.run.desc(), Member.display_name).limit(TOP)
    )
    # A personal best set this week: the live run is the member's longest ever and it
    # grew this week (a one-day "best" is not news).
    bests = await session.execute(
        visible.where(
            MemberStats.run == MemberStats.longest,
            MemberStats.run >= 2,
            MemberStats.run_end >= week_start,
        )
        .order_by(MemberStats.longest.desc(), Member.display_name)
        .limit(TOP)
    )
    daily = await session.execute(
        select(CheckIn.local_date, func.count(CheckIn.id))
        .where(
            CheckIn.group_id == group_id,
            CheckIn.local_date >= week_start,
            CheckIn.local_date <= week_end,
        )
        .group_by(CheckIn.local_date)
    )
    counts = {day: int(n) for day, n in daily}
    finished = await progress_figures.finished_between(session, group_id, week_start, week_end)
    return RecapFigures(
        steps_finished=sum(finished.values()),
        finished_steps=sorted(finished.items(), key=lambda item: (-item[1], item[0])),
        per_day=[
            (week_start + timedelta(days=i), counts.get(week_start + timedelta(days=i), 0))
            for i in range(7)
        ],
        week_start=week_start,
        week_end=week_end,
        checkins=int(totals[0]),
        members=int(totals[1]),
        top_streaks=[(str(name), int(run)) for name, run, _ in top],
        new_bests=[(str(name), int(longest)) for name, _, longest in bests],
    )
