"""``/admin link-space [CODE]`` and ``/admin unlink-space``: one group across platforms.

Linking: a moderator runs ``/admin link-space`` in one space and gets a one-time code; a
moderator of the other space runs ``/admin link-space CODE`` there. The space that
redeems the code (with every space already linked to it) joins the group of the space
that made it. From then on there is one settings set (the issuing group's; the
``moderator_roles`` of both are kept so nobody loses moderation), one rotation and one
leaderboard. Members, their check-ins and statistics, per-space settings (channels) and
the audit log move along; existing streaks are kept as they are.

Unlinking (``/admin unlink-space``, by a moderator of the space being taken out): the
space becomes a group of its own again with a copy of the group's settings, rotation
history and group-wide excused days. Members whose only account is in that space go
with it, history and all. A linked member (an account there and one elsewhere) keeps
their history in the remaining group; their account in the leaving space starts afresh.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.core.commands import Param, ParamKind, Role
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.core.refs import GroupRef
from bot.core.settings_change import SettingsChange
from bot.core.wording import count
from bot.db.repositories import audit
from bot.db.repositories import settings as settings_repo
from bot.db.repositories import stats as stats_repo
from bot.db.repositories.linking import codes as codes_repo
from bot.db.repositories.linking import groups
from bot.db.repositories.linking.members import detach_identity, identity_in
from bot.db.repositories.settings import space_scope
from bot.db.repositories.spaces import group_by_id, spaces_of_group
from bot.features.linking.codes import CodeBook, CodeKind
from bot.features.linking.common import reject, space_label, until
from bot.features.linking.merge import refresh_moved
from bot.features.linking.router import router
from bot.scheduling.config import SINCE_KEY

#: Group-scope settings merged rather than replaced when a group joins another.
_UNION_KEYS = ("moderator_roles",)
#: Internal group-scope values the joining group keeps when the host has none.
_KEEP_IF_MISSING = (SINCE_KEY,)


@router.command(
    "link-space",
    "Link this space with another (Discord server or Slack workspace) into one group.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(Param("code", ParamKind.TEXT, "The code /admin link-space gave in the other space."),),
    examples=("", "5F3A-91C2-77D0-4B1E"),
)
async def link_space(ctx: CommandContext, code: str | None = None) -> Reply:
    """Without a code: make one. With a code: join this space's group to the code's."""
    book = CodeBook(ctx.session, ctx.now)
    if not code:
        issued = await book.issue(
            CodeKind.SPACE, group_id=ctx.group.id, space_id=ctx.space.id, member_id=ctx.member.id
        )
        return Reply(
            title="Link code for this space",
            text=(
                f"**`{issued.code}`**\n\n"
                "In the other space (the Discord server or Slack workspace to link), a "
                f"moderator runs:\n`/admin link-space {issued.code}`\n\n"
                f"The code works once, until {until(issued.expires_at)} (15 minutes). That "
                "space then joins this group: it uses this group's settings, daily challenge "
                "and leaderboard, and its members keep their history."
            ),
            footer="Only you can see this code. Asking for a new one cancels this one.",
            ephemeral=True,
            metadata={"code": issued.code},
        )
    await book.check_attempts(ctx.group.id, ctx.member.id)
    found = await book.find(CodeKind.SPACE, code)
    if found is None:
        return await reject(ctx, CodeKind.SPACE)
    if found.group_id == ctx.group.id:
        raise UserError("This space is already in that group: nothing to link.")
    if not await book.consume(found):
        return await reject(ctx, CodeKind.SPACE)
    host = await group_by_id(ctx.session, found.group_id)
    return await _join(ctx, host)


async def _join(ctx: CommandContext, host: GroupRef) -> Reply:
    joining = ctx.group
    session, now = ctx.session, ctx.now
    host_values = await settings_repo.load(session, host.id)
    joining_values = await settings_repo.load(session, joining.id)
    # Audited by the "space.link" entry below (it carries both settings sets); the
    # host's jobs are rebuilt once this commits.
    merged = SettingsChange(
        host.id, _merged_settings(host_values, joining_values), action=None, notify=True
    )
    await ctx.apply(merged)
    moving = [space_label(s) for s in await spaces_of_group(session, joining.id)]
    members = await stats_repo.member_ids(session, joining.id)
    counts = await groups.absorb_group(session, source=joining.id, target=host.id)
    ctx.group = host
    ctx.space = replace(ctx.space, group_id=host.id)
    ctx.forget_settings()
    await refresh_moved(session, host.id, members, today=await ctx.group_today(), now=now)
    await ctx.audit(
        "space.link",
        target=f"space:{ctx.space.id}",
        before={"group_id": joining.id, "group": joining.name, "settings": joining_values},
        after={"group_id": host.id, "group": host.name, "spaces": moving, **counts},
        reason="space link code redeemed",
    )
    together = [space_label(s) for s in await spaces_of_group(session, host.id)]
    timezone = (await ctx.settings())["timezone"]
    return Reply(
        title="Spaces linked",
        text=(
            f"This space is now part of the group **{host.name}**, together with:\n"
            + "\n".join(f"- {label}" for label in together)
            + "\n\nOne settings set (timezone "
            f"{timezone}; see `/admin settings`), one daily challenge, one leaderboard. "
            "Channels stay as set in each space. Members can now run `/link` to keep one "
            "streak across their accounts."
        ),
        ephemeral=True,
    )


def _merged_settings(host: dict[str, Any], joining: dict[str, Any]) -> dict[str, Any]:
    """Values to write into the host group before the joining group's are dropped."""
    changes: dict[str, Any] = {}
    for key in _UNION_KEYS:
        extra = [v for v in joining.get(key) or [] if v not in (host.get(key) or [])]
        if extra:
            changes[key] = [*(host.get(key) or []), *extra]
    for key in _KEEP_IF_MISSING:
        if key not in host and key in joining:
            changes[key] = joining[key]
    return changes


@router.command(
    "unlink-space",
    "Take this space out of its linked group; it becomes a group of its own again.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
)
async def unlink_space(ctx: CommandContext) -> Reply:
    """Split this space off into a new group (see the module docstring for what moves)."""
    session, now, space, old = ctx.session, ctx.now, ctx.space, ctx.group
    others = [s for s in await spaces_of_group(session, old.id) if s.id != space.id]
    if not others:
        raise UserError("This space is not linked with another one.")
    new = await groups.create_group(session, space.name or space_label(space), now)
    await groups.copy_group_settings(session, source=old.id, target=new.id, now=now)
    await groups.move_space_settings(
        session, scope=space_scope(space.id), source=old.id, target=new.id
    )
    await groups.copy_rotation(session, source=old.id, target=new.id, now=now)
    await groups.copy_group_excused(session, source=old.id, target=new.id)
    await codes_repo.revoke_for_space(session, space.id, now)
    await groups.copy_board_state(session, source=old.id, target=new.id, now=now)
    moved: list[int] = []
    detached = 0
    for member_id, spaces in (await groups.identity_spaces(session, space.id)).items():
        if spaces == {space.id}:
            moved.append(member_id)
        else:
            identity = await identity_in(session, member_id, space.id)
            await detach_identity(session, identity.id, new.id, now)
            detached += 1
    await groups.move_members(session, moved, new.id, now)
    await groups.move_space(session, space.id, new.id)
    today = await ctx.group_today()  # the same for both: the new group copied the settings
    await refresh_moved(session, new.id, moved, today=today, now=now)
    # The leavers' scores come off the remaining group's boards.
    await refresh_moved(session, old.id, (), today=today, now=now)
    details = {
        "space": space_label(space),
        "members_moved": len(moved),
        "accounts_detached": detached,
    }
    for group_id, before, after in (
        (old.id, {"group_id": old.id}, {"group_id": new.id, **details}),
        (new.id, {"group_id": old.id, "group": old.name}, {"group_id": new.id, **details}),
    ):
        await audit.record(
            session,
            group_id=group_id,
            actor_member_id=ctx.member.id,
            actor_label=f"{ctx.member.display_name} ({ctx.invocation.platform.value})",
            action="space.unlink",
            target=f"space:{space.id}",
            before=before,
            after=after,
            now=now,
        )
    ctx.group = new
    ctx.space = replace(ctx.space, group_id=new.id)
    ctx.forget_settings()
    services, ids = ctx.services, (old.id, new.id)

    async def refresh() -> None:
        for group_id in ids:
            await services.notify_settings_changed(group_id)

    ctx.after_commit(refresh)
    lines = [
        f"This space has left **{old.name}** and is a group of its own again, with a copy "
        "of that group's settings and challenge rotation.",
        f"{count(len(moved), 'member')} moved with it, with their streaks and history.",
    ]
    if detached:
        lines.append(
            f"{count(detached, 'linked member')} keep their shared history in {old.name}; "
            "their account here starts a new streak."
        )
    return Reply(title="Space unlinked", text="\n".join(lines), ephemeral=True)
