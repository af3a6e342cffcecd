"""``/project start|me|milestone|drop``: a member's own projects and their milestones.

Reached through ``/project``'s query argument (see :func:`bot.features.projects.project`),
so every platform gets them with no new command to register:

- ``/project start NAME``: the project is active from today (a dropped one resumes with
  its milestones kept);
- ``/project me``: each project with its milestones ticked and the next one;
- ``/project milestone N done [LINK] [NAME]``: tick milestone ``N`` of the active project
  (``NAME`` picks one when several are active); ticking the last one finishes it;
- ``/project drop NAME``: stop working on it (the milestones stay for a later start).
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.content.schema import Project, normalise_name
from bot.content.store import ContentStore
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply, ReplyField
from bot.db.repositories import projects as projects_repo
from bot.features.progress.commands import describe_link, valid_link
from bot.progress.events import ProjectFinished, project_finished
from bot.progress.projects import ProjectRecord, ProjectStatus, tick

VERBS = ("me", "start", "milestone", "drop")

_MILESTONE = re.compile(r"^(\S+)(?:\s+(done))?(?:\s+(.*))?$", re.IGNORECASE)


def resolve(store: ContentStore, typed: str) -> Project:
    """The project ``typed`` names (exactly, or a close spelling), else closest matches."""
    key = normalise_name(typed)
    for project in store.bundle.projects:
        if key in {normalise_name(n) for n in (project.id, project.name, *project.aliases)}:
            return project
    found = store.find_project(typed)
    if found.match is not None:
        return found.match
    if found.suggestions:
        closest = ", ".join(f"`{name}`" for name in found.suggestions)
        raise UserError(f"I don't know a project called `{typed}`. Closest: {closest}.")
    names = ", ".join(f"`{p.id}`" for p in store.bundle.projects[:8])
    raise UserError(
        f"I don't know a project called `{typed}`. Some projects: {names}. `/project` suggests one."
    )


def _ticks(project: Project, record: ProjectRecord) -> str:
    lines = []
    for number, milestone in enumerate(project.milestones, 1):
        done = record.milestones.get(number)
        mark = "✅" if done else "▫️"
        link = f" · {describe_link(done.link)}" if done and done.link else ""
        lines.append(f"{mark} {number}. {milestone.title}{link}")
    return "\n".join(lines)


def _next_line(project: Project, record: ProjectRecord) -> str:
    number = record.next_milestone(len(project.milestones))
    if number is None:
        return "every milestone is done"
    milestone = project.milestones[number - 1]
    return f"milestone {number}, {milestone.title}: {milestone.detail.rstrip('.')}"


async def handle(ctx: CommandContext, verb: str, rest: str) -> Reply:
    """Run one ``/project VERB …`` subcommand."""
    if verb == "me":
        return await _me(ctx)
    if verb == "milestone":
        return await _milestone(ctx, rest)
    if not rest:
        raise UserError(
            f"Which project? Usage: `/project {verb} NAME`, e.g. `/project {verb} url shortener`."
        )
    store = ctx.services.content
    project = resolve(store, rest)
    records = await projects_repo.load(ctx.session, ctx.member.id)
    record = records.get(project.id)
    if verb == "start":
        return await _start(ctx, project, record)
    # drop
    if record is None:
        return Reply(f"You have not started {project.name}; nothing to drop.", ephemeral=True)
    if record.status is ProjectStatus.FINISHED:
        return Reply(
            f"You finished {project.name} on {record.finished_on}; finished projects stay.",
            ephemeral=True,
        )
    if record.status is ProjectStatus.DROPPED:
        return Reply(f"{project.name} is already dropped.", ephemeral=True)
    await projects_repo.save(
        ctx.session,
        ctx.group.id,
        ctx.member.id,
        replace(record, status=ProjectStatus.DROPPED),
        ctx.now,
    )
    return Reply(
        f"Dropped {project.name}. Your {len(record.milestones)} ticked milestones are kept: "
        f"`/project start {project.id}` picks it up again.",
        ephemeral=True,
    )


async def _start(ctx: CommandContext, project: Project, record: ProjectRecord | None) -> Reply:
    if record is not None and record.status is ProjectStatus.ACTIVE:
        return Reply(
            f"You are already building {project.name} (since {record.started_on}). "
            f"Next: {_next_line(project, record)}.",
            ephemeral=True,
        )
    if record is not None and record.status is ProjectStatus.FINISHED:
        return Reply(
            f"You finished {project.name} on {record.finished_on}. It stays counted once. 🎉",
            ephemeral=True,
        )
    day = await ctx.today()
    new = (
        replace(record, status=ProjectStatus.ACTIVE)
        if record is not None
        else ProjectRecord(project.id, ProjectStatus.ACTIVE, started_on=day)
    )
    await projects_repo.save(ctx.session, ctx.group.id, ctx.member.id, new, ctx.now)
    verb = "Picked up" if record is not None else "Started"
    return Reply(
        title=f"{verb} {project.name}",
        text=(
            f"Next: {_next_line(project, new)}.\n"
            f"When a milestone works: `/project milestone N done [LINK]`."
        ),
        fields=(ReplyField("Milestones", _ticks(project, new)),),
        ephemeral=True,
    )


async def _me(ctx: CommandContext) -> Reply:
    store = ctx.services.content
    records = await projects_repo.load(ctx.session, ctx.member.id)
    known = [(store.project(pid), r) for pid, r in records.items()]
    shown = [(p, r) for p, r in known if p is not None and r.status is not ProjectStatus.DROPPED]
    if not shown:
        return Reply(
            "You have no project on the go. `/project` suggests one; "
            "`/project start NAME` starts it.",
            ephemeral=True,
        )
    order = {ProjectStatus.ACTIVE: 0, ProjectStatus.FINISHED: 1}
    shown.sort(key=lambda pr: (order.get(pr[1].status, 2), pr[1].started_on))
    fields = []
    for project, record in shown:
        assert project is not None  # filtered above; keeps mypy's narrowing
        count = len(project.milestones)
        ticked = len([n for n in record.milestones if 1 <= n <= count])
        if record.status is ProjectStatus.FINISHED:
            head = f"{project.name} · finished {record.finished_on} ✅"
        else:
            head = f"{project.name} · {ticked} of {count} milestones"
        body = _ticks(project, record)
        if record.status is ProjectStatus.ACTIVE:
            body += f"\n**Next:** {_next_line(project, record)}"
        fields.append(ReplyField(head, body))
    active = sum(1 for _, r in shown if r.status is ProjectStatus.ACTIVE)
    finished = len(shown) - active
    return Reply(
        title=f"Your projects: {active} active, {finished} finished",
        text="Tick a milestone with `/project milestone N done [LINK]`.",
        fields=tuple(fields),
        ephemeral=True,
    )


def _split_tail(tail: str) -> tuple[str | None, str]:
    """``(link, rest)``: the first word that looks like a link, and the other words."""
    words = tail.split()
    link = next((w for w in words if w.lower().startswith(("http://", "https://", "www."))), None)
    if link is not None:
        words.remove(link)
        link = link.strip("<>")
    return link, " ".join(words)


async def _milestone(ctx: CommandContext, rest: str) -> Reply:
    usage = "Usage: `/project milestone N done [LINK]`, e.g. `/project milestone 2 done`."
    match = _MILESTONE.match(rest.strip())
    if match is None:
        raise UserError(f"Which milestone? {usage}")
    number_text, _done, tail = match.group(1), match.group(2), match.group(3) or ""
    try:
        number = int(number_text)
    except ValueError:
        raise UserError(f"`{number_text}` is not a milestone number. {usage}") from None
    link, name = _split_tail(tail)
    if link is not None and (not valid_link(link) or len(link) > 500):
        raise UserError(f"`{link}` is not a well-formed http(s) link, e.g. https://github.com/…")
    store = ctx.services.content
    records = await projects_repo.load(ctx.session, ctx.member.id)
    if name:
        project = resolve(store, name)
        record = records.get(project.id)
        if record is None:
            raise UserError(
                f"You have not started {project.name}. `/project start {project.id}` first."
            )
    else:
        active = [r for r in records.values() if r.status is ProjectStatus.ACTIVE]
        if not active:
            raise UserError("You have no active project. `/project start NAME` starts one.")
        if len(active) > 1:
            names = ", ".join(f"`{r.project_id}`" for r in active)
            raise UserError(
                f"You are building several projects ({names}); name one: "
                f"`/project milestone {number} done [LINK] NAME`."
            )
        record = active[0]
        found = store.project(record.project_id)
        if found is None:
            raise UserError("That project is no longer in the content.")
        project = found
    count = len(project.milestones)
    if not 1 <= number <= count:
        raise UserError(
            f"{project.name} has milestones 1 to {count}; there is no milestone {number}."
        )
    if record.status is ProjectStatus.FINISHED:
        return Reply(
            f"You finished {project.name} on {record.finished_on}. It stays counted once. 🎉",
            ephemeral=True,
        )
    if number in record.milestones:
        done = record.milestones[number]
        return Reply(
            f"Milestone {number} of {project.name} is already ticked (on {done.done_on}). "
            f"Next: {_next_line(project, record)}.",
            ephemeral=True,
        )
    today = await ctx.today()
    new = tick(record, number, count, today, link)
    await projects_repo.save(ctx.session, ctx.group.id, ctx.member.id, new, ctx.now)
    fields = [ReplyField("Milestones", _ticks(project, new))]
    if link:
        fields.append(ReplyField("Your work", describe_link(link)))
    milestone = project.milestones[number - 1]
    if new.status is ProjectStatus.FINISHED:
        await project_finished(
            ctx.session, ProjectFinished(ctx.group.id, ctx.member.id, project.id, today)
        )
        goals = "\n".join(f"- {goal}" for goal in project.stretch)
        text = f"Every milestone of {project.name} is done. Stretch goals to try next:\n{goals}"
        return Reply(title=f"Finished {project.name} 🎉", text=text, fields=tuple(fields))
    return Reply(
        title=f"Milestone {number} of {count} done: {milestone.title} ✅",
        text=f"Next: {_next_line(project, new)}.",
        fields=tuple(fields),
        ephemeral=True,
    )
