"""Learning progress at 100,000 members: ``/roadmap me`` and ``/admin progress`` latency.

Builds, in a fresh SQLite file with the real migrations (or ``--database-url``), one
group of ``--members`` members on the shipped plan (16 steps), ``--challenges``
challenges spread over the steps, and ``--challenge-checkins`` check-ins that each name a
challenge (``--per-member`` distinct days per member; ``challenge_done`` filled from them
the way migration ``0006_project_progress`` does). Each member is somewhere on the plan
(steps done, one in progress, some idle for weeks); summaries and counts are built once
with :func:`bot.db.repositories.progress_summary.rebuild`.

Then, in the same process and database:

- ``/roadmap me``: what :func:`bot.features.progress.commands.member_view` and
  ``view_reply`` do for a random member (step records, done challenges, the pure view,
  the reply), ``--runs`` times; against a naive per-request aggregation (the member's
  check-ins grouped by challenge instead of ``challenge_done``);
- ``/admin progress``: the reads the handler makes (built marker, the count rows, the idle
  members' range and names), ``--runs`` times; against a naive per-request aggregation
  (every step record of the group loaded and summarised in Python).

Run: ``.venv/bin/python benchmarks/progress.py`` (``--scale 0.1`` for a 10x smaller build).
The last line is the summary.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import gc
import io
import os
import pstats
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.checkin_setup import NOW, create_group, open_database, percentile
from bot.content.store import ContentStore
from bot.db.engine import create_session_factory
from bot.db.models import CheckIn, StepProgress
from bot.db.repositories import progress as progress_repo
from bot.db.repositories import progress_challenges, progress_summary
from bot.features.progress.admin import group_progress, progress_reply
from bot.features.progress.commands import load_view, view_reply
from bot.progress.challenge_steps import challenge_steps
from bot.progress.plan import Status, StepRecord, challenges_per_step, progress_view
from bot.progress.summary import summarise
from bot.resources import content_dir

TODAY = date(2026, 3, 2)
CHUNK = 200_000


def synthetic_store(store: ContentStore, count: int) -> ContentStore:
    """The shipped content with ``count`` challenges spread evenly over the plan's steps.

    The commands read the challenges from the content store, so the benchmark's store
    holds exactly the challenges its check-ins name.
    """
    steps = [s.id for s in store.steps]
    model = store.bundle.challenges[0]
    challenges = tuple(
        model.model_copy(update={"id": f"bench-{i:03d}", "step": steps[i % len(steps)]})
        for i in range(count)
    )
    return ContentStore(dataclasses.replace(store.bundle, challenges=challenges))


def member_plan(rng: random.Random, steps: list[str]) -> list[tuple[str, str, date, date | None]]:
    """A member's step records: some steps done in order, maybe one in progress."""
    done = min(len(steps), int(rng.expovariate(1 / 4)))
    rows: list[tuple[str, str, date, date | None]] = []
    day = TODAY - timedelta(days=rng.randint(30, 360))
    for step in steps[:done]:
        finished = min(TODAY, day + timedelta(days=rng.randint(7, 28)))
        rows.append((step, Status.DONE.value, day, finished))
        day = finished
    if done < len(steps) and rng.random() < 0.8:
        rows.append((steps[done], Status.IN_PROGRESS.value, min(day, TODAY), None))
    return rows


async def build(
    conn: AsyncConnection,
    store: ContentStore,
    members: int,
    per_member: int,
) -> tuple[int, list[int]]:
    """The group, its check-ins naming challenges, ``challenge_done`` and step records."""
    group_id, ids = await create_group(conn.engine, members)
    rng = random.Random(13)
    names = [c.id for c in store.bundle.challenges]
    steps = [s.id for s in store.steps]
    checkins: list[tuple[Any, ...]] = []
    records: list[tuple[Any, ...]] = []
    days = list(range(365))
    for member_id in ids:
        for offset in rng.sample(days, per_member):
            day = (TODAY - timedelta(days=offset)).isoformat()
            checkins.append(
                (
                    member_id,
                    group_id,
                    day,
                    f"{day} 12:00:00.000000",
                    "UTC",
                    "console",
                    rng.choice(names),
                )
            )
        for step, status, started, finished in member_plan(rng, steps):
            records.append(
                (
                    member_id,
                    step,
                    group_id,
                    status,
                    started.isoformat(),
                    finished.isoformat() if finished else None,
                    NOW.isoformat(),
                )
            )
        if len(checkins) >= CHUNK:
            await _insert_checkins(conn, checkins)
            checkins.clear()
    await _insert_checkins(conn, checkins)
    await conn.exec_driver_sql(
        "INSERT INTO step_progress (member_id, step_id, group_id, status, started_on, "
        "finished_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        records,
    )
    # What migration 0006 does for check-ins recorded before it.
    await conn.exec_driver_sql(
        "INSERT INTO challenge_done (member_id, challenge_id, group_id, done_on) "
        "SELECT member_id, challenge_id, MIN(group_id), MIN(local_date) FROM checkins "
        "WHERE challenge_id IS NOT NULL GROUP BY member_id, challenge_id"
    )
    # What the first reader after migrations 0006 and 0009 does (set-based), timed apart.
    started = time.perf_counter()
    await progress_summary.rebuild(conn, (store.phases, store.steps), group_id, NOW)
    print(f"  summaries and counts rebuilt in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    steps = challenge_steps(store.bundle.challenges)
    await progress_challenges.rebuild(conn, group_id, steps)
    print(f"  step_challenges recounted in {time.perf_counter() - started:.1f}s", flush=True)
    await conn.exec_driver_sql("ANALYZE")
    return group_id, ids


async def _insert_checkins(conn: AsyncConnection, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        await conn.exec_driver_sql(
            "INSERT INTO checkins (member_id, group_id, local_date, checked_at, timezone, "
            "platform, challenge_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


async def roadmap_me(conn: Any, store: ContentStore, group_id: int, member_id: int) -> object:
    """What ``/roadmap me`` does: :func:`~bot.features.progress.commands.load_view` + reply."""
    view = await load_view(conn, store, (group_id, member_id), TODAY)
    return view_reply(view)


async def roadmap_me_rows(conn: Any, store: ContentStore, group_id: int, member_id: int) -> object:
    """The reply counting the member's ``challenge_done`` rows per request (before 0009)."""
    records = await progress_repo.load(conn, member_id)
    done = await progress_repo.done_challenges(conn, member_id)
    steps = challenge_steps(store.bundle.challenges)
    view = progress_view(
        store.phases,
        store.steps,
        records,
        challenges_per_step(steps.step_of, done),
        steps.totals,
        TODAY,
    )
    return view_reply(view)


async def roadmap_me_naive(conn: Any, store: ContentStore, group_id: int, member_id: int) -> object:
    """The same reply, aggregating the member's check-ins per challenge per request."""
    records = await progress_repo.load(conn, member_id)
    rows = await conn.execute(
        select(CheckIn.challenge_id, func.count())
        .where(CheckIn.member_id == member_id, CheckIn.challenge_id.is_not(None))
        .group_by(CheckIn.challenge_id)
    )
    done = [challenge for challenge, _ in rows.all()]
    steps = challenge_steps(store.bundle.challenges)
    view = progress_view(
        store.phases,
        store.steps,
        records,
        challenges_per_step(steps.step_of, done),
        steps.totals,
        TODAY,
    )
    return view_reply(view)


async def admin_progress(conn: Any, store: ContentStore, group_id: int, space_id: int) -> object:
    """What ``/admin progress`` does: :func:`~bot.features.progress.admin.group_progress`
    and :func:`~bot.features.progress.admin.progress_reply` (its settings read aside)."""
    plan = (store.phases, store.steps)
    cutoff = TODAY - timedelta(weeks=3)
    progress = await group_progress(conn, plan, (group_id, space_id), cutoff, NOW)
    return progress_reply(store, progress, 3)


async def admin_progress_naive(conn: Any, store: ContentStore, group_id: int) -> object:
    """The same figures from every step record of the group, per request."""
    t = StepProgress.__table__
    rows = await conn.execute(
        select(t.c.member_id, t.c.step_id, t.c.status, t.c.started_on, t.c.finished_on).where(
            t.c.group_id == group_id
        )
    )
    by_member: dict[int, dict[str, StepRecord]] = {}
    for member_id, step_id, status, started, finished in rows.all():
        by_member.setdefault(member_id, {})[step_id] = StepRecord(
            step_id, Status(status), started, finished
        )
    on_step: Counter[str | None] = Counter()
    phases: Counter[str] = Counter()
    idle = []
    cutoff = TODAY - timedelta(weeks=3)
    for member_id, records in by_member.items():
        summary = summarise(store.phases, store.steps, records)
        on_step[summary.current_step] += 1
        phases.update(summary.phases_finished)
        if summary.on_step and summary.moved_on is not None and summary.moved_on < cutoff:
            idle.append((summary.moved_on, member_id))
    return on_step, phases, sorted(idle)[:10], len(idle)


async def timed(call: Any) -> float:
    started = time.perf_counter()
    await call
    return (time.perf_counter() - started) * 1000


def line(label: str, times: list[float]) -> str:
    return (
        f"  {label:34s} p50={percentile(times, 0.5):7.2f}ms p99={percentile(times, 0.99):7.2f}ms "
        f"max={max(times):7.2f}ms"
    )


def profile_summary(profile: cProfile.Profile, title: str) -> str:
    """The profile's top functions by cumulative and by own time, as text."""
    out = io.StringIO()
    out.write(f"{title}\n\n")
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def write_profile(name: str, profile: cProfile.Profile, title: str) -> Path:
    """Write :func:`profile_summary` to ``name``; its path."""
    path = Path(name)
    path.write_text(profile_summary(profile, title))
    return path


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--challenges", type=int, default=200)
    parser.add_argument("--per-member", type=int, default=50, help="challenge check-ins each")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies --members")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--naive-runs", type=int, default=10, help="for /admin progress")
    parser.add_argument("--profile", metavar="PREFIX", help="write cProfile summaries")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    members = max(100, int(args.members * args.scale))
    store = synthetic_store(ContentStore.from_dir(content_dir()), args.challenges)
    db = await open_database(args.database_url)
    if db.label != "sqlite":
        raise SystemExit("this benchmark builds its data with SQLite statements")
    try:
        started = time.perf_counter()
        async with db.engine.begin() as conn:
            group_id, ids = await build(conn, store, members, args.per_member)
            counts = {
                name: (await conn.execute(text(f"SELECT count(*) FROM {name}"))).scalar_one()
                for name in (
                    "checkins",
                    "challenge_done",
                    "step_progress",
                    "member_progress",
                    "step_challenges",
                )
            }
        print(
            f"sqlite: {members} members, {len(store.steps)} steps, {args.challenges} "
            f"challenges, "
            + ", ".join(f"{n} {k}" for k, n in counts.items())
            + f"; built in {time.perf_counter() - started:.0f}s"
        )
        rng = random.Random(5)
        gc.collect()
        gc.freeze()
        sessions = create_session_factory(db.engine)

        async def in_session(fn: Any, *fn_args: Any) -> object:
            # One session per request, as the dispatcher opens one per invocation.
            async with sessions() as session:
                return await fn(session, *fn_args)

        async def times(fn: Any, runs: int, *fn_args: Any) -> list[float]:
            return [
                await timed(in_session(fn, store, group_id, *fn_args, rng.choice(ids)))
                for _ in range(runs)
            ]

        for _ in range(50):  # warm-up: statement caches, page cache
            for fn in (roadmap_me, roadmap_me_rows, roadmap_me_naive):
                await in_session(fn, store, group_id, rng.choice(ids))
        me = await times(roadmap_me, args.runs)
        me_rows = await times(roadmap_me_rows, args.runs)
        me_naive = await times(roadmap_me_naive, args.runs)
        for _ in range(10):
            await in_session(admin_progress, store, group_id, 0)
        admin = [
            await timed(in_session(admin_progress, store, group_id, 0)) for _ in range(args.runs)
        ]
        await in_session(admin_progress_naive, store, group_id)
        admin_naive = [
            await timed(in_session(admin_progress_naive, store, group_id))
            for _ in range(args.naive_runs)
        ]
        if args.profile:
            for name, fn, extra in (
                ("roadmap-me", roadmap_me, None),
                ("admin-progress", admin_progress, 0),
            ):
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(args.runs):
                    tail = (extra,) if extra is not None else (rng.choice(ids),)
                    await in_session(fn, store, group_id, *tail)
                profile.disable()
                title = f"{args.runs} x {name} at {members} members (benchmarks/progress.py)"
                path = write_profile(f"{args.profile}-{name}.txt", profile, title)
                print(f"  profile written to {path}")
        print(line("/roadmap me", me))
        print(line("/roadmap me, challenge_done rows", me_rows))
        print(line("/roadmap me, naive (check-ins)", me_naive))
        print(line("/admin progress", admin))
        print(line("/admin progress, naive (all rows)", admin_naive))
        me99, naive99 = percentile(me, 0.99), percentile(me_naive, 0.99)
        admin99, admin_naive99 = percentile(admin, 0.99), percentile(admin_naive, 0.99)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"progress: /roadmap me p99={me99:.2f}ms (target 5ms, naive {naive99:.2f}ms, "
            f"{naive99 / me99:.1f}x); /admin progress p99={admin99:.2f}ms (target 20ms, naive "
            f"{admin_naive99:.0f}ms, {admin_naive99 / admin99:.0f}x) at {members} members, "
            f"{os.cpu_count()} cores, load average {load}"
        )
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(main())
