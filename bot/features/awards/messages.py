"""How celebrations and badges read (pure: from names and milestones to a Reply).

A batch may hold hundreds of awards (an amnesty restoring 500 streaks): the post groups
them by milestone and names at most :data:`NAMES_PER_LINE` members per line ("and 480
more"), so it stays one message well under Discord's 2,000 and Slack's 3,000 characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.core.models import Reply
from bot.recognition import milestone
from bot.recognition.milestones import order

NAMES_PER_LINE = 12
#: Members are mentioned (pinged) only in small batches; a burst names them instead.
MENTION_AT_MOST = 5


@dataclass(frozen=True)
class Cheer:
    """One award in a celebration: who earned what."""

    member_id: int
    name: str
    milestone: str
    note: str | None = None


def _label(milestone_id: str) -> str:
    item = milestone(milestone_id)
    return item.badge if item is not None else milestone_id


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(f"**{n}**" for n in names[:NAMES_PER_LINE])
    rest = len(names) - NAMES_PER_LINE
    return shown + (f" and {rest} more" if rest > 0 else "")


def celebration_reply(cheers: Sequence[Cheer], *, to_member: bool = False) -> Reply:
    """The celebration post of a batch (to the channel, or to the member alone)."""
    by_milestone: dict[str, list[str]] = {}
    for cheer in sorted(cheers, key=lambda c: (order(c.milestone), c.name.lower())):
        by_milestone.setdefault(cheer.milestone, []).append(cheer.name)
    if to_member:
        badges = ", ".join(_label(m) for m in by_milestone)
        return Reply(title="🎉 New badge", text=f"You earned: {badges}. Keep going!")
    members = {c.member_id for c in cheers}
    if len(cheers) == 1:
        cheer = cheers[0]
        text = f"🎉 **{cheer.name}** reached a milestone: {_label(cheer.milestone)}!"
    else:
        lines = [f"{_label(m)}: {_names(names)}" for m, names in by_milestone.items()]
        people = f"{len(members)} member{'s' if len(members) != 1 else ''}"
        text = f"🎉 {people} reached milestones:\n" + "\n".join(lines)
    repaired = [c for c in cheers if c.note]
    footer = "Badges: /badges" + (" · some restored by a moderator" if repaired else "")
    return Reply(title="Milestones", text=text, footer=footer)


@dataclass(frozen=True)
class BadgeLine:
    """One earned badge as ``/badges`` lists it."""

    milestone: str
    earned_on: date
    source: str
    note: str | None


def badge_text(line: BadgeLine) -> str:
    """``🔥 7-day streak — 2026-03-07`` (with how a repaired one was earned)."""
    text = f"{_label(line.milestone)} — {line.earned_on.isoformat()}"
    if line.source in ("repair", "amnesty", "outage"):
        text += f" (restored: {line.note})" if line.note else " (restored)"
    elif line.source == "import":
        text += " (imported)"
    return text
