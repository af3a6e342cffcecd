"""A group's *track*: which part of the content its daily challenges come from.

A track is ``all``, a level (``beginner``, ``intermediate``, ``advanced``) or the id of a
roadmap phase (``foundations``…). Which phases exist depends on the content in use, so
validation needs the :class:`~bot.content.store.ContentStore`.
"""

from __future__ import annotations

import difflib

from bot.content.schema import Level
from bot.content.store import ContentStore
from bot.core.errors import UserError

ALL = "all"
LEVELS: tuple[str, ...] = tuple(level.value for level in Level)


def track_choices(store: ContentStore) -> list[str]:
    """Every valid track: ``all``, the levels, then the phase ids in plan order."""
    return [ALL, *LEVELS, *(phase.id for phase in store.phases)]


def validate_track(store: ContentStore, text: str) -> str:
    """Return the normalised track for ``text``.

    A phase may also be named by its number (``phase 2`` or ``2``).

    Raises:
        UserError: Listing the valid tracks, closest first when it looks like a typo.
    """
    word = text.strip().lower()
    choices = track_choices(store)
    if word in choices:
        return word
    number = word.removeprefix("phase").strip()
    if number.isdigit():
        for phase in store.phases:
            if phase.number == int(number):
                return phase.id
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
    raise UserError(
        f"`{text.strip()}` is not a track.{hint} Tracks: {', '.join(choices)} "
        "(a level, or a roadmap phase from `/roadmap`)."
    )


def effective_track(store: ContentStore, value: object) -> tuple[str, str | None]:
    """The track to use for a stored setting, and a note when it had to fall back.

    A stored phase id can stop existing when a group changes its content; the group then
    gets every challenge rather than an error, and the note says why.
    """
    word = str(value or ALL).strip().lower()
    if word in track_choices(store):
        return word, None
    return ALL, f"track `{word}` is not in the current content, so all challenges are used"
