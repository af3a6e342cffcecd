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
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.settings_specs import SettingSpec
from bot.db.repositories import board_roll
from bot.db.repositories import settings as settings_repo
from bot.db.sessions import SessionFactory
from bot.features.checkins.rules import policy_from
from bot.streaks import local_date

log = logging.getLogger(__name__)

#: How often the roller looks for groups past midnight (their day figures then lag by at most
#: this much, and only until a view rolls them itself).
INTERVAL = timedelta(minutes=1)
_KEYS = ("timezone", "day_start")


def group_day(values: Mapping[str, Any], defaults: Mapping[str, Any], now: datetime) -> date:
    """A group's local date at ``now`` from its stored settings (defaults where unset)."""
    merged = {**defaults, **values}
    try:
        tz = ZoneInfo(str(merged.get("timezone") or "UTC"))
    except (ValueError, KeyError):
        tz = ZoneInfo("UTC")  # a stored zone that no longer exists: as the check-ins do
    return local_date(now, tz, policy_from(merged).day_start)


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

    async def due(self, now: datetime) -> list[tuple[int, date]]:
        """The groups whose figures are older than their local date at ``now``."""
        async with self._sessions() as session:
            kept = await board_roll.kept_days(session)
            values = await settings_repo.load_keys(session, kept, _KEYS)
        due = []
        for group_id, day in kept.items():
            today = group_day(values[group_id], self._defaults, now)
            if day is None or day < today:
                due.append((group_id, today))
        return due

    async def drive(self, now: datetime) -> None:
        """A time driver: roll what is due at ``now`` (the simulated clock's step)."""
        await self.roll_due(now)

    async def roll_due(self, now: datetime) -> int:
        """Roll every group that is due at ``now``; returns how many were rolled.

        Each group rolls in its own transaction; one that fails is logged and retried on
        the next pass, and the others still roll.
        """
        rolled = 0
        for group_id, today in await self.due(now):
            try:
                async with self._sessions() as session, session.begin():
                    if await board_roll.roll(session, group_id, today, now):
                        rolled += 1
            except Exception:
                log.exception("could not roll the boards of group %s to %s", group_id, today)
        if rolled:
            log.info("rolled the leaderboards of %d group(s) to their new day", rolled)
        return rolled

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
