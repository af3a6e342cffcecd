"""The one text parser shared by Slack and the console."""

from datetime import date, time

import pytest

from bot.core.args import convert_typed, parse_text, tokenize
from bot.core.commands import CommandSpec, Param, ParamKind
from bot.core.errors import UsageError
from bot.core.models import Reply


async def _h(ctx: object, **kw: object) -> Reply:
    return Reply()


def spec(*params: Param) -> CommandSpec:
    return CommandSpec("cmd", "d", _h, params=params)


DONE = spec(Param("link", ParamKind.URL, "link"), Param("note", ParamKind.TEXT, "note"))
BOARD = spec(
    Param("by", ParamKind.CHOICE, "by", choices=("streak", "longest", "checkins")),
    Param("period", ParamKind.CHOICE, "p", choices=("week", "month", "30d", "all")),
    Param("limit", ParamKind.INTEGER, "n", min_value=1, max_value=50),
)
STREAK_ADMIN = spec(
    Param("member", ParamKind.MEMBER, "m", required=True),
    Param("action", ParamKind.CHOICE, "a", required=True, choices=("set", "restore")),
    Param("value", ParamKind.INTEGER, "v"),
    Param("reason", ParamKind.TEXT, "r"),
)


def test_tokenize_keeps_quotes_and_apostrophes() -> None:
    words = [t.value for t in tokenize("say \"hello there\" don't 'x y'")]
    assert words == ["say", "hello there", "don't", "x y"]


def test_text_param_keeps_the_rest_as_typed() -> None:
    assert parse_text(DONE, "built the  endpoint") == {"note": "built the  endpoint"}


def test_url_fills_the_link_before_the_note() -> None:
    args = parse_text(DONE, "https://github.com/a/b finished it")
    assert args == {"link": "https://github.com/a/b", "note": "finished it"}


def test_slack_wrapped_link_is_unwrapped() -> None:
    assert parse_text(DONE, "<https://x.dev/p>")["link"] == "https://x.dev/p"


def test_key_value_syntax_and_positional_choices() -> None:
    assert parse_text(BOARD, "period:month longest") == {"period": "month", "by": "longest"}
    assert parse_text(BOARD, "month 5") == {"period": "month", "limit": 5}
    assert parse_text(BOARD, "STREAK") == {"by": "streak"}


def test_choice_prefix_and_bad_choice() -> None:
    assert parse_text(BOARD, "by:long")["by"] == "longest"
    with pytest.raises(UsageError) as err:
        parse_text(BOARD, "by:fastest")
    assert "must be one of streak, longest, checkins" in str(err.value)
    assert "/cmd [streak|longest|checkins]" in str(err.value)


def test_missing_required_gives_usage() -> None:
    with pytest.raises(UsageError) as err:
        parse_text(STREAK_ADMIN, "@bob")
    assert "`action` is missing" in str(err.value)
    assert "Usage:" in str(err.value)


def test_extra_words_are_refused() -> None:
    with pytest.raises(UsageError, match="did not expect"):
        parse_text(BOARD, "streak week 3 extra")


def test_integer_bounds() -> None:
    with pytest.raises(UsageError, match="at most 50"):
        parse_text(BOARD, "limit:500")
    with pytest.raises(UsageError, match="whole number"):
        parse_text(BOARD, "limit:ten")


def test_mentions_and_mixed() -> None:
    args = parse_text(STREAK_ADMIN, "<@U123|bob> set 12 bot was down on friday")
    assert args == {
        "member": "U123",
        "action": "set",
        "value": 12,
        "reason": "bot was down on friday",
    }
    args = parse_text(STREAK_ADMIN, "<@!42> restore missed days")
    assert args == {"member": "42", "action": "restore", "reason": "missed days"}


def test_repeated_key_is_refused() -> None:
    with pytest.raises(UsageError, match="given twice"):
        parse_text(BOARD, "by:streak by:longest")


def test_dates_times_and_booleans() -> None:
    s = spec(
        Param("day", ParamKind.DATE, "d"),
        Param("at", ParamKind.TIME, "t"),
        Param("on", ParamKind.BOOLEAN, "b"),
    )
    assert parse_text(s, "2026-03-01 09:30 off") == {
        "day": date(2026, 3, 1),
        "at": time(9, 30),
        "on": False,
    }
    with pytest.raises(UsageError, match="date like"):
        parse_text(s, "day:yesterday")


def test_typed_args_use_the_same_rules() -> None:
    assert convert_typed(BOARD, {"by": "longest", "limit": 3}) == {"by": "longest", "limit": 3}
    with pytest.raises(UsageError, match="must be one of"):
        convert_typed(BOARD, {"by": "nope"})
    with pytest.raises(UsageError, match="Unknown option"):
        convert_typed(BOARD, {"colour": "red"})
