"""Operations tools on a realistic group: backup, export, copy to PostgreSQL, streak import.

A SQLite database (real migrations, production pragmas) is filled with ``--members``
members who checked in every day for ``--days`` days. Then each tool runs the way an
operator runs it (the same functions the CLI calls) and is timed:

- ``studybot db backup`` (SQLite online backup API) while nothing else runs;
- ``studybot export`` as JSON and as a CSV zip;
- ``studybot db copy`` to a fresh PostgreSQL database (skipped when 127.0.0.1:5432 is not
  reachable), verified row counts included;
- ``studybot import streaks`` of ``--import-rows`` new members (check + write).

The last line is the summary.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import CheckIn, Group, Identity, Member, MemberStats, Space
from bot.ops import dbcopy, sqlite_backup, streak_csv, streak_import
from bot.ops.export import export_group

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
GUILD = "900000000000000001"


async def fill(url: str, members: int, days: int) -> int:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    first = date(2026, 3, 1) - timedelta(days=days - 1)
    async with engine.begin() as connection:
        await connection.execute(insert(Group), [{"id": 1, "name": "Bench", "created_at": NOW}])
        await connection.execute(
            insert(Space),
            [
                {
                    "id": 1,
                    "group_id": 1,
                    "platform": "discord",
                    "external_id": GUILD,
                    "name": "",
                    "created_at": NOW,
                }
            ],
        )
        await connection.execute(
            insert(Member),
            [
                {
                    "id": m,
                    "group_id": 1,
                    "display_name": f"member {m}",
                    "timezone": None,
                    "hidden": False,
                    "reminders": False,
                    "created_at": NOW,
                }
                for m in range(1, members + 1)
            ],
        )
        await connection.execute(
            insert(Identity),
            [
                {
                    "member_id": m,
                    "space_id": 1,
                    "platform_user_id": str(10**17 + m),
                    "display_name": "",
                    "created_at": NOW,
                }
                for m in range(1, members + 1)
            ],
        )
        for m in range(1, members + 1):
            await connection.execute(
                insert(CheckIn),
                [
                    {
                        "member_id": m,
                        "group_id": 1,
                        "local_date": first + timedelta(days=d),
                        "checked_at": NOW,
                        "timezone": "UTC",
                        "platform": "discord",
                        "challenge_id": "http-01",
                        "note": "did the exercise",
                        "link": None,
                    }
                    for d in range(days)
                ],
            )
        await connection.execute(
            insert(MemberStats),
            [
                {
                    "member_id": m,
                    "group_id": 1,
                    "run": days,
                    "run_end": date(2026, 3, 1),
                    "alive_until": date(2026, 3, 2),
                    "longest": days,
                    "total": days,
                    "freezes": 0,
                    "progress": 0,
                    "freezes_used": 0,
                    "hidden": False,
                    "updated_at": NOW,
                }
                for m in range(1, members + 1)
            ],
        )
    await engine.dispose()
    return members * days


def postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


async def copy_to_postgres(source: str) -> tuple[int, float] | None:
    if not postgres_up():
        return None
    import asyncpg

    name = f"studybot_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(host="127.0.0.1", user="postgres", database="test")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        started = time.perf_counter()
        counts = await dbcopy.copy_database(source, f"postgresql://postgres@127.0.0.1/{name}")
        elapsed = time.perf_counter() - started
        assert all(c.matches for c in counts), counts
        return sum(c.source for c in counts), elapsed
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def import_rows(url: str, folder: Path, rows: int) -> float:
    path = folder / "import.csv"
    lines = ["platform,space,user_id,display_name,current_streak,longest_streak,last_checkin"]
    lines += [
        f"discord,{GUILD},{2 * 10**17 + i},new {i},{i % 50},{i % 90},2026-03-01"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    with path.open(newline="") as handle:
        parsed = streak_csv.parse(handle, today=date(2026, 3, 2))
    assert not parsed.errors, parsed.errors[:3]
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        planned = await streak_import.plan(session, parsed.rows)
        assert not planned.errors
        await streak_import.apply(session, planned, source="bench", actor="bench", now=NOW)
        await session.commit()
    await engine.dispose()
    return time.perf_counter() - started


async def main(members: int, days: int, import_count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite+aiosqlite:///{folder / 'studybot.db'}"
        checkins = await fill(url, members, days)
        print(f"filled: {members} members, {checkins:,} check-ins")

        started = time.perf_counter()
        snapshot = sqlite_backup.backup(folder / "studybot.db", folder / "backup.db")
        backup_s = time.perf_counter() - started
        megabytes = snapshot.size / 1e6
        print(f"backup: {megabytes:.1f} MB in {backup_s:.2f} s ({megabytes / backup_s:.0f} MB/s)")

        exports = {}
        for fmt in ("json", "csv"):
            started = time.perf_counter()
            out = folder / f"export.{fmt}"
            summary = await export_group(url, "1", fmt, str(out), NOW)  # type: ignore[arg-type]
            exports[fmt] = time.perf_counter() - started
            rows = sum(summary.counts.values())
            print(
                f"export {fmt}: {rows:,} rows in {exports[fmt]:.2f} s "
                f"({rows / exports[fmt]:,.0f} rows/s, {out.stat().st_size / 1e6:.1f} MB)"
            )

        copied = await copy_to_postgres(url)
        if copied is None:
            copy_text = "copy skipped (no PostgreSQL on 127.0.0.1:5432)"
        else:
            rows, elapsed = copied
            copy_text = (
                f"copy to PostgreSQL {rows:,} rows in {elapsed:.1f} s "
                f"({rows / elapsed:,.0f} rows/s, counts verified)"
            )
        print(copy_text)

        import_s = await import_rows(url, folder, import_count)
        print(
            f"import: {import_count:,} rows in {import_s:.2f} s "
            f"({import_count / import_s:,.0f} rows/s)"
        )

        print(
            f"SUMMARY ops: backup {megabytes:.1f} MB in {backup_s:.2f} s; export json "
            f"{exports['json']:.2f} s, csv {exports['csv']:.2f} s for {checkins:,} check-ins; "
            f"{copy_text}; import {import_count:,} streaks in {import_s:.2f} s"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--import-rows", type=int, default=2000)
    options = parser.parse_args()
    asyncio.run(main(options.members, options.days, options.import_rows))
