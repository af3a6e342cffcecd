"""``--log-format``, ``--log-level`` and ``--debug`` work before or after the subcommand."""

from __future__ import annotations

import pytest

from bot.cli import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--log-format", "json", "--log-level", "debug", "--debug", "db", "upgrade"],
        ["db", "upgrade", "--log-format", "json", "--log-level", "debug", "--debug"],
        ["db", "--log-format", "json", "upgrade", "--log-level", "debug", "--debug"],
    ],
)
def test_global_options_anywhere(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.log_format, args.log_level, args.debug) == ("json", "debug", True)


def test_defaults_when_not_given() -> None:
    args = build_parser().parse_args(["run"])
    assert (args.log_format, args.log_level, args.debug) == (None, None, False)


def test_every_subcommand_takes_them() -> None:
    for argv in (["content", "check"], ["export", "--group", "1"], ["slack", "manifest"]):
        assert build_parser().parse_args([*argv, "--log-format", "json"]).log_format == "json"
