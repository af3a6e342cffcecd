"""Random histories: the stored figures always equal a recompute from the raw rows, and
every leaderboard equals a brute-force ranking of the raw rows.

Each run plays ~6 weeks of a small group in awkward time zones: check-ins at random local
times (some days skipped, some same-day repeats), back-fills of yesterday, moderator
overrides, personal restores, amnesties, privacy changes and board views (which roll the
day-dependent figures). Every third simulated day the audit must find nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db.engine import create_session_factory
from bot.db.repositories import board_figures, board_roll, board_top, leaderboard
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import stats as stats_repo
from bot.db.repositories.checkins import NewCheckin
from bot.db.repositories.leaderboard import BY, PERIODS, BoardSpec, read_board
from bot.features.checkins import recording
from bot.features.checkins.audit_check import verify_group
from bot.features.checkins.recording import CheckinRequest
from bot.features.checkins.rules import alive_until
from bot.streaks import StreakPolicy, local_date, replay
from tests.checkins.helpers import insert_group

ZONES = ("UTC", "Europe/Berlin", "Pacific/Kiritimati", "America/Santiago", "Asia/Kathmandu")
POLICY = StreakPolicy(freeze_every=3, max_freezes=2, rest_weekdays=frozenset({6}), backfill_days=1)
GROUP_TZ = ZoneInfo("Europe/Berlin")
START = datetime(2026, 2, 20, 6, 0, tzinfo=UTC)  # crosses a month end and, later, DST


async def setup_group(engine: AsyncEngine, size: int) -> tuple[int, list[int]]:
    return await insert_group(engine, size, created_at=START, timezones=ZONES)


def _in_period(period: str, start: date | None, today: date, day: date) -> bool:
    if start is None:
        return True
    if period == "week":
        return start <= day <= start + timedelta(days=6)
    if period == "month":
        return (day.year, day.month) == (start.year, start.month)
    return start <= day <= today  # the 30-day window ends on the board day


async def brute_force(
    session: AsyncSession, group_id: int, members: list[int], hidden: set[int], today: date
) -> dict[tuple[str, str], dict[int, int]]:
    """Each board's listed members and scores, straight from the raw rows."""
    histories = await checkins_repo.history(session, members)
    excuses = await stats_repo.excuses(session, [group_id], members)
    overrides = await stats_repo.overrides(session, members)
    boards: dict[tuple[str, str], dict[int, int]] = {(b, p): {} for b in BY for p in PERIODS}
    for member in members:
        if member in hidden:
            continue
        days = [c.day for c in histories[member]]
        excused = excuses.of(group_id, member)
        state = replay(histories[member], POLICY, excused, overrides[member])
        alive = alive_until(state, POLICY, excused)
        live = state.run if alive is not None and alive >= today else 0
        for period in PERIODS:
            start = board_figures.period_start(period, today)
            active = start is None or any(d >= start for d in days)
            in_period = [d for d in days if _in_period(period, start, today, d)]
            window = board_figures.period_start("30d", today)
            last_30 = [d for d in days if _in_period("30d", window, today, d)]
            scores = {
                "streak": live,
                "longest": state.longest,
                "checkins": len(in_period),
                # Always the last 30 days, whatever period is asked for.
                "consistency": len(last_30),
            }
            for by, score in scores.items():
                if score > 0 and (by in ("checkins", "consistency") or active):
                    boards[(by, period)][member] = score
            # "steps" counts roadmap steps done: these histories have none, so it is empty.
    return boards


async def check_boards(
    session: AsyncSession, group_id: int, members: list[int], hidden: set[int], today: date
) -> None:
    expected = await brute_force(session, group_id, members, hidden, today)
    for (by, period), scores in expected.items():
        spec = BoardSpec(group_id, by, period, today)
        page = await read_board(session, spec, members[0], limit=50)
        assert page.size == len(scores), (by, period)
        assert sorted(page.entries, key=lambda e: (-e[1], e[0])) == sorted(
            scores.items(), key=lambda e: (-e[1], e[0])
        ), (by, period)
        assert [s for _, s in page.entries] == sorted(scores.values(), reverse=True)
        for member in members[:2]:
            mine = (await read_board(session, spec, member, limit=1)).me
            if member in scores:
                assert mine is not None
                assert mine.rank == 1 + sum(v > scores[member] for v in scores.values())
            else:
                assert mine is None or mine.rank is None


@pytest.mark.parametrize(
    ("seed", "active_scan_max", "keep"),
    # 0: always read the board's head; keep 2: heads far shorter than the boards
    [(1, leaderboard.ACTIVE_SCAN_MAX, board_top.KEEP), (2, 0, board_top.KEEP), (3, 0, 2)],
)
async def test_random_histories_stay_exact(
    engine: AsyncEngine,
    seed: int,
    active_scan_max: int,
    keep: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(leaderboard, "ACTIVE_SCAN_MAX", active_scan_max)
    monkeypatch.setattr(board_top, "KEEP", keep)
    monkeypatch.setattr(board_top, "TRIM_AT", 2 * keep)
    rng = random.Random(seed)
    group_id, members = await setup_group(engine, 8)
    zones = {m: ZoneInfo(ZONES[i % 5]) for i, m in enumerate(members)}
    sessions = create_session_factory(engine)
    hidden: set[int] = set()
    for day_index in range(40):
        noon = START + timedelta(days=day_index)
        async with sessions() as session, session.begin():
            for member in members:
                if rng.random() < 0.25:
                    continue
                for _ in range(rng.choice((1, 1, 1, 2))):
                    at = noon + timedelta(minutes=rng.randrange(-600, 600))
                    day = local_date(at, zones[member], time(0))
                    backfill = rng.random() < 0.1
                    if backfill:
                        day -= timedelta(days=1)
                    checkin = NewCheckin(member, group_id, day, at, zones[member].key, "console")
                    await recording.record(session, [CheckinRequest(checkin, POLICY, backfill)], at)
            roll = rng.random()
            today = local_date(noon, GROUP_TZ)
            victim = rng.choice(members)
            if roll < 0.08:
                await stats_repo.add_override(
                    session, victim, today - timedelta(days=1), rng.randrange(0, 20), "test", noon
                )
                await recording.recompute(session, [victim], POLICY, noon)
            elif roll < 0.14:
                await stats_repo.add_excused(
                    session,
                    group_id,
                    None,
                    [today - timedelta(days=rng.randrange(1, 4))],
                    "x",
                    noon,
                )
                await recording.recompute(session, members, POLICY, noon)
            elif roll < 0.2:
                await stats_repo.add_excused(
                    session, group_id, victim, [today - timedelta(days=1)], "x", noon
                )
                await recording.recompute(session, [victim], POLICY, noon)
            elif roll < 0.3:
                hide = victim not in hidden
                hidden.symmetric_difference_update({victim})
                await recording.set_hidden(session, victim, hide, noon)
            if rng.random() < 0.3:
                await board_roll.roll(session, group_id, today, noon)
                await check_boards(session, group_id, members, hidden, today)
        if day_index % 3 == 2:
            async with sessions() as session:
                assert await verify_group(session, group_id, POLICY) == [], f"day {day_index}"
