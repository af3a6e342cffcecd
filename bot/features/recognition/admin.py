"""``/admin rewards``: which milestones are on, how they are announced, Discord roles.

- ``/admin rewards`` (``list``): every milestone, on or off, how many earned it, its role
  reward and the last refusal of that role (a 403: missing Manage Roles, or the role is
  above the bot's highest role);
- ``on|off MILESTONE``: switch a milestone on or off (not earned while off);
- ``announce channel|member|silent``: in the challenge channel, to the member alone, or not;
- ``mode stack|replace``: keep lower roles, or only the highest of each kind;
- ``role MILESTONE @role`` / ``unrole MILESTONE``: a Discord role granted with the badge.

Every change is validated first (unknown milestone, duplicate rule, a role where there
are none: clear messages, nothing changed) and audited.
"""

from __future__ import annotations

import re

from bot.core.commands import Param, ParamKind, Role
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Platform, Reply, ReplyField
from bot.db.repositories import awards as awards_repo
from bot.db.repositories import settings as settings_repo
from bot.db.repositories.awards import ANNOUNCE_KEY, OFF_KEY, ROLES_KEY, RoleRule
from bot.features.awards.roles import role_problems
from bot.features.recognition.router import router
from bot.features.recognition.settings import ANNOUNCE_MODES, ROLE_MODES
from bot.recognition import CATALOGUE, Milestone, UnknownMilestone, parse_milestone

ACTIONS = ("list", "on", "off", "announce", "mode", "role", "unrole")
_ROLE = re.compile(r"^(?:<@&(\d{1,20})>|@?(\d{1,20}))$")

NO_ROLES_HERE = (
    "Role rewards are a Discord feature: Slack bots cannot grant roles (there are none to "
    "grant). Here badges show in the celebration message and in `/badges`."
)


def _milestone(text: str | None, action: str) -> Milestone:
    if not text:
        raise UserError(f"Name the milestone: `/admin rewards {action} MILESTONE` (e.g. streak-7).")
    try:
        return parse_milestone(text)
    except UnknownMilestone as exc:
        raise UserError(str(exc)) from None


def role_id(text: str | None) -> str:
    """The Discord role id in ``<@&123>``, ``@123`` or ``123``.

    Raises:
        UserError: anything else (a name, another kind of mention).
    """
    match = _ROLE.match((text or "").strip())
    if match is None:
        shown = (text or "").strip()[:40] or "(nothing)"
        raise UserError(
            f"`{shown}` is not a role: mention it (type @ and pick the role) or give its id."
        )
    return match.group(1) or match.group(2)


@router.command(
    "rewards",
    "Milestones and rewards: list, on/off, announce mode, Discord role rewards.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param("action", ParamKind.CHOICE, "What to do (default: list).", choices=ACTIONS),
        Param("what", ParamKind.STRING, "A milestone (streak-7), or the mode."),
        Param("role", ParamKind.STRING, "role: the Discord role (@role)."),
    ),
    examples=(
        "",
        "off streak-3",
        "announce member",
        "mode replace",
        "role streak-30 @Committed",
        "unrole streak-30",
    ),
)
async def admin_rewards(
    ctx: CommandContext, action: str = "list", what: str | None = None, role: str | None = None
) -> Reply:
    """Show or change the group's milestones and rewards."""
    if action == "list":
        return await rewards_list(ctx)
    if action in ("on", "off"):
        return await _switch(ctx, _milestone(what, action), on=action == "on")
    if action == "announce":
        return await _mode(ctx, ANNOUNCE_KEY, what, ANNOUNCE_MODES, "announce")
    if action == "mode":
        return await _mode(ctx, ROLES_KEY, what, ROLE_MODES, "mode")
    if ctx.space.platform != Platform.DISCORD.value:
        raise UserError(NO_ROLES_HERE)
    item = _milestone(what, action)
    if action == "role":
        return await _add_role(ctx, item, role_id(role))
    return await _remove_role(ctx, item)


async def _switch(ctx: CommandContext, item: Milestone, *, on: bool) -> Reply:
    settings = await awards_repo.reward_settings(ctx.session, ctx.group.id)
    if (item.id not in settings.off) == on:
        state = "on" if on else "off"
        return Reply(text=f"{item.badge} (`{item.id}`) is already {state}. Nothing changed.")
    off = settings.off - {item.id} if on else settings.off | {item.id}
    ordered = [m.id for m in CATALOGUE if m.id in off]
    await ctx.change_settings(
        {OFF_KEY: ordered},
        action="rewards.on" if on else "rewards.off",
        target=item.id,
        before={"on": not on},
        after={"on": on},
        notify=False,  # no schedule depends on which badges are on
    )
    if on:
        return Reply(text=f"{item.badge} (`{item.id}`) is on: members earn it from now. Audited.")
    return Reply(
        text=(
            f"{item.badge} (`{item.id}`) is off: nobody earns it while it is off; badges "
            "already earned are kept. Audited."
        )
    )


async def _mode(
    ctx: CommandContext, key: str, what: str | None, choices: tuple[str, ...], action: str
) -> Reply:
    word = (what or "").strip().lower()
    if word not in choices:
        shown = (what or "").strip()[:40]
        prefix = f"`{shown}` is not a choice. " if shown else ""
        raise UserError(f"{prefix}Use `/admin rewards {action} {'|'.join(choices)}`.")
    stored = await settings_repo.load(ctx.session, ctx.group.id)
    before = stored.get(key) or choices[0]
    if before == word:
        return Reply(text=f"`{action}` is already {word}. Nothing changed.")
    await ctx.change_settings(
        {key: word},
        action=f"rewards.{action}",
        target=key,
        before={action: before},
        after={action: word},
        notify=False,  # no schedule depends on how badges are announced
    )
    return Reply(text=f"Rewards {action}: **{word}** (was {before}). {_mode_note(word)} Audited.")


def _mode_note(word: str) -> str:
    return {
        "channel": "Milestones are celebrated in the daily challenge channel.",
        "member": "Each member is told privately (a direct message).",
        "silent": "Badges are still earned and shown in /badges; nothing is announced.",
        "stack": "Members keep every role they earned.",
        "replace": "A higher milestone's role replaces the lower one of the same kind.",
    }.get(word, "")


async def _add_role(ctx: CommandContext, item: Milestone, role: str) -> Reply:
    rules = {
        rule.milestone: rule
        for rule in await awards_repo.role_rules(ctx.session, ctx.group.id)
        if rule.space_id == ctx.space.id
    }
    existing = rules.get(item.id)
    if existing is not None:
        if existing.role_id == role:
            raise UserError(f"`{item.id}` already grants <@&{role}>. Nothing changed.")
        raise UserError(
            f"`{item.id}` already grants <@&{existing.role_id}>: one role per milestone. "
            f"Remove it first with `/admin rewards unrole {item.id}`."
        )
    same_role = [m for m, rule in rules.items() if rule.role_id == role]
    if same_role:
        raise UserError(
            f"<@&{role}> is already the reward for `{same_role[0]}`. A role rewards one "
            "milestone; pick another role."
        )
    await awards_repo.add_role_rule(ctx.session, ctx.group.id, ctx.space.id, item.id, role, ctx.now)
    await ctx.audit("rewards.role", target=item.id, after={"role": role})
    return Reply(
        text=(
            f"Members who earn {item.badge} get <@&{role}> from now on. The bot needs the "
            f"**Manage Roles** permission and its own role above <@&{role}>; a refusal shows "
            "in `/admin rewards` and `/admin schedule`. Audited."
        )
    )


async def _remove_role(ctx: CommandContext, item: Milestone) -> Reply:
    removed = await awards_repo.remove_role_rule(ctx.session, ctx.space.id, item.id)
    if not removed:
        raise UserError(f"`{item.id}` has no role reward here. Nothing changed.")
    await ctx.audit("rewards.unrole", target=item.id, before={"role": "removed"})
    return Reply(text=f"`{item.id}` no longer grants a role (roles already given stay). Audited.")


async def rewards_list(ctx: CommandContext) -> Reply:
    """The milestones with their state, earned counts and role rewards."""
    settings = await awards_repo.reward_settings(ctx.session, ctx.group.id)
    counts = await awards_repo.earned_counts(ctx.session, ctx.group.id)
    rules: dict[str, RoleRule] = {
        rule.milestone: rule
        for rule in await awards_repo.role_rules(ctx.session, ctx.group.id)
        if rule.space_id == ctx.space.id
    }
    lines = []
    for item in CATALOGUE:
        state = "off" if item.id in settings.off else "on"
        line = f"`{item.id}` {item.badge} · {state} · earned by {counts.get(item.id, 0)}"
        rule = rules.get(item.id)
        if rule is not None:
            line += f" · role <@&{rule.role_id}>"
            if rule.error:
                line += f" ⚠️ {rule.error}"
        lines.append(line)
    fields = []
    problems = await role_problems(ctx.session, ctx.group.id)
    if problems:
        fields.append(ReplyField("Role rewards the bot could not grant", "\n".join(problems)))
    roles_note = (
        f" · roles: **{settings.roles}**"
        if ctx.space.platform == Platform.DISCORD.value
        else " · roles: Discord only"
    )
    return Reply(
        title="Milestones and rewards",
        text=f"Announce: **{settings.announce}**{roles_note}\n" + "\n".join(lines),
        fields=tuple(fields),
        footer="Change with `/admin rewards on|off MILESTONE`, `announce channel|member|silent`"
        ", `mode stack|replace`, `role MILESTONE @role`.",
    )
