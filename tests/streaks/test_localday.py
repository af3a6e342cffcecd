"""Unit tests for bot.streaks.localday: local days, DST boundaries, formatting, tz lookup."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.streaks import (
    UnknownTimezone,
    day_bounds,
    format_duration,
    local_date,
    parse_timezone,
    time_left,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- local_date -------------------------------------------------------------------------


def test_local_date_uses_member_zone() -> None:
    instant = utc(2024, 6, 1, 23, 30)
    assert local_date(instant, ZoneInfo("UTC")) == date(2024, 6, 1)
    assert local_date(instant, BERLIN) == date(2024, 6, 2)
    assert local_date(instant, NEW_YORK) == date(2024, 6, 1)
    assert local_date(instant, ZoneInfo("Pacific/Kiritimati")) == date(2024, 6, 2)
    assert local_date(instant, ZoneInfo("Etc/GMT+12")) == date(2024, 6, 1)


def test_local_date_accepts_any_aware_input_zone() -> None:
    instant = datetime(2024, 6, 2, 1, 30, tzinfo=BERLIN)
    assert local_date(instant, BERLIN) == date(2024, 6, 2)
    assert local_date(instant.astimezone(NEW_YORK), BERLIN) == date(2024, 6, 2)


def test_local_date_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2024, 6, 1, 12), BERLIN)


def test_local_date_rejects_aware_day_start() -> None:
    with pytest.raises(ValueError, match="day_start"):
        local_date(utc(2024, 6, 1), BERLIN, time(2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        (datetime(2024, 6, 2, 1, 30), date(2024, 6, 1)),
        (datetime(2024, 6, 2, 1, 59, 59, 999999), date(2024, 6, 1)),
        (datetime(2024, 6, 2, 2, 0), date(2024, 6, 2)),
        (datetime(2024, 6, 2, 23, 59), date(2024, 6, 2)),
        (datetime(2024, 6, 2, 0, 0), date(2024, 6, 1)),
    ],
)
def test_local_date_day_start_offset(wall: datetime, expected: date) -> None:
    assert local_date(wall.replace(tzinfo=BERLIN), BERLIN, time(2, 0)) == expected


def test_local_date_second_occurrence_of_ambiguous_day_start_is_new_day() -> None:
    # Berlin 2024-10-27: 03:00 CEST falls back to 02:00 CET; the day starting at 02:30
    # begins at the first 02:30, so the second 02:15 is already inside the new day.
    second = datetime(2024, 10, 27, 2, 15, fold=1, tzinfo=BERLIN)
    first = datetime(2024, 10, 27, 2, 15, fold=0, tzinfo=BERLIN)
    assert local_date(first, BERLIN, time(2, 30)) == date(2024, 10, 26)
    assert local_date(second, BERLIN, time(2, 30)) == date(2024, 10, 27)


def test_local_date_skipped_day_is_never_returned() -> None:
    # Samoa skipped 2011-12-30 when it crossed the date line.
    apia = ZoneInfo("Pacific/Apia")
    start, end = day_bounds(date(2011, 12, 30), apia)
    assert start == end
    assert local_date(start, apia) == date(2011, 12, 31)
    assert local_date(start - timedelta(seconds=1), apia) == date(2011, 12, 29)


# --- day_bounds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day_text", "start_text", "first", "last"),
    [
        # Spring forward at 02:00 → 03:00 (23 h day).
        ("Europe/Berlin", "2024-03-31", "00:00", "2024-03-30 23:00", "2024-03-31 22:00"),
        # Day start inside the gap: first instant after it (03:00 CEST).
        ("Europe/Berlin", "2024-03-31", "02:30", "2024-03-31 01:00", "2024-04-01 00:30"),
        # Fall back 03:00 → 02:00 (25 h day).
        ("Europe/Berlin", "2024-10-27", "00:00", "2024-10-26 22:00", "2024-10-27 23:00"),
        # Ambiguous day start: first occurrence (02:30 CEST).
        ("Europe/Berlin", "2024-10-27", "02:30", "2024-10-27 00:30", "2024-10-28 01:30"),
        ("Europe/Berlin", "2024-10-26", "02:30", "2024-10-26 00:30", "2024-10-27 00:30"),
        ("America/New_York", "2024-03-10", "00:00", "2024-03-10 05:00", "2024-03-11 04:00"),
        ("America/New_York", "2024-03-10", "02:00", "2024-03-10 07:00", "2024-03-11 06:00"),
        ("America/New_York", "2024-11-03", "01:30", "2024-11-03 05:30", "2024-11-04 06:30"),
        # Southern hemisphere: DST ends in April, starts in October.
        ("Australia/Sydney", "2024-04-07", "00:00", "2024-04-06 13:00", "2024-04-07 14:00"),
        ("Australia/Sydney", "2024-04-07", "02:30", "2024-04-06 15:30", "2024-04-07 16:30"),
        ("Australia/Sydney", "2024-10-06", "02:00", "2024-10-05 16:00", "2024-10-06 15:00"),
        # Chatham: +12:45 / +13:45, transitions at 02:45 standard time.
        ("Pacific/Chatham", "2024-09-29", "00:00", "2024-09-28 11:15", "2024-09-29 10:15"),
        ("Pacific/Chatham", "2024-09-29", "03:00", "2024-09-28 14:00", "2024-09-29 13:15"),
        ("Pacific/Chatham", "2024-04-07", "03:00", "2024-04-06 13:15", "2024-04-07 14:15"),
        # St. John's: −03:30 / −02:30.
        ("America/St_Johns", "2024-03-10", "02:15", "2024-03-10 05:30", "2024-03-11 04:45"),
        ("America/St_Johns", "2024-11-03", "01:30", "2024-11-03 04:00", "2024-11-04 05:00"),
        # Santiago springs forward at midnight: the day starts at 01:00.
        ("America/Santiago", "2024-09-08", "00:00", "2024-09-08 04:00", "2024-09-09 03:00"),
        # Lord Howe: 30-minute DST shift.
        ("Australia/Lord_Howe", "2024-10-06", "02:15", "2024-10-05 15:30", "2024-10-06 15:15"),
    ],
)
def test_day_bounds_dst(zone: str, day_text: str, start_text: str, first: str, last: str) -> None:
    tz, day, day_start = (
        ZoneInfo(zone),
        date.fromisoformat(day_text),
        time.fromisoformat(start_text),
    )
    start = datetime.fromisoformat(first).replace(tzinfo=UTC)
    end = datetime.fromisoformat(last).replace(tzinfo=UTC)
    assert day_bounds(day, tz, day_start) == (start, end)
    assert local_date(start, tz, day_start) == day
    assert local_date(end - timedelta(microseconds=1), tz, day_start) == day
    assert local_date(end, tz, day_start) == day + timedelta(days=1)


def test_day_bounds_are_utc() -> None:
    start, end = day_bounds(date(2024, 6, 1), BERLIN)
    assert start.tzinfo is UTC
    assert end.tzinfo is UTC


# --- time_left --------------------------------------------------------------------------


def test_time_left_plain_day() -> None:
    at = datetime(2024, 6, 1, 20, 48, tzinfo=BERLIN)
    assert time_left(at, BERLIN) == timedelta(hours=3, minutes=12)


def test_time_left_counts_real_hours_across_fall_back() -> None:
    # 00:30 CEST on the 25-hour day: 24.5 real hours remain, not 23.5.
    at = datetime(2024, 10, 27, 0, 30, tzinfo=BERLIN)
    assert time_left(at, BERLIN) == timedelta(hours=24, minutes=30)


def test_time_left_with_day_start() -> None:
    at = datetime(2024, 6, 2, 1, 0, tzinfo=BERLIN)
    assert time_left(at, BERLIN, time(2)) == timedelta(hours=1)


# --- format_duration --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(hours=3, minutes=12), "3 h 12 min"),
        (timedelta(hours=3, minutes=12, seconds=59), "3 h 12 min"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(days=1, hours=2), "1 d 2 h"),
        (timedelta(days=1, hours=2, minutes=59), "1 d 2 h"),
        (timedelta(days=2), "2 d"),
        (timedelta(hours=5), "5 h"),
        (timedelta(seconds=30), "< 1 min"),
        (timedelta(0), "0 min"),
    ],
)
def test_format_duration(duration: timedelta, text: str) -> None:
    assert format_duration(duration) == text


def test_format_duration_rejects_negative() -> None:
    with pytest.raises(ValueError):
        format_duration(timedelta(seconds=-1))


# --- parse_timezone ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  America/New York ", "America/New_York"),
        ("utc", "UTC"),
    ],
)
def test_parse_timezone_accepts(text: str, key: str) -> None:
    assert parse_timezone(text).key == key


def test_parse_timezone_suggests_from_last_part() -> None:
    with pytest.raises(UnknownTimezone) as caught:
        parse_timezone("berlin")
    assert caught.value.suggestions[0] == "Europe/Berlin"
    assert caught.value.name == "berlin"
    assert "Europe/Berlin" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Europe/Berln", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("KATHMANDU", "Asia/Kathmandu"),
        ("Amercia/Chicago", "America/Chicago"),
    ],
)
def test_parse_timezone_suggestions(text: str, best: str) -> None:
    with pytest.raises(UnknownTimezone) as caught:
        parse_timezone(text)
    assert caught.value.suggestions[0] == best
    assert 1 <= len(caught.value.suggestions) <= 3


@pytest.mark.parametrize("text", ["", "   ", "xyzzy-qwertz", "../../etc/passwd"])
def test_parse_timezone_unknown_without_suggestions(text: str) -> None:
    with pytest.raises(UnknownTimezone) as caught:
        parse_timezone(text)
    assert isinstance(caught.value, ValueError)
    assert caught.value.suggestions == ()
