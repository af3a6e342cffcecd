"""Reading and checking the streaks CSV that ``studybot import streaks`` takes.

One row per member::

    platform,space,user_id,display_name,current_streak,longest_streak,last_checkin
    discord,900000000000000001,123456789012345678,Ann,12,30,2026-03-01

``platform`` and ``space`` may be left out when ``--platform``/``--space`` give them for
every row. Every row is checked before anything is written, and every problem is
reported with its line number, so a file is fixed in one go.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

COLUMNS = (
    "platform",
    "space",
    "user_id",
    "display_name",
    "current_streak",
    "longest_streak",
    "last_checkin",
)
REQUIRED = ("user_id", "current_streak", "longest_streak", "last_checkin")
# Column names other bots' exports and spreadsheets tend to use.
ALIASES = {
    "platform_user_id": "user_id",
    "user": "user_id",
    "space_id": "space",
    "space_external_id": "space",
    "guild_id": "space",
    "team_id": "space",
    "name": "display_name",
    "current": "current_streak",
    "streak": "current_streak",
    "longest": "longest_streak",
    "last_checkin_date": "last_checkin",
    "last_check_in": "last_checkin",
    "last_date": "last_checkin",
}
PLATFORMS = ("discord", "slack", "console")
MAX_STREAK = 36_500  # a hundred years of days: anything above is a typo
_DISCORD_ID = re.compile(r"^\d{15,21}$")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class StreakRow:
    """One valid row of the file."""

    line: int
    platform: str
    space: str
    user_id: str
    display_name: str
    current: int
    longest: int
    last_checkin: date | None

    @property
    def key(self) -> tuple[str, str, str]:
        """Who the row is about: (platform, space, user id)."""
        return (self.platform, self.space, self.user_id)


@dataclass(frozen=True)
class RowError:
    """A problem with one line of the file (line 0: the file as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ParsedFile:
    """The valid rows, the problems, and notes (ignored columns)."""

    rows: list[StreakRow]
    errors: list[RowError]
    notes: list[str]


def parse(
    lines: Iterable[str],
    *,
    today: date,
    platform: str | None = None,
    space: str | None = None,
) -> ParsedFile:
    """Check every row of a streaks CSV.

    Args:
        lines: The file's lines (opened with ``newline=""``).
        today: The current UTC date; a last check-in more than a day after it is refused.
        platform: The platform for rows without a ``platform`` column.
        space: The space external id for rows without a ``space`` column.
    """
    result = ParsedFile([], [], [])
    reader = csv.reader(lines)
    header_row = next(reader, None)
    if header_row is None:
        result.errors.append(RowError(0, "the file is empty (it needs a header row)"))
        return result
    header = [ALIASES.get(_norm(name), _norm(name)) for name in header_row]
    if problem := _header_problem(header, platform, space):
        result.errors.append(RowError(1, problem))
        return result
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        result.notes.append(f"ignored column(s): {', '.join(unknown)}")
    seen: dict[tuple[str, str, str], int] = {}
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            message = f"has {len(fields)} field(s) but the header has {len(header)}"
            result.errors.append(RowError(line, message))
            continue
        values = {name: value.strip() for name, value in zip(header, fields, strict=True)}
        row, problems = _row(line, values, today, platform, space)
        result.errors.extend(RowError(line, p) for p in problems)
        if row is None:
            continue
        if row.key in seen:
            result.errors.append(RowError(line, f"same member as line {seen[row.key]}"))
            continue
        seen[row.key] = line
        result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append(RowError(0, "the file has a header but no rows"))
    return result


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _header_problem(header: list[str], platform: str | None, space: str | None) -> str | None:
    needed = list(REQUIRED)
    if platform is None:
        needed.append("platform")
    if space is None:
        needed.append("space")
    missing = [name for name in needed if name not in header]
    if missing:
        return (
            f"missing column(s): {', '.join(missing)} (the header must name "
            f"{', '.join(COLUMNS)}; platform and space may come from --platform/--space)"
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        return f"column(s) given twice: {', '.join(duplicated)}"
    return None


def _row(
    line: int,
    values: dict[str, str],
    today: date,
    default_platform: str | None,
    default_space: str | None,
) -> tuple[StreakRow | None, list[str]]:
    problems: list[str] = []
    platform = (values.get("platform") or default_platform or "").lower()
    if platform not in PLATFORMS:
        problems.append(f"platform {platform!r} is not one of {', '.join(PLATFORMS)}")
    space = values.get("space") or default_space or ""
    if not space:
        problems.append("space is empty (give the Discord server id or Slack team id)")
    user_id = values.get("user_id", "")
    problems.extend(_user_id_problems(platform, user_id))
    name = values.get("display_name", "")
    if len(name) > 200:
        problems.append("display_name is longer than 200 characters")
    current = _count(values.get("current_streak", ""), "current_streak", problems)
    longest = _count(values.get("longest_streak", ""), "longest_streak", problems)
    raw_last = values.get("last_checkin", "")
    last = _date(raw_last, problems)
    if current and not raw_last:
        problems.append("last_checkin is empty (it dates the current streak; needed when above 0)")
    elif longest and not raw_last:
        # No current streak and no date: the longest run is history, so date it (and the
        # current run of 0) yesterday; a check-in here today starts a new streak.
        last = today - timedelta(days=1)
    if last is not None and last > today + timedelta(days=1):
        problems.append(f"last_checkin {last.isoformat()} is in the future")
    if problems or current is None or longest is None:
        return None, problems
    return StreakRow(line, platform, space, user_id, name, current, longest, last), []


def _user_id_problems(platform: str, user_id: str) -> list[str]:
    if not user_id:
        return ["user_id is empty"]
    if len(user_id) > 64:
        return ["user_id is longer than 64 characters"]
    if platform == "discord" and not _DISCORD_ID.match(user_id):
        hint = " (did a spreadsheet turn it into a number?)" if "E+" in user_id.upper() else ""
        return [f"Discord user ids are 15-21 digits, got {user_id!r}{hint}"]
    if platform == "slack" and not _SLACK_ID.match(user_id):
        return [f"Slack user ids look like U012AB3CD, got {user_id!r}"]
    return []


def _count(text: str, column: str, problems: list[str]) -> int | None:
    if not (text.isascii() and text.isdigit()):
        problems.append(f"{column} {text!r} is not a whole number of days (0 or more)")
        return None
    value = int(text)
    if value > MAX_STREAK:
        problems.append(f"{column} {value} is more than {MAX_STREAK} days")
        return None
    return value


def _date(text: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"last_checkin {text!r} is not a date like 2026-03-01")
        return None
