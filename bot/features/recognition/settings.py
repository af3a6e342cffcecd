"""Recognition's group settings, also shown and changed in ``/admin settings``.

``/admin rewards`` edits the same keys with friendlier commands (``on``/``off`` per
milestone, ``announce``, ``mode``); both validate the same way and are audited.
"""

from __future__ import annotations

from typing import Any

from bot.core.errors import UserError
from bot.core.settings_specs import SettingSpec, parse_choice
from bot.db.repositories.awards import ANNOUNCE_KEY, OFF_KEY, ROLES_KEY
from bot.recognition import CATALOGUE, UnknownMilestone, parse_milestone

ANNOUNCE_MODES = ("channel", "member", "silent")
ROLE_MODES = ("stack", "replace")


def parse_off_list(text: str) -> list[str]:
    """Milestones to switch off: ids separated by spaces or commas, or ``none``."""
    if text.strip().lower() in {"none", "-", ""}:
        return []
    found: list[str] = []
    for word in text.replace(",", " ").split():
        try:
            found.append(parse_milestone(word).id)
        except UnknownMilestone as exc:
            raise UserError(str(exc)) from None
    return sorted(set(found), key=[m.id for m in CATALOGUE].index)


def show_off_list(value: Any) -> str:
    """The switched-off milestones, or ``none``."""
    return ", ".join(str(v) for v in value) if value else "none"


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        ANNOUNCE_KEY,
        "How milestones are announced: channel, member (a direct message) or silent.",
        "channel",
        parse_choice(*ANNOUNCE_MODES),
    ),
    SettingSpec(
        ROLES_KEY,
        "Discord role rewards: stack (keep lower roles) or replace (only the highest).",
        "stack",
        parse_choice(*ROLE_MODES),
    ),
    SettingSpec(
        OFF_KEY,
        "Milestones switched off (ids, e.g. streak-3 checkins-10), or none.",
        [],
        parse_off_list,
        show_off_list,
    ),
)
