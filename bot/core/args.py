"""One shared parser from command text to typed arguments.

Slack and the console deliver arguments as text (``/roadmap caching``,
``/settings timezone:Europe/Berlin``); Discord delivers typed options. Both end up in
:func:`parse_text` or :func:`convert_typed`, so validation and error messages are the same
on every platform.

Text syntax: words separated by spaces, ``"quoted phrases"`` kept together, ``name:value``
fills the option ``name``; other words fill the remaining options in order, and a TEXT
option takes the rest of the line as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from bot.core.commands import CommandSpec, Param, ParamKind
from bot.core.errors import UsageError

_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}
_TRUE = {"on", "yes", "true", "y", "1", "show", "enable", "enabled"}
_FALSE = {"off", "no", "false", "n", "0", "hide", "disable", "disabled"}
_USER_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_MENTION = re.compile(r"^<#([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_OPTION_NAME = re.compile(r"[a-z][a-z_.]*")
_URL = re.compile(r"^<?https?://[^\s>]+>?$")

# Length caps, checked before anything looks at a value: no platform sends longer (Slack
# commands carry at most 4,000 characters, Discord options 6,000 in all), and a huge value
# must never reach a regex, a database LIKE or a file-system lookup such as zoneinfo.
MAX_TEXT_LENGTH = 4000
MAX_FREE_TEXT = 2000
MAX_WORD_LENGTH = 200


@dataclass(frozen=True)
class Token:
    """A word of the command text and where it started in the original string."""

    value: str
    start: int
    quoted: bool = False


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into words, keeping quoted phrases together.

    A quote only opens a phrase at the start of a word, so apostrophes inside words
    ("don't") are left alone. An unclosed quote runs to the end of the text.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in _QUOTES:
            close = _QUOTES[text[i]]
            end = text.find(close, i + 1)
            end = n if end == -1 else end
            tokens.append(Token(text[i + 1 : end], start, quoted=True))
            i = end + 1
            continue
        while i < n and not text[i].isspace():
            i += 1
        tokens.append(Token(text[start:i], start))
    return tokens


def split_subcommand(text: str) -> tuple[str, str]:
    """Split ``"settings timezone UTC"`` into ``("settings", "timezone UTC")``."""
    stripped = text.strip()
    if not stripped:
        return "", ""
    head, _, rest = stripped.partition(" ")
    return head.lower(), rest.strip()


def parse_text(spec: CommandSpec, text: str) -> dict[str, Any]:
    """Parse ``text`` against ``spec``'s params and convert every value.

    Text over :data:`MAX_TEXT_LENGTH` characters is refused before it is read.

    Required options fill first, in order. After them, each word goes to the first
    unfilled optional option it is a valid value for (a STRING takes any word, a URL only
    a link, a number only an INTEGER...); a word no option takes starts the trailing TEXT
    option, which keeps the rest of the line as typed.

    Raises:
        UsageError: On a repeated ``name:``, a missing required option, an extra word,
            or a value of the wrong type; the message names the problem and the usage.
    """
    if len(text) > MAX_TEXT_LENGTH:
        raise UsageError(
            f"That is too long for a command (at most {MAX_TEXT_LENGTH:,} characters).",
            spec.usage(),
        )
    by_name = {p.name: p for p in spec.params}
    raw: dict[str, Any] = {}
    tokens = tokenize(text)
    last = spec.params[-1] if spec.params else None
    text_param = last if last is not None and last.kind is ParamKind.TEXT else None
    for index, token in enumerate(tokens):
        name, sep, value = token.value.partition(":")
        key = name.lower()
        if sep and not token.quoted and key in by_name and value:
            if key in raw:
                raise UsageError(f"`{key}` is given twice.", spec.usage())
            raw[key] = value
            continue
        if (
            sep
            and not token.quoted
            and value
            and text_param is None
            and _looks_like_option(key, value)
        ):
            # `/settings foo:bar` is a mistyped option, not a timezone called "foo:bar".
            names = ", ".join(f"`{p.name}`" for p in spec.params)
            raise UsageError(f"There is no option `{key}` here (options: {names}).", spec.usage())
        free = [p for p in spec.params if p.name not in raw and p is not text_param]
        required = [p for p in free if p.required]
        if required:
            raw[required[0].name] = token.value
            continue
        taker = next((p for p in free if _accepts(spec, p, token.value)), None)
        if taker is not None:
            raw[taker.name] = token.value
            continue
        if text_param is not None and text_param.name not in raw:
            rest = text[token.start :].strip()
            raw[text_param.name] = (
                token.value if token.quoted and index == len(tokens) - 1 else rest
            )
            break
        if free:
            raw[free[0].name] = token.value  # fails conversion below with a clear message
            continue
        raise UsageError(f"I did not expect `{token.value}`.", spec.usage())
    return {p.name: v for p, v in _convert_all(spec, raw).items()}


def _looks_like_option(name: str, value: str) -> bool:
    """Whether ``name:value`` reads as an option by name (not a time or a link)."""
    return _OPTION_NAME.fullmatch(name) is not None and not value.startswith("//")


def _accepts(spec: CommandSpec, param: Param, word: str) -> bool:
    """Whether ``word`` is a valid value for a non-string optional ``param``."""
    if param.kind is ParamKind.TEXT:
        return False
    if param.kind is ParamKind.STRING:
        return True
    if param.kind is ParamKind.MEMBER:
        return _USER_MENTION.match(word) is not None or word.startswith("@")
    if param.kind is ParamKind.CHANNEL:
        return _CHANNEL_MENTION.match(word) is not None or word.startswith("#")
    try:
        convert_value(spec, param, word)
    except UsageError:
        return False
    return True


def convert_typed(spec: CommandSpec, args: dict[str, Any]) -> dict[str, Any]:
    """Validate already-typed arguments (Discord options) with the same rules as text."""
    by_name = {p.name for p in spec.params}
    unknown = set(args) - by_name
    if unknown:
        raise UsageError(f"Unknown option `{sorted(unknown)[0]}`.", spec.usage())
    raw = {k: v for k, v in args.items() if v is not None}
    return {p.name: v for p, v in _convert_all(spec, raw).items()}


def _convert_all(spec: CommandSpec, raw: dict[str, Any]) -> dict[Param, Any]:
    converted: dict[Param, Any] = {}
    for p in spec.params:
        if p.name not in raw:
            if p.required:
                raise UsageError(f"`{p.name}` is missing ({p.description}).", spec.usage())
            continue
        converted[p] = convert_value(spec, p, raw[p.name])
    return converted


def convert_value(spec: CommandSpec, param: Param, value: Any) -> Any:
    """Convert one raw value to ``param``'s type, raising :class:`UsageError` if it can't."""
    usage = spec.usage()
    kind = param.kind
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise UsageError(f"`{param.name}` is empty.", usage)
        limit = MAX_FREE_TEXT if kind in (ParamKind.TEXT, ParamKind.URL) else MAX_WORD_LENGTH
        if len(value) > limit:
            raise UsageError(f"`{param.name}` is too long (at most {limit:,} characters).", usage)
    if kind in (ParamKind.STRING, ParamKind.TEXT):
        return str(value)
    if kind is ParamKind.URL:
        if not _URL.match(str(value)):
            raise UsageError(f"`{param.name}` must be a link starting with https://.", usage)
        return str(value).strip("<>")
    if kind is ParamKind.INTEGER:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise UsageError(
                f"`{param.name}` must be a whole number, not `{value}`.", usage
            ) from None
        if param.min_value is not None and number < param.min_value:
            raise UsageError(f"`{param.name}` must be at least {param.min_value}.", usage)
        if param.max_value is not None and number > param.max_value:
            raise UsageError(f"`{param.name}` must be at most {param.max_value}.", usage)
        return number
    if kind is ParamKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).lower()
        # The option's own name switches it on: `/streak share`, `/admin post tip force`.
        if word in _TRUE or word == param.name:
            return True
        if word in _FALSE:
            return False
        raise UsageError(f"`{param.name}` must be on or off, not `{value}`.", usage)
    if kind is ParamKind.CHOICE:
        return _match_choice(param, str(value), usage)
    if kind is ParamKind.MEMBER:
        return _member_ref(str(value))
    if kind is ParamKind.CHANNEL:
        match = _CHANNEL_MENTION.match(str(value))
        return match.group(1) if match else str(value).lstrip("#")
    if kind is ParamKind.DATE:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except (ValueError, OverflowError):
            raise UsageError(f"`{param.name}` must be a date like 2026-03-01.", usage) from None
    if kind is ParamKind.TIME:
        if isinstance(value, time):
            return value
        try:
            hours, minutes = str(value).split(":")
            return time(int(hours), int(minutes))
        except (ValueError, OverflowError):
            raise UsageError(f"`{param.name}` must be a time like 09:00.", usage) from None
    raise AssertionError(f"unhandled kind {kind}")


def _match_choice(param: Param, value: str, usage: str) -> str:
    word = value.lower()
    if word in param.choices:
        return word
    starts = [c for c in param.choices if c.startswith(word)]
    if len(starts) == 1:
        return starts[0]
    options = ", ".join(param.choices)
    raise UsageError(f"`{param.name}` must be one of {options}, not `{value}`.", usage)


def _member_ref(value: str) -> str:
    """Reduce a mention (``<@U123|ann>``, ``<@!123>``) or ``@name`` to an id or a name."""
    match = _USER_MENTION.match(value)
    if match:
        return match.group(1)
    return value.lstrip("@")
