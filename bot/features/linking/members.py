"""``/link [CODE|status]`` and ``/unlink``: one member, several accounts, one streak.

``/link`` shows a one-time code; ``/link CODE`` from the person's account in another space
of the same group redeems it, and the two accounts become one member. If both already
have history, the histories are merged (:mod:`bot.features.linking.merge`): check-ins are
unioned by local date, statistics recomputed, the merge written to the audit log.

``/unlink`` detaches the account it is run from. The history stays with the member it was
recorded against (the other accounts keep the shared streak); the detached account
starts afresh. Splitting the history back by platform is not attempted: same-day
duplicates were merged away, and splitting would break both streaks.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.commands import Param, ParamKind
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.core.refs import MemberRef, StoredSpace
from bot.core.wording import count
from bot.db.repositories import members as members_repo
from bot.db.repositories.linking.members import detach_identity, identities_of
from bot.db.repositories.spaces import spaces_of_group
from bot.features.checkins.checkin_service import checkins_of
from bot.features.linking.codes import CodeBook, CodeKind
from bot.features.linking.common import platform_name, reject, space_label, until
from bot.features.linking.merge import MergeResult, merge
from bot.features.linking.router import router
from bot.progress.challenge_steps import challenge_steps
from bot.streaks import current


@router.command(
    "link",
    "Link your accounts on Discord and Slack so they keep one streak.",
    params=(
        Param(
            "code",
            ParamKind.TEXT,
            "A code from /link on your other account, or `status` to see what is linked.",
        ),
    ),
    ephemeral=True,
    examples=("", "5F3A-91C2-77D0-4B1E", "status"),
)
async def link(ctx: CommandContext, code: str | None = None) -> Reply:
    """Make a code, redeem one, or show the linked accounts."""
    if not code:
        return await _issue(ctx)
    if code.strip().lower() == "status":
        return await _status(ctx)
    return await _redeem(ctx, code)


async def _issue(ctx: CommandContext) -> Reply:
    others = [s for s in await spaces_of_group(ctx.session, ctx.group.id) if s.id != ctx.space.id]
    if not others:
        raise UserError(
            "This space is not linked with another one yet, so there is no other account "
            "to link. A moderator can link a Discord server and a Slack workspace with "
            "`/admin link-space`."
        )
    issued = await CodeBook(ctx.session, ctx.now).issue(
        CodeKind.MEMBER, group_id=ctx.group.id, space_id=ctx.space.id, member_id=ctx.member.id
    )
    where = ", ".join(space_label(s) for s in others)
    return Reply(
        title="Your link code",
        text=(
            f"**`{issued.code}`**\n\n"
            f"On your other account (in {where}), run:\n`/link {issued.code}`\n\n"
            f"It works once, until {until(issued.expires_at)} (15 minutes). Your check-ins "
            "from both accounts will then count toward one streak."
        ),
        footer="Keep it to yourself: whoever uses it joins their account to yours.",
        ephemeral=True,
        metadata={"code": issued.code},
    )


async def _status(ctx: CommandContext) -> Reply:
    found = await identities_of(ctx.session, ctx.member.id)
    if len(found) <= 1:
        return Reply(
            text=(
                "This account is not linked to another one. Run `/link` to get a code, then "
                "`/link CODE` from your other account."
            ),
            ephemeral=True,
        )
    lines = []
    for identity, space in found:
        here = " (this account)" if identity.id == ctx.identity.id else ""
        name = identity.display_name or identity.platform_user_id
        lines.append(f"- {space_label(space)}, as **{name}**{here}")
    return Reply(
        title="Linked accounts",
        text="\n".join(lines)
        + "\n\nCheck-ins from any of these count toward one streak. `/unlink` separates "
        "the account you run it from.",
        ephemeral=True,
    )


async def _redeem(ctx: CommandContext, code: str) -> Reply:
    book = CodeBook(ctx.session, ctx.now)
    await book.check_attempts(ctx.group.id, ctx.member.id)
    found = await book.find(CodeKind.MEMBER, code)
    if found is None or found.member_id is None:
        return await reject(ctx, CodeKind.MEMBER)
    if found.member_id == ctx.member.id:
        raise UserError("These accounts are already linked. `/link status` shows them.")
    survivor = await members_repo.get(ctx.session, found.member_id)
    if survivor.group_id != ctx.group.id:
        raise UserError(
            "That code comes from a space that is not linked with this one. A moderator "
            "can link the two spaces with `/admin link-space` first."
        )
    if found.space_id == ctx.space.id:
        raise UserError(
            "That code was made in this space. Run `/link CODE` from your account on the "
            "other platform (or in the other space)."
        )
    theirs = {space.id: space for _, space in await identities_of(ctx.session, survivor.id)}
    mine = {space.id: space for _, space in await identities_of(ctx.session, ctx.member.id)}
    shared = [theirs[space_id] for space_id in theirs.keys() & mine.keys()]
    if shared:
        raise UserError(
            f"Both accounts already have an account in {space_label(shared[0])}; one person "
            "has one account per space. `/unlink` the extra one first."
        )
    if not await book.consume(found):
        return await reject(ctx, CodeKind.MEMBER)
    absorbed_id = ctx.member.id
    store = ctx.services.content
    result = await merge(
        ctx.session,
        survivor,
        ctx.member,
        ctx.now,
        plan=(store.phases, store.steps),
        checkins=checkins_of(ctx.services),
        challenges=challenge_steps(store.bundle.challenges),
    )
    # The invoking account now belongs to the survivor; audit entries name the survivor.
    survivor = result.survivor
    ctx.member = survivor
    await _audit(ctx, survivor, absorbed_id, result)
    return await _linked_reply(ctx, survivor, result)


async def _audit(
    ctx: CommandContext, survivor: MemberRef, absorbed_id: int, result: MergeResult
) -> None:
    counts = result.counts
    await ctx.audit(
        "member.link",
        target=f"member:{survivor.id}",
        before={"members": [survivor.id, absorbed_id]},
        after={"member_id": survivor.id, "identities": counts.identities},
        reason="member link code redeemed",
    )
    if counts.both_had_history:
        state = result.after.state
        await ctx.audit(
            "member.merge",
            target=f"member:{survivor.id}",
            before={**result.before, "dropped_duplicates": counts.dropped},
            after={
                "moved": counts.moved,
                "kept": counts.kept,
                "duplicates": len(counts.dropped),
                "run": state.run,
                "longest": state.longest,
                "total": state.total,
            },
            reason="linked accounts: check-ins unioned by local date",
        )


async def _linked_reply(ctx: CommandContext, survivor: MemberRef, result: MergeResult) -> Reply:
    accounts = await identities_of(ctx.session, survivor.id)
    names = ", ".join(
        f"{platform_name(space.platform)} ({identity.display_name or identity.platform_user_id})"
        for identity, space in accounts
    )
    state = result.after.state
    today = await ctx.today(survivor)
    shown = current(state, today, result.policy, result.excused, survivor.timezone)
    counts = result.counts
    merged = ""
    if counts.both_had_history:
        both = len(counts.dropped)
        twice = f" ({count(both, 'day')} both had, counted once)" if both else ""
        merged = (
            f"\nHistories merged: {count(counts.absorbed_rows, 'check-in')} from this account "
            f"and {counts.survivor_rows:,} from the other{twice}."
        )
    return Reply(
        title="Accounts linked",
        text=(
            f"Your accounts now share one streak: {names}.\n"
            f"Current streak: **{count(shown.run, 'day')}** · longest "
            f"{count(state.longest, 'day')} · {count(state.total, 'check-in')} in all.{merged}"
        ),
        ephemeral=True,
    )


@router.command(
    "unlink",
    "Separate this account from your other linked accounts.",
    ephemeral=True,
)
async def unlink(ctx: CommandContext) -> Reply:
    """Detach the calling account; the shared history stays with the other accounts."""
    found = await identities_of(ctx.session, ctx.member.id)
    if len(found) <= 1:
        raise UserError("This account is not linked to another one.")
    others: list[StoredSpace] = [
        space for identity, space in found if identity.id != ctx.identity.id
    ]
    old = ctx.member
    fresh = await detach_identity(ctx.session, ctx.identity.id, ctx.group.id, ctx.now)
    await ctx.audit(
        "member.unlink",
        target=f"member:{old.id}",
        before={"member_id": old.id, "space": space_label(ctx.space)},
        after={"member_id": fresh.id},
        reason="history stays with the member it was recorded against",
    )
    ctx.member = fresh
    ctx.identity = replace(ctx.identity, member_id=fresh.id)
    where = ", ".join(space_label(s) for s in others)
    return Reply(
        title="Account unlinked",
        text=(
            f"This {platform_name(ctx.space.platform)} account is no longer linked. Your streak "
            f"and check-ins stay with your other account ({where}); check-ins made here "
            "now count toward a new streak of this account. `/link` links them again."
        ),
        ephemeral=True,
    )
