"""``studybot import streaks``: all rows checked first, every bad row reported, all or
nothing, and the result agrees with a replay of check-ins and overrides."""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Identity, MemberStats
from bot.db.repositories import settings as settings_repo
from bot.features.checkins import rules
from bot.features.checkins.audit_check import verify_members
from tests.cli.docs_examples import ROOT
from tests.ops.conftest import CliResult
from tests.ops.seed import DISCORD_GUILD, dump, seed

HEADER = "platform,space,user_id,display_name,current_streak,longest_streak,last_checkin\n"
NEWCOMER = "200000000000000001"
REGULAR = "100000000000000002"  # seeded: checked in 2026-02-27 .. 2026-03-02


def write_csv(tmp_path: Path, body: str, name: str = "streaks.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


async def stats_of(url: str, user_id: str) -> MemberStats | None:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            query = (
                select(MemberStats)
                .join(Identity, Identity.member_id == MemberStats.member_id)
                .where(Identity.platform_user_id == user_id)
            )
            return (await session.execute(query)).scalar_one_or_none()
    finally:
        await engine.dispose()


async def recompute_problems(url: str, member_ids: list[int]) -> list[str]:
    """What the check-in feature's own verifier finds wrong with the stored figures."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            policy = rules.policy_from(await settings_repo.load(session, 1))
            return await verify_members(session, 1, member_ids, policy)
    finally:
        await engine.dispose()


def test_good_file_imports_every_member(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    asyncio.run(seed(sqlite_url))
    path = write_csv(
        tmp_path,
        f"discord,{DISCORD_GUILD},{NEWCOMER},Newcomer,5,8,2026-03-01\n"
        f"discord,{DISCORD_GUILD},{REGULAR},,10,20,2026-02-26\n",
    )
    result = cli("import", "streaks", str(path), url=sqlite_url)
    assert result.code == 0, result.err
    assert "imported 2 streak(s)" in result.out and "1 new member(s)" in result.out

    newcomer = asyncio.run(stats_of(sqlite_url, NEWCOMER))
    assert newcomer is not None
    assert (newcomer.run, newcomer.run_end, newcomer.longest) == (5, date(2026, 3, 1), 8)
    assert newcomer.total == 0  # check-in days recorded here: none yet
    assert newcomer.alive_until == date(2026, 3, 2)  # no freezes: shown through tomorrow
    # The regular's four check-ins here continue the imported ten days.
    regular = asyncio.run(stats_of(sqlite_url, REGULAR))
    assert regular is not None
    assert (regular.run, regular.run_end, regular.longest) == (14, date(2026, 3, 2), 20)
    assert regular.total == 4
    # A later recompute from check-ins and overrides gives exactly what was stored.
    members = [newcomer.member_id, regular.member_id]
    assert asyncio.run(recompute_problems(sqlite_url, members)) == []

    tables = asyncio.run(dump(sqlite_url))
    imported = [
        row[1:4] for row in tables["streak_overrides"] if row[4] == "imported from streaks.csv"
    ]
    assert sorted(imported) == sorted(
        [
            (newcomer.member_id, date(2026, 2, 24), 8),  # the longest streak, before
            (newcomer.member_id, date(2026, 3, 1), 5),
            (regular.member_id, date(2026, 2, 16), 20),
            (regular.member_id, date(2026, 2, 26), 10),
        ]
    )
    audit = [row for row in tables["audit_log"] if row[4] == "streaks.import"]
    assert len(audit) == 1 and audit[0][7] == {"rows": 2, "new_members": 1}

    again = cli("import", "streaks", str(path))
    assert again.code == 0 and "0 new member(s)" in again.out
    after = asyncio.run(dump(sqlite_url))
    assert after["streak_overrides"] == tables["streak_overrides"]  # not duplicated
    # Same statistics (only updated_at moves).
    moving = list(MemberStats.__table__.columns.keys()).index("updated_at")

    def still(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
        return [row[:moving] + row[moving + 1 :] for row in rows]

    assert still(after["member_stats"]) == still(tables["member_stats"])


def test_broken_file_reports_every_bad_row_and_writes_nothing(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    asyncio.run(seed(sqlite_url))
    before = asyncio.run(dump(sqlite_url))
    path = write_csv(
        tmp_path,
        f"discord,{DISCORD_GUILD},{NEWCOMER},Fine,5,8,2026-03-01\n"  # line 2: fine
        f"discord,{DISCORD_GUILD},1.23457E+17,Excel,5,5,2026-03-01\n"  # 3
        f"discord,{DISCORD_GUILD},{NEWCOMER},Twice,1,1,2026-03-01\n"  # 4
        f"slack,T0TEAM,U0ANN,,abc,2,01/03/2026\n"  # 5: two problems
        f"discord,{DISCORD_GUILD},300000000000000001,,3,3,2099-01-01\n"  # 6
        f"discord,{DISCORD_GUILD},300000000000000002,,4\n"  # 7
        f"discord,999999999999999999,300000000000000003,,1,1,2026-03-01\n"  # 8: unknown space
        f"telegram,{DISCORD_GUILD},300000000000000004,,1,1,2026-03-01\n"  # 9
        f"discord,{DISCORD_GUILD},300000000000000005,,2,2,\n",  # 10: no date
    )
    result = cli("import", "streaks", str(path), url=sqlite_url)
    assert result.code == 1
    lines = result.err.splitlines()
    reported = {int(line.split(":")[0].split()[1]) for line in lines if line.startswith("line ")}
    assert reported == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "spreadsheet" in result.err and "same member as line 2" in result.err
    assert "not a whole number" in result.err and "not a date" in result.err
    assert "in the future" in result.err and "has 5 field(s)" in result.err
    assert "has not seen the discord space" in result.err and "telegram" in result.err
    assert "8 bad row(s)" in result.err and "nothing was imported" in result.err
    assert "Traceback" not in result.err
    assert asyncio.run(dump(sqlite_url)) == before


def test_dry_run_shows_the_changes_and_writes_nothing(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    asyncio.run(seed(sqlite_url))
    before = asyncio.run(dump(sqlite_url))
    path = tmp_path / "short.csv"
    path.write_text(
        "user_id,current_streak,longest_streak,last_checkin\n"
        f"{NEWCOMER},5,8,2026-03-01\n{REGULAR},10,20,2026-02-26\n",
        encoding="utf-8",
    )
    result = cli(
        "import",
        "streaks",
        str(path),
        "--platform",
        "discord",
        "--space",
        DISCORD_GUILD,
        "--dry-run",
        url=sqlite_url,
    )
    assert result.code == 0, result.err
    assert (
        "line 2: discord/200000000000000001, new member: streak 0 -> 5 (to 2026-03-01), "
        "longest 0 -> 8" in result.out
    )
    assert (
        "line 3: discord/100000000000000002, member 3: streak 4 -> 14 (to 2026-03-02), "
        "longest 6 -> 20" in result.out
    )
    assert "dry run: 2 row(s) ok, 1 new member(s); nothing was written" in result.out
    assert asyncio.run(dump(sqlite_url)) == before


def test_missing_columns_and_empty_files_are_explained(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    no_space = tmp_path / "no_space.csv"
    no_space.write_text("platform,user_id,current_streak,longest_streak,last_checkin\n")
    result = cli("import", "streaks", str(no_space), url=sqlite_url)
    assert result.code == 1 and "missing column(s): space" in result.err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "the file is empty" in cli("import", "streaks", str(empty)).err
    gone = cli("import", "streaks", str(tmp_path / "nope.csv"))
    assert gone.code == 1 and "cannot read" in gone.err


def test_the_readme_example_file_imports(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    """The README's CSV, verbatim: Bob has no current streak and no last check-in date."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Importing streaks from another bot", 1)[1]
    body = re.search(r"```csv\n(.*?)```", section, re.S)
    assert body is not None
    path = tmp_path / "old-bot.csv"
    path.write_text(body.group(1), encoding="utf-8")
    asyncio.run(seed(sqlite_url))
    dry = cli("import", "streaks", str(path), "--dry-run", url=sqlite_url)
    assert dry.code == 0, dry.err
    result = cli("import", "streaks", str(path))
    assert result.code == 0, result.err
    assert "imported 2 streak(s)" in result.out
    for row in csv.DictReader(body.group(1).splitlines()):
        stats = asyncio.run(stats_of(sqlite_url, row["user_id"]))
        assert stats is not None, row
        assert (stats.run, stats.longest) == (
            int(row["current_streak"]),
            int(row["longest_streak"]),
        ), row
        if row["last_checkin"]:
            assert stats.run_end == date.fromisoformat(row["last_checkin"])
