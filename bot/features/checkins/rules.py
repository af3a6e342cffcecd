"""A group's streak rules as settings, and the figures derived from a streak state.

The rules themselves are pure code in :mod:`bot.streaks`; this module turns the group's
stored settings into a :class:`~bot.streaks.StreakPolicy` and computes ``alive_until``,
the last local date on which a stored run still displays (what leaderboards, the weekly
recap and reminders compare with "today").

A change of these settings is never applied to history silently: it takes effect at each
member's next check-in (freezes already held are kept, a lower cap only stops new ones),
and a moderator can replay a member's whole history under the new rules with
``/admin streak MEMBER recompute``.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Mapping
from datetime import date, time, timedelta
from typing import Any

from bot.core.errors import UserError
from bot.core.settings_specs import SettingSpec, parse_choice, parse_int_range
from bot.streaks import StreakPolicy, StreakState, format_weekdays, parse_weekdays

FREEZE_EVERY = "streak.freeze_every"
MAX_FREEZES = "streak.max_freezes"
REST_DAYS = "streak.rest_days"
BACKFILL = "streak.backfill"

_BACKFILL_DAYS = {"off": 0, "yesterday": 1}
_HORIZON_DAYS = 3660


def _parse_rest_days(text: str) -> list[int]:
    try:
        days = parse_weekdays(text)
    except ValueError as exc:
        raise UserError(f"`{text}`: {exc}. Example: `sat,sun` or `none`.") from None
    if len(days) == 7:
        raise UserError("At least one day of the week must remain a study day.")
    return sorted(days)


def _show_rest_days(value: Any) -> str:
    return format_weekdays(value or [])


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        FREEZE_EVERY,
        "Earn one streak freeze per this many days in a row (0 = no freezes).",
        7,
        parse_int_range(0, 60),
    ),
    SettingSpec(
        MAX_FREEZES,
        "Most freezes a member can hold; one is used automatically per missed day.",
        2,
        parse_int_range(0, 5),
    ),
    SettingSpec(
        REST_DAYS,
        "Weekdays that never break a streak, e.g. sat,sun (none = every day counts).",
        [],
        _parse_rest_days,
        _show_rest_days,
    ),
    SettingSpec(
        BACKFILL,
        "Whether `/done yesterday` may still count yesterday (off or yesterday).",
        "off",
        parse_choice(*_BACKFILL_DAYS),
    ),
)

_DEFAULTS = {spec.key: spec.default for spec in SETTINGS}


def policy_from(values: Mapping[str, Any]) -> StreakPolicy:
    """The group's :class:`StreakPolicy` from its stored settings (defaults where unset).

    Args:
        values: The group's stored settings (``settings`` rows, or a
            :class:`~bot.core.context.GroupSettings`' values); ``day_start`` is the core
            ``HH:MM`` setting.

    Returns:
        The policy; a stored value that no longer validates falls back to its default
        rather than breaking every check-in of the group.
    """

    def get(key: str) -> Any:
        return values[key] if key in values else _DEFAULTS.get(key)

    options: dict[str, Any] = {
        "freeze_every": get(FREEZE_EVERY),
        "max_freezes": get(MAX_FREEZES),
        "rest_weekdays": frozenset(get(REST_DAYS) or ()),
        "backfill_days": _BACKFILL_DAYS.get(str(get(BACKFILL)), 0),
        "day_start": _day_start(values.get("day_start") if "day_start" in values else None),
    }
    try:
        return StreakPolicy(**options)
    except (TypeError, ValueError):
        return StreakPolicy(day_start=options["day_start"])


def _day_start(value: Any) -> time:
    try:
        return time.fromisoformat(str(value)) if value else time(0)
    except ValueError:
        return time(0)


def alive_until(
    state: StreakState,
    policy: StreakPolicy,
    excused: Callable[[date], bool] | Container[date] = frozenset(),
) -> date | None:
    """The last local date on which :func:`bot.streaks.current` still shows ``state.run``.

    On a day ``d`` the run shows while the days it has missed, ``run_end + 1`` up to the
    day before ``d``, can all be bridged: rest weekdays and excused days for free, the
    others by the freezes held. So it shows up to and including the ``(freezes + 1)``-th
    day after ``run_end`` that only a freeze could bridge (on that day the member can
    still check in). Days skipped by a change of time zone are not counted here, since
    the next zone is unknown; the check-in that follows corrects the figure.

    Args:
        state: The member's stored statistics.
        policy: The group's rules.
        excused: Excused days (group-wide and the member's own).

    Returns:
        The date, or ``None`` when there is no run to show.
    """
    if state.run == 0 or state.run_end is None:
        return None
    needed = state.freezes + 1
    if not policy.rest_weekdays and not callable(excused) and not excused:
        # The common case, without a walk: every day after the run needs a freeze.
        return state.run_end + timedelta(days=needed)
    is_excused = excused if callable(excused) else excused.__contains__
    last = state.run_end
    for count, day in enumerate(_unbridged_after(state.run_end, policy, is_excused), start=1):
        last = day
        if count == needed:
            break
    return last


def _unbridged_after(
    run_end: date, policy: StreakPolicy, excused: Callable[[date], bool]
) -> Iterator[date]:
    # At least one weekday is a study day, so only excused days could make this long;
    # the horizon keeps a pathological excused predicate from looping forever.
    day = run_end
    for _ in range(_HORIZON_DAYS):
        day += timedelta(days=1)
        if not policy.is_rest_day(day) and not excused(day):
            yield day
