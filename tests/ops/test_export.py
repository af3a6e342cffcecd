"""``studybot export``: a group's data as one JSON document or a zip of CSV files."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Group, MemberStats, Space
from tests.ops.conftest import CliResult
from tests.ops.seed import DISCORD_GUILD, dump, seed

NOTE = 'built the endpoint, with "quotes", commas, and\na newline'


def test_json_export_holds_the_whole_group(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    asyncio.run(seed(sqlite_url, members=5, days=4))
    out = tmp_path / "group.json"
    result = cli("export", "--group", "1", "--format", "json", "--output", str(out), url=sqlite_url)
    assert result.code == 0, result.err
    assert "exported group 1 (Backend Learners)" in result.out
    # The summary counts the identities too, though JSON nests them under members.
    assert "5 members, 5 identities, 20 checkins" in result.out, result.out
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == "studybot-export" and document["version"] == 1
    assert document["group"]["name"] == "Backend Learners"
    tables = asyncio.run(dump(sqlite_url))
    assert len(document["checkins"]) == len(tables["checkins"]) == 20
    assert len(document["members"]) == 5
    first = document["members"][0]
    assert first["display_name"] == "Member 0 ✓" and first["reminders"] is True
    assert first["identities"] == [
        {
            "platform": "discord",
            "space": DISCORD_GUILD,
            "user_id": "100000000000000000",
            "display_name": "m0",
            "created_at": "2026-03-02T08:00:00+00:00",
        }
    ]
    assert document["checkins"][0]["note"] == NOTE
    assert document["checkins"][0]["local_date"] == "2026-02-27"
    assert {s["key"]: s["value"] for s in document["settings"]}["moderator_roles"] == ["1", "2"]
    assert document["audit_log"][0]["after"] == {"value": "Europe/Berlin"}
    assert len(document["member_stats"]) == 5
    assert document["streaks"][0] == {
        "platform": "discord",
        "space": DISCORD_GUILD,
        "user_id": "100000000000000000",
        "display_name": "Member 0 ✓",
        "current_streak": 4,
        "longest_streak": 4,
        "last_checkin": "2026-03-02",
    }


def test_csv_export_is_a_zip_of_tables(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    asyncio.run(seed(sqlite_url))
    out = tmp_path / "group.zip"
    result = cli(
        "export",
        "--group",
        "backend learners",
        "--format",
        "csv",
        "--output",
        str(out),
        url=sqlite_url,
    )
    assert result.code == 0, result.err
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"members.csv", "identities.csv", "checkins.csv", "member_stats.csv"} <= names
        assert {"audit_log.csv", "settings.csv", "streaks.csv"} <= names

        def table(name: str) -> list[dict[str, str]]:
            text = archive.read(name).decode("utf-8")
            return list(csv.DictReader(io.StringIO(text, newline="")))

        checkins = table("checkins.csv")
        assert len(checkins) == 20 and checkins[0]["note"] == NOTE
        by_challenge = [c["challenge_id"] for c in checkins]
        assert by_challenge.count("") == by_challenge.count("http-01") == 10  # none = empty
        members = table("members.csv")
        assert [m["hidden"] for m in members] == ["false", "false", "false", "true", "false"]
        settings = {row["key"]: row["value"] for row in table("settings.csv")}
        assert json.loads(settings["moderator_roles"]) == ["1", "2"]
        assert len(table("identities.csv")) == 5
        streaks = table("streaks.csv")
        assert list(streaks[0]) == [
            "platform",
            "space",
            "user_id",
            "display_name",
            "current_streak",
            "longest_streak",
            "last_checkin",
        ]


def test_exported_streaks_import_into_another_installation(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    asyncio.run(seed(sqlite_url))
    out = tmp_path / "group.zip"
    assert (
        cli("export", "--group", "1", "--format", "csv", "--output", str(out), url=sqlite_url).code
        == 0
    )
    streaks_csv = tmp_path / "streaks.csv"
    streaks_csv.write_bytes(zipfile.ZipFile(out).read("streaks.csv"))
    other = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"

    async def fresh_installation() -> None:
        engine = create_engine(other)
        try:
            await migrate.upgrade(engine)
            now = datetime(2026, 3, 2, tzinfo=UTC)
            async with create_session_factory(engine)() as session, session.begin():
                session.add(Group(id=1, name="moved", created_at=now))
                session.add(
                    Space(
                        group_id=1,
                        platform="discord",
                        external_id=DISCORD_GUILD,
                        name="",
                        created_at=now,
                    )
                )
        finally:
            await engine.dispose()

    asyncio.run(fresh_installation())
    result = cli("import", "streaks", str(streaks_csv), url=other)
    assert result.code == 0, result.err
    columns = list(MemberStats.__table__.columns.keys())
    kept = [columns.index(name) for name in ("run", "run_end", "longest")]

    def streaks(url: str) -> list[tuple[object, ...]]:
        rows = asyncio.run(dump(url))["member_stats"]
        return sorted(tuple(row[i] for i in kept) for row in rows)

    assert streaks(other) == streaks(sqlite_url)  # every member keeps run, end and longest


def test_unknown_group_lists_the_groups(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    asyncio.run(seed(sqlite_url))
    result = cli("export", "--group", "nope", "--output", str(tmp_path / "x.json"), url=sqlite_url)
    assert result.code == 1
    assert "no group has the id or name 'nope'" in result.err
    assert "1: Backend Learners (discord 900000000000000001)" in result.err
    assert not (tmp_path / "x.json").exists()
    csv_to_stdout = cli("export", "--group", "1", "--format", "csv", "--output", "-")
    assert csv_to_stdout.code == 1 and "zip" in csv_to_stdout.err


def test_json_to_standard_output(cli: Callable[..., CliResult], sqlite_url: str) -> None:
    asyncio.run(seed(sqlite_url))
    result = cli("export", "--group", "1", "--output", "-", url=sqlite_url)
    assert result.code == 0
    assert len(json.loads(result.out)["checkins"]) == 20
    assert "exported group 1" in result.err
