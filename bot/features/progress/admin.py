"""``/admin progress [STEP]``: where the group's members are on the plan.

Without a step: members on each step, members finished per phase and the whole plan, and
who has not moved for ``progress.stale_weeks`` weeks. With a step: that step's members
by status and its idle members. Every figure is a read of ``progress_counts`` or a range
of an index (:mod:`bot.db.repositories.progress_summary`), so it stays fast at 100k
members.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.commands import Param, ParamKind, Role, Router
from bot.core.context import CommandContext
from bot.core.models import FileAttachment, Reply, ReplyField
from bot.core.settings_specs import SettingSpec, parse_bool, parse_int_range
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import progress_summary as summary_repo
from bot.features.csv_file import to_csv

STALE_WEEKS = "progress.stale_weeks"
ANNOUNCE = "progress.announce"

SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        STALE_WEEKS,
        "Weeks without moving on a step before /admin progress lists a member (1-52).",
        3,
        parse_int_range(1, 52),
    ),
    SettingSpec(
        ANNOUNCE,
        "Whether a member's finished project is announced in the group's challenge channel.",
        False,
        parse_bool,
        lambda value: "on" if value else "off",
    ),
)

router = Router()


def _members(n: int) -> str:
    return f"{n} member" if n == 1 else f"{n} members"


@router.command(
    "progress",
    "Where members are on the roadmap: per step, per phase, and who is stuck.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param(
            "step",
            ParamKind.TEXT,
            "One step (number or name) to look at.",
            autocomplete="roadmap.steps",
        ),
    ),
    examples=("", "databases"),
)
async def admin_progress(ctx: CommandContext, step: str | None = None) -> Reply:
    """The group's progress figures, or one step's."""
    store = ctx.services.content
    plan = (store.phases, store.steps)
    await summary_repo.ensure_built(ctx.session, plan, ctx.group.id, ctx.now)
    weeks = int((await ctx.settings())[STALE_WEEKS])
    today = await ctx.today()
    cutoff = today - timedelta(weeks=weeks)
    if step is not None:
        from bot.features.progress.commands import resolve_step

        return await _one_step(ctx, resolve_step(store, step).id, weeks, cutoff)
    on_step = await summary_repo.counts(ctx.session, ctx.group.id, "step")
    phases = await summary_repo.counts(ctx.session, ctx.group.id, "phase")
    finished = await summary_repo.counts(ctx.session, ctx.group.id, summary_repo.FINISHED)
    everyone = sum(on_step.values()) + sum(finished.values())
    step_lines = [
        f"{s.number}. {s.title} — {_members(on_step.get((s.id, 0), 0))}"
        for s in store.steps
        if on_step.get((s.id, 0), 0)
    ]
    phase_lines = [
        f"Phase {p.number} · {p.title} — {_members(phases.get((p.id, 0), 0))}" for p in store.phases
    ]
    whole = sum(finished.values())
    if whole:
        phase_lines.append(f"The whole plan — {_members(whole)}")
    fields = [
        ReplyField("On each step (their current step)", "\n".join(step_lines) or "No one yet."),
        ReplyField("Finished per phase", "\n".join(phase_lines)),
        await _stale_field(ctx, weeks, cutoff, None),
    ]
    return Reply(
        title=f"Roadmap progress · {_members(everyone)} on the plan",
        text=(
            "Members appear once they start, finish or skip a step "
            "(`/roadmap start STEP`). `/admin progress STEP` shows one step."
        ),
        fields=tuple(fields),
        footer=f"Idle after {weeks} weeks: `/admin settings {STALE_WEEKS} N` changes it.",
    )


async def _one_step(ctx: CommandContext, step_id: str, weeks: int, cutoff: date) -> Reply:
    store = ctx.services.content
    step = store.step(step_id)
    assert step is not None  # resolved from the content above
    statuses = await summary_repo.step_statuses(ctx.session, ctx.group.id, step_id)
    on_step = await summary_repo.counts(ctx.session, ctx.group.id, "step")
    lines = [
        f"Current step of {_members(on_step.get((step_id, 0), 0))}",
        f"In progress: {statuses.get('in progress', 0)}",
        f"Done: {statuses.get('done', 0)}",
        f"Skipped (already known): {statuses.get('skipped', 0)}",
    ]
    return Reply(
        title=f"Step {step.number} · {step.title}",
        text="\n".join(lines),
        fields=(await _stale_field(ctx, weeks, cutoff, step_id),),
    )


async def _stale_field(
    ctx: CommandContext, weeks: int, cutoff: date, step_id: str | None
) -> ReplyField:
    total, first = await summary_repo.stale(ctx.session, ctx.group.id, cutoff, step_id=step_id)
    names = await checkins_repo.display_names(ctx.session, [m for m, _, _ in first], ctx.space.id)
    store = ctx.services.content
    lines = []
    for member_id, current, moved_on in first:
        found = store.step(current) if current else None
        where = f"step {found.number} {found.title}" if found else "a step"
        lines.append(f"- {names.get(member_id, '?')}: {where}, last moved {moved_on}")
    if total > len(first):
        lines.append(f"… and {total - len(first)} more")
    label = f"Not moved for {weeks}+ weeks ({total})"
    return ReplyField(label, "\n".join(lines) or "No one: everyone on a step moved recently.")


async def export_reply(ctx: CommandContext) -> Reply:
    """``/admin export progress``: every member's step records as a CSV file."""
    rows = await summary_repo.export_rows(ctx.session, ctx.group.id)
    names = await checkins_repo.display_names(ctx.session, [r[0] for r in rows], ctx.space.id)
    store = ctx.services.content
    table = []
    for member_id, step_id, status, started_on, finished_on, link in rows:
        step = store.step(step_id)
        table.append(
            [
                names.get(member_id, ""),
                step.number if step else "",
                step_id,
                status,
                started_on.isoformat() if started_on else "",
                finished_on.isoformat() if finished_on else "",
                link or "",
            ]
        )
    header = ["member", "step_number", "step", "status", "started_on", "finished_on", "link"]
    return Reply(
        text=f"{len(table)} step records of {len(names)} members exported.",
        file=FileAttachment("progress.csv", to_csv(header, table), "text/csv"),
    )
