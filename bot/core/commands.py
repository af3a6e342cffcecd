"""Declarative command specs and the registry that holds them.

A feature describes each command once (name, description, typed params, required role,
handler). Discord builds application commands from these specs, the Slack manifest is
generated from them, and the console and Slack parse text against them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core.models import Reply

# The first argument of every handler is a ``bot.core.context.CommandContext``. It is
# typed ``Any`` here on purpose: the context holds the services, the services hold the
# registry, and the registry holds these specs; naming the context here would make
# commands → context → services → commands an import cycle. The dispatcher, which builds
# the context, is the one place that calls handlers.
Handler = Callable[..., Awaitable["Reply"]]
ActionHandler = Callable[[Any, str], Awaitable["Reply"]]
Completer = Callable[[Any, str], Awaitable[list[str]]]

# Discord: 1-32 chars, lower case letters, digits, - and _. Slack commands are
# lower case too; using the intersection keeps one name valid everywhere.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
DESCRIPTION_MAX = 100
MAX_OPTIONS = 25


class ParamKind(StrEnum):
    """The type of a parameter; each adapter maps it to its nearest native type."""

    STRING = "string"
    URL = "url"  # a http(s) link; never mistaken for free text
    TEXT = "text"  # free text that swallows the rest of the line
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    MEMBER = "member"
    CHANNEL = "channel"
    DATE = "date"
    TIME = "time"


class Role(IntEnum):
    """Who may run a command; higher values include lower ones."""

    MEMBER = 0
    MODERATOR = 1


@dataclass(frozen=True)
class Param:
    """One parameter of a command.

    Attributes:
        name: Option name (also the ``key:`` in ``key:value`` text syntax).
        kind: Its type.
        description: Shown in Discord's option list and in usage help.
        required: Whether it must be given.
        choices: Allowed values for CHOICE params.
        autocomplete: Name of a registered completer offering values as the user types.
        min_value: Lower bound for INTEGER params.
        max_value: Upper bound for INTEGER params.
    """

    name: str
    kind: ParamKind
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None
    min_value: int | None = None
    max_value: int | None = None

    def usage(self) -> str:
        """Return how this parameter appears in a usage line."""
        label = "|".join(self.choices) if self.choices else self.name.upper()
        if self.kind is ParamKind.TEXT:
            label += "…"
        return label if self.required else f"[{label}]"


@dataclass(frozen=True)
class CommandSpec:
    """A command: ``/name`` or, with a group, ``/group name``.

    Attributes:
        name: Command (or subcommand) name.
        description: One line, at most 100 characters (Discord's limit).
        handler: ``async def handler(ctx, **args) -> Reply``.
        params: Its parameters, required ones first.
        group: Parent command for subcommands (``"admin"``).
        requires: The lowest role allowed to run it.
        ephemeral: Whether replies are private to the caller by default.
        examples: Example argument strings for help and the Slack usage hint.
    """

    name: str
    description: str
    handler: Handler
    params: tuple[Param, ...] = ()
    group: str | None = None
    requires: Role = Role.MEMBER
    ephemeral: bool = False
    examples: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        """The name as typed after the slash: ``"admin settings"``."""
        return f"{self.group} {self.name}" if self.group else self.name

    def usage(self) -> str:
        """Return a one-line usage string, e.g. ``/roadmap [STEP]``."""
        parts = [f"/{self.full_name}", *(p.usage() for p in self.params)]
        return " ".join(parts)


@dataclass(frozen=True)
class ActionSpec:
    """What happens when a button with this ``action_id`` is pressed."""

    action_id: str
    handler: ActionHandler
    requires: Role = Role.MEMBER
    ephemeral: bool = True


@dataclass
class Router:
    """A feature's bundle of commands, button actions and completers."""

    commands: list[CommandSpec] = field(default_factory=list)
    actions: list[ActionSpec] = field(default_factory=list)
    completers: dict[str, Completer] = field(default_factory=dict)

    def command(self, name: str, description: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator registering ``handler`` as a command on this router."""

        def register(handler: Handler) -> Handler:
            self.commands.append(CommandSpec(name, description, handler, **options))
            return handler

        return register

    def action(self, action_id: str, **options: Any) -> Callable[[ActionHandler], ActionHandler]:
        """Decorator registering ``handler`` for button presses with ``action_id``."""

        def register(handler: ActionHandler) -> ActionHandler:
            self.actions.append(ActionSpec(action_id, handler, **options))
            return handler

        return register

    def completer(self, name: str) -> Callable[[Completer], Completer]:
        """Decorator registering an autocomplete source under ``name``."""

        def register(fn: Completer) -> Completer:
            self.completers[name] = fn
            return fn

        return register


class RegistryError(ValueError):
    """A spec breaks a rule that one of the platforms enforces."""


class Registry:
    """All commands, actions and completers of the running bot, validated once."""

    def __init__(self, routers: Iterable[Router] = ()) -> None:
        self._commands: dict[str, CommandSpec] = {}
        self._actions: dict[str, ActionSpec] = {}
        self._completers: dict[str, Completer] = {}
        for router in routers:
            self.include(router)

    def include(self, router: Router) -> None:
        """Add a router's specs, validating each one."""
        for spec in router.commands:
            self._add_command(spec)
        for action in router.actions:
            if action.action_id in self._actions:
                raise RegistryError(f"duplicate action id {action.action_id!r}")
            self._actions[action.action_id] = action
        self._completers.update(router.completers)

    def _add_command(self, spec: CommandSpec) -> None:
        validate_spec(spec)
        if spec.full_name in self._commands:
            raise RegistryError(f"duplicate command /{spec.full_name}")
        if spec.group and spec.group in self._commands:
            raise RegistryError(f"/{spec.group} is both a command and a group")
        if spec.group is None and any(c.group == spec.name for c in self._commands.values()):
            raise RegistryError(f"/{spec.name} is both a command and a group")
        self._commands[spec.full_name] = spec

    @property
    def commands(self) -> list[CommandSpec]:
        """Every command spec, in registration order."""
        return list(self._commands.values())

    def top_level_names(self) -> list[str]:
        """Names that become slash commands: plain commands and groups, in order."""
        names: list[str] = []
        for spec in self._commands.values():
            top = spec.group or spec.name
            if top not in names:
                names.append(top)
        return names

    def group_commands(self, group: str) -> list[CommandSpec]:
        """The subcommands of ``group``."""
        return [c for c in self._commands.values() if c.group == group]

    def is_group(self, name: str) -> bool:
        """Whether ``name`` is a group of subcommands rather than a command."""
        return any(c.group == name for c in self._commands.values())

    def get(self, full_name: str) -> CommandSpec | None:
        """Look a command up by its full name (``"admin settings"``)."""
        return self._commands.get(full_name)

    def action(self, action_id: str) -> ActionSpec | None:
        """Look a button action up by id."""
        return self._actions.get(action_id)

    def completer(self, name: str) -> Completer | None:
        """Look an autocomplete source up by name."""
        return self._completers.get(name)


def validate_spec(spec: CommandSpec) -> None:
    """Raise :class:`RegistryError` if Discord or Slack would reject ``spec``."""
    for label in (spec.name, spec.group):
        if label is not None and not NAME_PATTERN.match(label):
            raise RegistryError(f"command name {label!r} is not valid on Discord and Slack")
    if not spec.description or len(spec.description) > DESCRIPTION_MAX:
        raise RegistryError(f"/{spec.full_name}: description must be 1-{DESCRIPTION_MAX} chars")
    if len(spec.params) > MAX_OPTIONS:
        raise RegistryError(f"/{spec.full_name}: at most {MAX_OPTIONS} options")
    seen: set[str] = set()
    optional_seen = False
    for p in spec.params:
        if not NAME_PATTERN.match(p.name):
            raise RegistryError(f"/{spec.full_name}: option name {p.name!r} is not valid")
        if p.name in seen:
            raise RegistryError(f"/{spec.full_name}: duplicate option {p.name!r}")
        seen.add(p.name)
        if not p.description or len(p.description) > DESCRIPTION_MAX:
            raise RegistryError(f"/{spec.full_name} {p.name}: description must be 1-100 chars")
        if p.required and optional_seen:
            raise RegistryError(f"/{spec.full_name}: required option {p.name!r} after optional")
        optional_seen = optional_seen or not p.required
        if p.kind is ParamKind.CHOICE and not p.choices:
            raise RegistryError(f"/{spec.full_name} {p.name}: a choice needs choices")
        if len(p.choices) > MAX_OPTIONS:
            raise RegistryError(f"/{spec.full_name} {p.name}: at most 25 choices")
    text_params = [p for p in spec.params if p.kind is ParamKind.TEXT]
    if (text_params and spec.params[-1].kind is not ParamKind.TEXT) or len(text_params) > 1:
        raise RegistryError(f"/{spec.full_name}: a TEXT option must be the last and only one")
