"""Timezone names as people type them: one lookup for every command that takes one.

Only names in ``zoneinfo.available_timezones()`` are ever handed to :class:`ZoneInfo`, so a
huge string, a path such as ``../etc`` or a folder of the tz database (``__pycache__``,
``America``) is an unknown name, never an ``OSError``. Legacy fixed-offset names such as
``EST`` exist in the database but follow no daylight-saving rules, so a group on the US
east coast would post an hour off all summer: they are refused with a region zone to use.
"""

from __future__ import annotations

import difflib
import functools
import zoneinfo
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.core.errors import UserError

# Longer than any IANA name (the longest is 32 characters) by a wide margin.
MAX_ZONE_NAME = 64

# Names that look like a region's zone but ignore its daylight-saving time.
REGION_FOR_LEGACY = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "est5edt": "America/New_York",
    "cst": "America/Chicago",
    "cst6cdt": "America/Chicago",
    "mst": "America/Denver",
    "mst7mdt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pst8pdt": "America/Los_Angeles",
    "hst": "Pacific/Honolulu",
    "cet": "Europe/Paris",
    "met": "Europe/Paris",
    "eet": "Europe/Athens",
    "wet": "Europe/Lisbon",
}


class UnknownTimezone(ValueError):
    """A time zone name that is not usable: not in the IANA database, or a legacy alias.

    Attributes:
        name: The name as the member typed it.
        suggestions: Up to three IANA names to use instead, best first (may be empty).
        legacy: True when the name exists but ignores daylight-saving time.
    """

    def __init__(self, name: str, suggestions: Sequence[str] = (), *, legacy: bool = False):
        self.name = name
        self.suggestions = tuple(suggestions)
        self.legacy = legacy
        message = f"unknown time zone {name!r}"
        if self.suggestions:
            message += f"; did you mean {' or '.join(self.suggestions)}?"
        super().__init__(message)

    def user_message(self) -> str:
        """What to tell the member, naming what to type instead."""
        shown = self.name if len(self.name) <= MAX_ZONE_NAME else self.name[:MAX_ZONE_NAME] + "…"
        options = " or ".join(f"`{s}`" for s in self.suggestions)
        if self.legacy:
            return (
                f"`{shown}` ignores daylight-saving time, so posts would be an hour off for "
                f"half the year. Use a region zone instead, like {options}."
            )
        hint = f" Did you mean {options}?" if self.suggestions else ""
        return (
            f"`{shown}` is not a timezone I know.{hint} "
            "Use an IANA name like `Europe/Berlin` or `America/New_York`."
        )


def parse_timezone(name: str) -> ZoneInfo:
    """Look up an IANA time zone by name, case-insensitively.

    Spaces count as underscores, so ``"america/new york"`` finds ``America/New_York``.

    Args:
        name: What the member typed.

    Returns:
        The zone.

    Raises:
        UnknownTimezone: If no IANA zone has that name (it carries up to three close names,
            matched against both the full name and its last part: ``"berlin"`` suggests
            ``Europe/Berlin``), or the name is a legacy zone without daylight-saving rules.
    """
    if len(name) > MAX_ZONE_NAME:
        raise UnknownTimezone(name)
    query = "_".join(name.strip().split()).lower()
    region = REGION_FOR_LEGACY.get(query)
    if region is not None:
        raise UnknownTimezone(name, (region,), legacy=True)
    canonical = _zone_names().get(query)
    if canonical is None:
        raise UnknownTimezone(name, _suggestions(query) if query else ())
    return ZoneInfo(canonical)


def validated_timezone(text: str) -> str:
    """The canonical IANA name for ``text``, or a :class:`UserError` saying what to type."""
    try:
        return parse_timezone(text).key
    except UnknownTimezone as exc:
        raise UserError(exc.user_message()) from None


@functools.cache
def _zone_names() -> dict[str, str]:
    """IANA names keyed by their lower-case form."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _similarity(query: str, candidate: str) -> float:
    matcher = difflib.SequenceMatcher(None, query, candidate)
    # The cheap upper bounds skip most of the ~600 names without a full comparison.
    if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
        return 0.0
    return matcher.ratio()


def _suggestions(query: str, limit: int = 3) -> tuple[str, ...]:
    scored: list[tuple[float, str]] = []
    for lowered, name in _zone_names().items():
        score = max(_similarity(query, lowered), _similarity(query, lowered.rsplit("/")[-1]))
        if score >= 0.6:
            scored.append((-score, name))
    return tuple(name for _, name in sorted(scored)[:limit])
