"""``/admin progress [STEP]``: where the group's members are on the plan.

Without a step: members on each step, members finished per phase and the whole plan, and
who has not moved for ``progress.stale_weeks`` weeks. With a step: that step's members
by status and its idle members. :func:`group_progress` (what the benchmark times too) is
two statements: the maintained ``progress_counts`` rows, and a ``LIMIT`` range of
``ix_member_progress_moved`` for the first idle members
(:mod:`bot.db.repositories.progress_summary`), so it stays fast at 100k members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.content.schema import Phase, Step
from bot.content.store import ContentStore
from bot.core.commands import Param, ParamKind, Role, Router
from bot.core.context import CommandContext
from bot.core.models import FileAttachment, Reply, ReplyField
from bot.core.settings_specs import SettingSpec, parse_bool, parse_int_range
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import progress_figures as figures_repo
from bot.db.repositories import progress_summary as summary_repo
from bot.db.repositories.checkins import Executor
from bot.features.csv_file import to_csv
from bot.progress.plan import Status

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


@dataclass(frozen=True)
class GroupProgress:
    """What ``/admin progress [STEP]`` reads of a group (see :func:`group_progress`).

    Attributes:
        figures: Members per step, per finished phase and finished, and how many are idle.
        idle: The longest idle members: ``(member_id, name, current step, moved_on)``.
    """

    figures: figures_repo.GroupFigures
    idle: list[tuple[int, str, str | None, date | None]]


async def group_progress(
    db: Executor,
    plan: tuple[Sequence[Phase], Sequence[Step]],
    where: tuple[int, int],
    cutoff: date,
    now: datetime,
    step_id: str | None = None,
) -> GroupProgress:
    """The group's figures (``where`` is group id, space id): two indexed statements.

    One reads the maintained ``progress_counts`` rows (the idle count a sum over the
    ``moved`` histogram), one the first idle members off ``ix_member_progress_moved``.
    A group whose counts were never built (or by an older version) is rebuilt first.
    """
    group_id, space_id = where
    figures = await figures_repo.figures(db, group_id, cutoff, step_id)
    if not figures.built:
        await summary_repo.ensure_built(db, plan, group_id, now)
        figures = await figures_repo.figures(db, group_id, cutoff, step_id)
    idle = await figures_repo.stale_members(db, group_id, cutoff, space_id, step_id=step_id)
    return GroupProgress(figures, idle)


def progress_reply(store: ContentStore, progress: GroupProgress, weeks: int) -> Reply:
    """``/admin progress`` without a step, drawn from :func:`group_progress` (pure)."""
    figures = progress.figures
    on_step = figures.on_step
    everyone = sum(on_step.values()) + figures.finished
    step_lines = [
        f"{s.number}. {s.title} — {_members(on_step[s.id])}"
        for s in store.steps
        if on_step.get(s.id, 0)
    ]
    phase_lines = [
        f"Phase {p.number} · {p.title} — {_members(figures.phases.get(p.id, 0))}"
        for p in store.phases
    ]
    if figures.finished:
        phase_lines.append(f"The whole plan — {_members(figures.finished)}")
    fields = [
        ReplyField("On each step (their current step)", "\n".join(step_lines) or "No one yet."),
        ReplyField("Finished per phase", "\n".join(phase_lines)),
        _stale_field(store, progress, weeks),
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
    weeks = int((await ctx.settings())[STALE_WEEKS])
    today = await ctx.today()
    cutoff = today - timedelta(weeks=weeks)
    step_id = None
    if step is not None:
        from bot.features.progress.commands import resolve_step

        step_id = resolve_step(store, step).id
    where = (ctx.group.id, ctx.space.id)
    progress = await group_progress(ctx.session, plan, where, cutoff, ctx.now, step_id)
    if step_id is None:
        return progress_reply(store, progress, weeks)
    return await _one_step(ctx, step_id, progress, weeks)


async def _one_step(
    ctx: CommandContext, step_id: str, progress: GroupProgress, weeks: int
) -> Reply:
    store = ctx.services.content
    step = store.step(step_id)
    assert step is not None  # resolved from the content above
    statuses = progress.figures.statuses
    lines = [
        f"Current step of {_members(progress.figures.on_step.get(step_id, 0))}",
        f"In progress: {statuses.get(Status.IN_PROGRESS, 0)}",
        f"Done: {statuses.get(Status.DONE, 0)}",
        f"Skipped (already known): {statuses.get(Status.SKIPPED, 0)}",
    ]
    return Reply(
        title=f"Step {step.number} · {step.title}",
        text="\n".join(lines),
        fields=(_stale_field(store, progress, weeks),),
    )


def _stale_field(store: ContentStore, progress: GroupProgress, weeks: int) -> ReplyField:
    total = progress.figures.stale
    lines = []
    for _member_id, name, current, moved_on in progress.idle:
        found = store.step(current) if current else None
        where = f"step {found.number} {found.title}" if found else "a step"
        lines.append(f"- {name}: {where}, last moved {moved_on}")
    if total > len(progress.idle):
        lines.append(f"… and {total - len(progress.idle)} more")
    label = f"Not moved for {weeks}+ weeks ({total})"
    return ReplyField(label, "\n".join(lines) or "No one: everyone on a step moved recently.")


async def export_reply(ctx: CommandContext) -> Reply:
    """``/admin export progress``: every member's step records as a CSV file."""
    rows = await figures_repo.export_rows(ctx.session, ctx.group.id)
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
