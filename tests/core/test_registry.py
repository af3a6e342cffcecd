"""Command specs must be valid on both Discord and Slack; the registry enforces it."""

import pytest

from bot.core.commands import CommandSpec, Param, ParamKind, Registry, RegistryError, Router
from bot.core.models import Reply
from bot.features import all_routers


async def _handler(ctx: object, **kwargs: object) -> Reply:
    return Reply(text="ok")


def _router(*specs: CommandSpec) -> Router:
    return Router(commands=list(specs))


def test_every_shipped_command_is_valid_and_unique() -> None:
    registry = Registry(all_routers())
    names = [spec.full_name for spec in registry.commands]
    assert len(names) == len(set(names))
    assert "help" in names and "admin settings" in names


@pytest.mark.parametrize("name", ["Roadmap", "road map", "x" * 33, "", "1abc", "émoji"])
def test_invalid_names_are_rejected(name: str) -> None:
    with pytest.raises(RegistryError):
        Registry([_router(CommandSpec(name, "desc", _handler))])


def test_description_limits() -> None:
    with pytest.raises(RegistryError, match="description"):
        Registry([_router(CommandSpec("ok", "x" * 101, _handler))])
    with pytest.raises(RegistryError, match="description"):
        Registry([_router(CommandSpec("ok", "", _handler))])


def test_required_after_optional_is_rejected() -> None:
    params = (
        Param("a", ParamKind.STRING, "a"),
        Param("b", ParamKind.STRING, "b", required=True),
    )
    with pytest.raises(RegistryError, match="required option"):
        Registry([_router(CommandSpec("cmd", "d", _handler, params=params))])


def test_text_param_must_be_last() -> None:
    params = (Param("note", ParamKind.TEXT, "n"), Param("x", ParamKind.STRING, "x"))
    with pytest.raises(RegistryError, match="TEXT"):
        Registry([_router(CommandSpec("cmd", "d", _handler, params=params))])


def test_duplicates_and_group_clashes() -> None:
    with pytest.raises(RegistryError, match="duplicate"):
        Registry([_router(CommandSpec("a", "d", _handler), CommandSpec("a", "d", _handler))])
    with pytest.raises(RegistryError, match="both a command and a group"):
        Registry(
            [
                _router(
                    CommandSpec("admin", "d", _handler),
                    CommandSpec("x", "d", _handler, group="admin"),
                )
            ]
        )


def test_choice_needs_choices_and_at_most_25() -> None:
    with pytest.raises(RegistryError, match="choices"):
        Registry(
            [_router(CommandSpec("c", "d", _handler, params=(Param("p", ParamKind.CHOICE, "p"),)))]
        )
    many = tuple(f"c{i}" for i in range(26))
    with pytest.raises(RegistryError, match="25"):
        Registry(
            [
                _router(
                    CommandSpec(
                        "c",
                        "d",
                        _handler,
                        params=(Param("p", ParamKind.CHOICE, "p", choices=many),),
                    )
                )
            ]
        )


def test_usage_line() -> None:
    spec = CommandSpec(
        "leaderboard",
        "d",
        _handler,
        params=(
            Param("by", ParamKind.CHOICE, "b", choices=("streak", "longest")),
            Param("limit", ParamKind.INTEGER, "l"),
        ),
    )
    assert spec.usage() == "/leaderboard [streak|longest] [LIMIT]"
