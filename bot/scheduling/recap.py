"""The weekly recap: check-ins this week, top current streaks, new personal bests.

Read straight from the check-in tables (``checkins``, ``member_stats``, ``members``): the
current streak shown is ``member_stats.run`` while ``alive_until`` is on or after the
recap's day, as on the leaderboards; members who hide themselves are left out of names
(their check-ins still count in the totals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import RecapCard
from bot.core.models import Reply, ReplyField
from bot.db.models import CheckIn, Member, MemberStats, StepProgress
from bot.progress.plan import Status

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
    finished = await session.execute(
        select(func.count()).where(
            StepProgress.group_id == group_id,
            StepProgress.status == Status.DONE.value,
            StepProgress.finished_on >= week_start,
            StepProgress.finished_on <= week_end,
        )
    )
    return RecapFigures(
        steps_finished=int(finished.scalar_one()),
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


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _span(figures: RecapFigures) -> str:
    span = f"{figures.week_start:%a} {figures.week_start.day} {figures.week_start:%b}"
    return span + f" – {figures.week_end:%a} {figures.week_end.day} {figures.week_end:%b}"


def recap_card(figures: RecapFigures) -> RecapCard:
    """The picture-card view of ``figures`` (the text post stays the full recap)."""
    return RecapCard(
        title=f"Weekly recap · {_span(figures)}",
        per_day=tuple(figures.per_day),
        checkins=figures.checkins,
        members=figures.members,
        top_streaks=tuple(figures.top_streaks),
        steps_finished=figures.steps_finished,
    )


def recap_reply(figures: RecapFigures) -> Reply:
    """The recap post for ``figures``."""
    span = _span(figures)
    if figures.checkins == 0:
        text = (
            "No check-ins this week. A fresh week starts now: try `/challenge` and "
            "check in with `/done`."
        )
    else:
        people = "member" if figures.members == 1 else "members"
        plural = "check-in" if figures.checkins == 1 else "check-ins"
        text = f"**{figures.checkins}** {plural} by **{figures.members}** {people} this week."
    fields = []
    if figures.top_streaks:
        lines = [
            f"{rank}. {name} — {_days(run)}"
            for rank, (name, run) in enumerate(figures.top_streaks, 1)
        ]
        fields.append(ReplyField("Top streaks", "\n".join(lines)))
    if figures.new_bests:
        lines = [f"- {name}: {_days(best)}" for name, best in figures.new_bests]
        fields.append(ReplyField("New longest streaks", "\n".join(lines)))
    return Reply(
        title=f"Weekly recap · {span}",
        text=text,
        fields=tuple(fields),
        footer="Keep going: today's challenge is one `/challenge` away.",
    )
