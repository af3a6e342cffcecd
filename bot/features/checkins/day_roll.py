"""Leaderboard day roll in the background, at each group's local midnight.

The day-dependent board figures (30-day window, week and month counts, broken runs) move
to a new group day in :func:`bot.db.repositories.board_roll.roll`. Left to the first board
view of the day, that roll ran on the request path (~0.2 s at 100k members). The
:class:`DayRoller` does it instead, once a minute looking for groups whose local date (their
timezone and day start) has passed the day their figures are kept for, and rolling each in
its own transaction. The view still calls ``roll`` — one read when the roller got there
first — so a view in the seconds between midnight and the roller's pass stays correct.

Only groups whose boards were built once (a ``board_state`` row) are rolled: the others have
nothing to move, and their first view builds them. Several instances may run rollers at
once: ``roll`` takes the group's row lock and looks again before moving anything.

With a simulated clock (the console's ``:advance``, tests) the roller is a time driver,
called at every simulated minute: two weeks are 20,160 calls. There it looks only when the
next group's day ends, when a group's settings change, and at least every
:data:`LOOK_AGAIN` (a board built meanwhile), instead of reading the database each minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.settings_specs import SettingSpec
from bot.db.repositories import board_roll
from bot.db.repositories import settings as settings_repo
from bot.db.sessions import SessionFactory
from bot.features.checkins.rules import policy_from
from bot.streaks import day_bounds, local_date

log = logging.getLogger(__name__)

#: How often the roller looks for groups past midnight (their day figures then lag by at most
#: this much, and only until a view rolls them itself).
INTERVAL = timedelta(minutes=1)
#: With a simulated clock: the longest the roller goes without looking (a group whose board
#: was first built meanwhile is rolled at most this late; its views roll it themselves).
LOOK_AGAIN = timedelta(hours=1)
_KEYS = ("timezone", "day_start")


def group_day(values: Mapping[str, Any], defaults: Mapping[str, Any], now: datetime) -> date:
    """A group's local date at ``now`` from its stored settings (defaults where unset)."""
    return local_date(now, *_day_rules(values, defaults))


def _day_rules(values: Mapping[str, Any], defaults: Mapping[str, Any]) -> tuple[ZoneInfo, time]:
    merged = {**defaults, **values}
    try:
        tz = ZoneInfo(str(merged.get("timezone") or "UTC"))
    except (ValueError, KeyError):
        tz = ZoneInfo("UTC")  # a stored zone that no longer exists: as the check-ins do
    return tz, policy_from(merged).day_start


@dataclass(frozen=True)
class _Scan:
    """What one look found: the groups due now, and when the earliest group's day ends."""

    due: list[tuple[int, date]]
    next_day_at: datetime | None


class DayRoller:
    """Rolls every due group's board figures; a component with a once-a-minute loop.

    Args:
        sessions: Session factory of the bot's database.
        clock: The bot's clock (simulated in the console and tests).
        specs: The registered setting specs (their defaults apply to unset settings).
    """

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        specs: Mapping[str, SettingSpec],
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._defaults = {key: specs[key].default for key in _KEYS if key in specs}
        self._task: asyncio.Task[None] | None = None
        self._next_look: datetime | None = None

    async def due(self, now: datetime) -> list[tuple[int, date]]:
        """The groups whose figures are older than their local date at ``now``."""
        return (await self._scan(now)).due

    async def _scan(self, now: datetime) -> _Scan:
        async with self._sessions() as session:
            kept = await board_roll.kept_days(session)
            values = await settings_repo.load_keys(session, kept, _KEYS)
        due = []
        ends = []
        for group_id, day in kept.items():
            tz, day_start = _day_rules(values[group_id], self._defaults)
            today = local_date(now, tz, day_start)
            if day is None or day < today:
                due.append((group_id, today))
            ends.append(day_bounds(today, tz, day_start)[1])
        return _Scan(due, min(ends, default=None))

    async def drive(self, now: datetime) -> None:
        """A time driver: roll what is due at ``now`` (the simulated clock's step).

        Reads the database only once the look it planned is due (see the module's
        docstring); :meth:`settings_changed` brings the next look forward.
        """
        if self._next_look is not None and now < self._next_look:
            return
        _, look_by = await self._roll(now)
        self._next_look = now + LOOK_AGAIN if look_by is None else min(now + LOOK_AGAIN, look_by)

    async def settings_changed(self, group_id: int) -> None:
        """A ``settings_changed`` hook: a group's day may now end at another time."""
        self._next_look = None

    async def roll_due(self, now: datetime) -> int:
        """Roll every group that is due at ``now``; returns how many were rolled.

        Each group rolls in its own transaction; one that fails is logged and retried on
        the next pass, and the others still roll.
        """
        return (await self._roll(now))[0]

    async def _roll(self, now: datetime) -> tuple[int, datetime | None]:
        """Roll what is due; how many rolled, and by when to look again (if known)."""
        scan = await self._scan(now)
        rolled = 0
        for group_id, today in scan.due:
            try:
                async with self._sessions() as session, session.begin():
                    if await board_roll.roll(session, group_id, today, now):
                        rolled += 1
            except Exception:
                log.exception("could not roll the boards of group %s to %s", group_id, today)
        if rolled:
            log.info("rolled the leaderboards of %d group(s) to their new day", rolled)
        # A group that failed to roll is looked at again on the next minute, not next day.
        retry_at = now + INTERVAL if rolled < len(scan.due) else scan.next_day_at
        return rolled, retry_at

    async def start(self) -> None:
        """Start the once-a-minute loop (a no-op with a simulated clock: time drives it)."""
        self._task = asyncio.create_task(self._loop(), name="board-day-roll")

    async def stop(self) -> None:
        """Stop the loop; a roll in progress is cancelled and its transaction rolled back."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            now = self._clock.now()
            try:
                await self.roll_due(now)
            except Exception:
                log.exception("the board day roll failed; trying again in a minute")
            # Wake just after the next whole minute, when local midnights fall.
            seconds = 60 - now.second - now.microsecond / 1e6 + 0.5
            await asyncio.sleep(seconds)
