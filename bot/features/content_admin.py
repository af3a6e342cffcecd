"""``/admin content [status|reload]``: what content is loaded, and reloading it from disk.

A reload that finds problems keeps the last good content and answers with the problems
(the first ten and how many in all), so a broken edit never takes the bot down. Every
reload is written to the audit log.
"""

from __future__ import annotations

from bot.content.render.limits import clip, fit
from bot.core.commands import Param, ParamKind, Role, Router
from bot.core.context import CommandContext
from bot.core.models import Reply
from bot.core.wording import count

ORDER = 910

router = Router()

SHOWN_PROBLEMS = 10
PROBLEM_MAX = 250  # ten problems stay within one Slack section


@router.command(
    "content",
    "Show the learning content in use, or reload it from disk.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param(
            "action",
            ParamKind.CHOICE,
            "status (the default) or reload",
            choices=("status", "reload"),
        ),
    ),
    examples=("", "reload"),
)
async def admin_content(ctx: CommandContext, action: str = "status") -> Reply:
    """Show the content source and counts, or reload it (keeping it if the new one is broken)."""
    store = ctx.services.content
    source = str(store.bundle.source)
    target = clip(source, 200)  # the audit column holds 200 characters
    before = store.bundle.summary()
    if action == "status":
        return Reply(
            title="Learning content",
            text=f"Loaded from `{source}`:\n{before}.",
            footer="Reload after editing the files with `/admin content reload`.",
        )
    problems = await store.reload_in_thread()
    if problems:
        await ctx.audit(
            "content.reload_failed",
            target=target,
            before=before,
            after=None,
            reason=f"{count(len(problems), 'problem')}; kept the last good content",
        )
        shown = "\n".join(f"- {clip(p, PROBLEM_MAX)}" for p in problems[:SHOWN_PROBLEMS])
        more = len(problems) - SHOWN_PROBLEMS
        tail = f"\n…and {more} more; `studybot content check` lists them all." if more > 0 else ""
        return fit(
            Reply(
                title="Content not reloaded",
                text=(
                    f"The content in `{source}` has {count(len(problems), 'problem')}, so I "
                    f"kept the last good content ({before}). Fix these and reload:\n{shown}{tail}"
                ),
            )
        )
    after = store.bundle.summary()
    await ctx.audit("content.reload", target=target, before=before, after=after)
    return Reply(text=f"Content reloaded from `{source}`: {after}.")
