"""``/admin settings [KEY] [VALUE]``: show or change the group's settings, audited."""

from __future__ import annotations

from bot.core.commands import Param, ParamKind, Role, Router
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply

ORDER = 900

router = Router()


@router.completer("settings.keys")
async def complete_keys(ctx: CommandContext, prefix: str) -> list[str]:
    """Setting keys starting with what has been typed."""
    return [k for k in ctx.services.setting_specs if k.startswith(prefix.lower())]


@router.command(
    "settings",
    "Show the group's settings, or change one.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param("key", ParamKind.STRING, "The setting to change.", autocomplete="settings.keys"),
        Param("value", ParamKind.TEXT, "Its new value."),
    ),
    examples=("timezone Europe/Berlin", "day_start 02:00"),
)
async def admin_settings(
    ctx: CommandContext, key: str | None = None, value: str | None = None
) -> Reply:
    """Without arguments list every setting; with KEY VALUE validate, store and audit it."""
    specs = ctx.services.setting_specs
    current = await ctx.settings()
    if key is None:
        lines = [
            f"`{k}` = **{spec.show(current[k])}**  ({spec.description})"
            for k, spec in specs.items()
        ]
        return Reply(
            title="Group settings",
            text="\n".join(lines),
            footer="Change one with `/admin settings KEY VALUE`.",
        )
    key = key.lower()
    spec = specs.get(key)
    if spec is None:
        raise UserError(f"There is no setting `{key}`. Settings: {', '.join(specs)}.")
    if value is None:
        return Reply(text=f"`{key}` = **{spec.show(current[key])}**\n{spec.description}")
    new = spec.parse(value)
    before = current[key]
    await ctx.change_settings(
        {key: new}, action="settings.change", target=key, before=before, after=new
    )
    return Reply(text=f"`{key}` changed from **{spec.show(before)}** to **{spec.show(new)}**.")
