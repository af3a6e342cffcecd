"""The weekly recap post: figures from :mod:`bot.db.repositories.recap`, as text and card.

The recap reports check-ins this week, top current streaks, new personal bests and roadmap
steps finished; how those are counted is the repository's docstring.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.cards import RecapCard
from bot.core.models import Reply, ReplyField
from bot.db.repositories.recap import TOP, RecapFigures, recap_figures

__all__ = ["RecapFigures", "recap_card", "recap_figures", "recap_reply"]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _members(n: int) -> str:
    return f"{n} member" if n == 1 else f"{n} members"


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


def recap_reply(figures: RecapFigures, step_titles: Mapping[str, str] | None = None) -> Reply:
    """The recap post for ``figures`` (``step_titles`` names the steps finished)."""
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
    if figures.finished_steps:
        titles = step_titles or {}
        lines = [
            f"- {_members(n)} finished {titles.get(step, step)} this week"
            for step, n in figures.finished_steps[:TOP]
        ]
        fields.append(ReplyField("Roadmap", "\n".join(lines)))
    return Reply(
        title=f"Weekly recap · {span}",
        text=text,
        fields=tuple(fields),
        footer="Keep going: today's challenge is one `/challenge` away.",
    )
