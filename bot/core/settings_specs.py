"""Declarative specs for per-group settings that moderators change from chat.

Each feature contributes the settings it reads (``timezone``, ``challenge.time``…);
``/admin settings KEY VALUE`` parses the value with the spec, so every setting is
validated the same way and shows up in ``/admin settings`` with its description.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any

from bot.core.errors import UserError
from bot.core.timezones import validated_timezone


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key, default, how to parse text into it and show it back.

    Attributes:
        key: Dotted name, e.g. ``challenge.time``.
        description: One line shown in ``/admin settings``.
        default: Value used until a moderator sets one (JSON-serialisable).
        parse: Turns the text a moderator typed into the stored value, raising
            :class:`UserError` with a clear message when it is invalid.
        show: Turns the stored value back into text.
    """

    key: str
    description: str
    default: Any
    parse: Callable[[str], Any]
    show: Callable[[Any], str] = str


def parse_timezone_name(text: str) -> str:
    """Validate an IANA timezone name, suggesting close names on a typo."""
    return validated_timezone(text)


def parse_clock_time(text: str) -> str:
    """Validate ``HH:MM`` (24-hour) and return it normalised."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise UserError(f"`{text}` is not a time; use 24-hour HH:MM, e.g. 09:00.")
    return time(int(match.group(1)), int(match.group(2))).strftime("%H:%M")


def parse_bool(text: str) -> bool:
    """Accept on/off, yes/no, true/false."""
    word = text.strip().lower()
    if word in {"on", "yes", "true", "1", "enable", "enabled"}:
        return True
    if word in {"off", "no", "false", "0", "disable", "disabled"}:
        return False
    raise UserError(f"`{text}` is not on or off.")


def parse_int_range(low: int, high: int) -> Callable[[str], int]:
    """A parser for whole numbers between ``low`` and ``high`` inclusive."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise UserError(f"`{text}` is not a whole number.") from None
        if not low <= value <= high:
            raise UserError(f"Pick a number from {low} to {high}.")
        return value

    return parse


def parse_id_list(text: str) -> list[str]:
    """Parse a list of role/user ids or mentions: ``<@&123> 456, S0ABC`` or ``none``."""
    if text.strip().lower() in {"none", "-", ""}:
        return []
    ids = re.findall(r"[A-Za-z0-9]+", re.sub(r"<[@#]?[&!]?|>", " ", text))
    return list(dict.fromkeys(ids))


def show_list(value: Any) -> str:
    """Show a list setting, or ``none``."""
    return ", ".join(str(v) for v in value) if value else "none"


def parse_choice(*choices: str) -> Callable[[str], str]:
    """A parser accepting one of ``choices`` (case-insensitive)."""

    def parse(text: str) -> str:
        word = text.strip().lower()
        if word not in choices:
            raise UserError(f"`{text}` is not one of: {', '.join(choices)}.")
        return word

    return parse


CORE_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("timezone", "The group's timezone (IANA name).", "UTC", parse_timezone_name),
    SettingSpec(
        "day_start",
        "When the group's day starts (HH:MM); 02:00 lets night owls finish.",
        "00:00",
        parse_clock_time,
    ),
    SettingSpec(
        "moderator_roles",
        "Role or user-group ids (or user ids) that may use /admin.",
        [],
        parse_id_list,
        show_list,
    ),
    SettingSpec(
        "track",
        "Which challenges the group gets: all, a level, or a roadmap phase id.",
        "all",
        lambda text: text.strip().lower(),
    ),
)
