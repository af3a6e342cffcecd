"""Build Discord application commands from the registry's :class:`CommandSpec` objects.

Nothing here knows a particular command: every spec becomes an ``app_commands.Command``
whose callback has a synthesised signature (one keyword parameter per :class:`Param`,
annotated with a :class:`ParamOption` transformer that declares the Discord option type,
choices, bounds and autocomplete). Subcommands (``group="admin"``) become an
``app_commands.Group``. Groups and commands that only moderators may run are hidden from
members with ``default_member_permissions`` = Manage Server; the dispatcher still checks
the role on our side, because server admins can change who sees a command.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import Any, Protocol

import discord
from discord import app_commands

from bot.core.commands import CommandSpec, Param, ParamKind, Registry, Role

CHOICES_MAX = 25
CHOICE_TEXT_MAX = 100
OPTION_DESCRIPTION_MAX = 100
MODERATOR_PERMISSIONS = discord.Permissions(manage_guild=True)
_HINTS = {ParamKind.DATE: " (YYYY-MM-DD)", ParamKind.TIME: " (HH:MM, 24-hour)"}
_OPTION_TYPES = {
    ParamKind.STRING: discord.AppCommandOptionType.string,
    ParamKind.URL: discord.AppCommandOptionType.string,
    ParamKind.TEXT: discord.AppCommandOptionType.string,
    ParamKind.DATE: discord.AppCommandOptionType.string,
    ParamKind.TIME: discord.AppCommandOptionType.string,
    ParamKind.CHOICE: discord.AppCommandOptionType.string,
    ParamKind.INTEGER: discord.AppCommandOptionType.integer,
    ParamKind.BOOLEAN: discord.AppCommandOptionType.boolean,
    ParamKind.MEMBER: discord.AppCommandOptionType.user,
    ParamKind.CHANNEL: discord.AppCommandOptionType.channel,
}
# Discord offers autocomplete only on these option types, and never together with choices.
_COMPLETABLE = {discord.AppCommandOptionType.string, discord.AppCommandOptionType.integer}


class CommandHandler(Protocol):
    """What the built commands call; implemented by the interaction handler."""

    def run_command(
        self, interaction: discord.Interaction, spec: CommandSpec, args: dict[str, Any]
    ) -> Awaitable[None]:
        """Acknowledge and run one slash command."""
        ...

    def complete(
        self, interaction: discord.Interaction, spec: CommandSpec, param: Param, current: str
    ) -> Awaitable[list[str]]:
        """Autocomplete values for ``param``; never raises."""
        ...


class ParamOption(app_commands.Transformer):
    """Declares one :class:`Param` as a Discord option and converts its value back.

    Users and channels come back as their id strings; everything else as Discord sends it.
    The shared validation in :func:`bot.core.args.convert_typed` then applies the same
    rules and messages as on Slack and the console.
    """

    def __init__(self, param: Param) -> None:
        self.param = param

    @property
    def type(self) -> discord.AppCommandOptionType:
        """The Discord option type."""
        return _OPTION_TYPES[self.param.kind]

    @property
    def min_value(self) -> int | None:
        """Lower bound of an integer option."""
        return self.param.min_value if self.param.kind is ParamKind.INTEGER else None

    @property
    def max_value(self) -> int | None:
        """Upper bound of an integer option."""
        return self.param.max_value if self.param.kind is ParamKind.INTEGER else None

    @property
    def choices(self) -> list[app_commands.Choice[str]] | None:  # type: ignore[override]
        """The fixed choices of a CHOICE option."""
        if self.param.kind is not ParamKind.CHOICE:
            return None
        return [app_commands.Choice(name=c, value=c) for c in self.param.choices[:CHOICES_MAX]]

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        """Channels a CHANNEL option accepts: text and announcement channels."""
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        """Reduce users and channels to their ids."""
        if self.param.kind in (ParamKind.MEMBER, ParamKind.CHANNEL):
            return str(value.id)
        return value


class CompletingOption(ParamOption):
    """A :class:`ParamOption` whose values are suggested by a registered completer."""

    def __init__(self, param: Param, spec: CommandSpec, handler: CommandHandler) -> None:
        super().__init__(param)
        self.spec = spec
        self.handler = handler

    async def autocomplete(
        self, interaction: discord.Interaction, value: int | float | str, /
    ) -> list[app_commands.Choice[Any]]:
        """Ask the core for suggestions and shape them as Discord choices."""
        values = await self.handler.complete(interaction, self.spec, self.param, str(value))
        return to_choices(values, integer=self.type is discord.AppCommandOptionType.integer)


def to_choices(values: list[str], *, integer: bool = False) -> list[app_commands.Choice[Any]]:
    """At most 25 choices; values Discord cannot carry (over 100 characters) are skipped."""
    choices: list[app_commands.Choice[Any]] = []
    for raw in values:
        text = str(raw)
        if not text or len(text) > CHOICE_TEXT_MAX:
            continue
        if integer:
            try:
                choices.append(app_commands.Choice[int](name=text, value=int(text)))
            except ValueError:
                continue
        else:
            choices.append(app_commands.Choice[str](name=text, value=text))
        if len(choices) == CHOICES_MAX:
            break
    return choices


def option_for(param: Param, spec: CommandSpec, handler: CommandHandler) -> ParamOption:
    """The transformer that declares ``param`` (with autocomplete when Discord allows it)."""
    plain = ParamOption(param)
    if param.autocomplete and not param.choices and plain.type in _COMPLETABLE:
        return CompletingOption(param, spec, handler)
    return plain


def option_description(param: Param) -> str:
    """The option's description, with a format hint for dates and times when it fits."""
    hint = _HINTS.get(param.kind, "")
    text = param.description
    if hint and len(text) + len(hint) <= OPTION_DESCRIPTION_MAX:
        text += hint
    return text


def build_command(
    spec: CommandSpec, handler: CommandHandler
) -> app_commands.Command[Any, ..., None]:
    """One application command (or subcommand) whose callback runs ``spec``."""
    names = {f"arg{i}": p for i, p in enumerate(spec.params)}

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        args = {names[k].name: v for k, v in values.items() if v is not None}
        await handler.run_command(interaction, spec, args)

    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for py_name, param in names.items():
        parameters.append(
            inspect.Parameter(
                py_name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=option_for(param, spec, handler),
                default=inspect.Parameter.empty if param.required else None,
            )
        )
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    # Python names are arg0..argN so any option name (hyphens, keywords) is allowed.
    if names:
        app_commands.describe(**{k: option_description(p) for k, p in names.items()})(callback)
        app_commands.rename(**{k: p.name for k, p in names.items()})(callback)
    if spec.group is None:
        app_commands.guild_only()(callback)
        if spec.requires is Role.MODERATOR:
            app_commands.default_permissions(manage_guild=True)(callback)
    return app_commands.Command(
        name=spec.name,
        description=spec.description,
        callback=callback,
        extras={"spec": spec},
    )


def group_description(name: str, specs: list[CommandSpec]) -> str:
    """A description for a group of subcommands, which the registry does not carry."""
    if all(s.requires is Role.MODERATOR for s in specs):
        return "Moderator tools for this study group."
    return f"{name.capitalize()} commands."


def build_commands(
    registry: Registry, handler: CommandHandler
) -> list[app_commands.Command[Any, ..., None] | app_commands.Group]:
    """Every top-level slash command and group for ``registry``, in registry order."""
    built: list[app_commands.Command[Any, ..., None] | app_commands.Group] = []
    for name in registry.top_level_names():
        if not registry.is_group(name):
            spec = registry.get(name)
            assert spec is not None
            built.append(build_command(spec, handler))
            continue
        specs = registry.group_commands(name)
        moderators_only = all(s.requires is Role.MODERATOR for s in specs)
        group = app_commands.Group(
            name=name,
            description=group_description(name, specs),
            guild_only=True,
            default_permissions=MODERATOR_PERMISSIONS if moderators_only else None,
            extras={"group": name},
        )
        for spec in specs:
            group.add_command(build_command(spec, handler))
        built.append(group)
    return built
