"""``/project [LEVEL] [QUERY]``: project ideas with milestones and stretch goals.

Without arguments it suggests one idea (different per member and day, the same all day).
``LEVEL`` narrows the ideas, and ``QUERY`` is a project's name (``/project url shortener``
shows it in full) or a step or topic (``/project caching`` suggests projects that practise
caching); with a filter it suggests a matching idea and lists two more. ``me``,
``start NAME``, ``milestone N done [LINK]`` and ``drop NAME`` are the member's own
projects (:mod:`bot.features.progress.projects`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot.content.render import project_reply, project_suggestion_reply
from bot.content.schema import Level, Project, Step, normalise_name
from bot.content.store import ContentStore
from bot.core.commands import Param, ParamKind, Router
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.features.progress import projects as my_projects

ORDER = 30

router = Router()

LEVEL_CHOICES = tuple(level.value for level in Level)


@router.completer("projects.names")
async def complete_projects(ctx: CommandContext, prefix: str) -> list[str]:
    """Project names whose name, id, alias or one of their words starts with the prefix."""
    typed = normalise_name(prefix)
    names: list[str] = []
    for project in ctx.services.content.bundle.projects:
        labels = [normalise_name(n) for n in (project.id, project.name, *project.aliases)]
        words = [w for label in labels for w in label.split()]
        if not typed or any(x.startswith(typed) for x in [*labels, *words]):
            names.append(project.name)
    return names[:25]


@router.command(
    "project",
    "A project idea to build, or one project's milestones.",
    params=(
        Param("level", ParamKind.CHOICE, "Only ideas for this level.", choices=LEVEL_CHOICES),
        Param(
            "query",
            ParamKind.TEXT,
            "A project or topic (caching), or me, start|drop NAME, milestone N done [LINK].",
            autocomplete="projects.names",
        ),
    ),
    examples=(
        "",
        "beginner",
        "url shortener",
        "caching",
        "advanced apis",
        "start url shortener",
        "me",
        "milestone 1 done https://github.com/me/short",
    ),
)
async def project(ctx: CommandContext, level: str | None = None, query: str | None = None) -> Reply:
    """Show a project, or suggest one matching the optional level and step/topic."""
    store = ctx.services.content
    seed = f"{ctx.member.id}|{(await ctx.today()).isoformat()}"
    projects = list(store.bundle.projects)
    if not projects:
        raise UserError("There are no project ideas in the content yet.")
    if query is not None:
        verb, _, rest = query.strip().partition(" ")
        if verb.lower() in my_projects.VERBS:
            return await my_projects.handle(ctx, verb.lower(), rest.strip())
    if query is None:
        # Plain `/project` is one idea; a filter also lists two alternatives.
        count = 1 if level is None else 3
        return _suggest(store, _at_level(projects, level), seed, level=level, count=count)
    exact_project = _exact_project(store, query)
    if exact_project is not None:
        return project_reply(exact_project, store)
    step = _exact_step(store, query)
    if step is None:
        fuzzy = store.find_project(query)
        if fuzzy.match is not None:
            return project_reply(fuzzy.match, store)
        step = store.find_step(query).match
    if step is not None:
        matching = [p for p in _at_level(projects, level) if step.id in p.steps]
        return _suggest(store, matching, seed, level=level, step=step)
    topical = _by_topic(_at_level(projects, level), query)
    if topical:
        return _suggest(store, topical, seed, level=level, topic=query.strip())
    raise UserError(_unknown(store, query.strip()))


def _at_level(projects: Sequence[Project], level: str | None) -> list[Project]:
    return [p for p in projects if level is None or p.level.value == level]


def _exact_project(store: ContentStore, query: str) -> Project | None:
    key = normalise_name(query)
    for project in store.bundle.projects:
        if key in {normalise_name(n) for n in (project.id, project.name, *project.aliases)}:
            return project
    return None


def _exact_step(store: ContentStore, query: str) -> Step | None:
    key = normalise_name(query)
    for step in store.steps:
        names = (step.id, step.title, str(step.number), *step.aliases)
        if key in {normalise_name(n) for n in names}:
            return step
    return None


def _by_topic(projects: Sequence[Project], query: str) -> list[Project]:
    """Projects whose name, summary, milestones, stretch goals or stacks mention every word."""
    words = normalise_name(query).split()
    if not words:
        return []
    found = []
    for project in projects:
        milestones = (f"{m.title} {m.detail}" for m in project.milestones)
        parts = [project.name, project.summary, *project.stack, *project.stretch, *milestones]
        haystack = f" {normalise_name(' '.join(parts))} "
        if all(f" {w}" in haystack for w in words):
            found.append(project)
    return found


def pick(projects: Sequence[Project], seed: str, count: int = 3) -> list[Project]:
    """Up to ``count`` projects starting at a position derived from ``seed``.

    The same seed (member and day) gives the same ideas all day; a new day or another
    member gives others.
    """
    if not projects:
        return []
    ordered = sorted(projects, key=lambda p: p.id)
    start = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % len(ordered)
    rotated = ordered[start:] + ordered[:start]
    return rotated[:count]


def _suggest(
    store: ContentStore,
    projects: Sequence[Project],
    seed: str,
    *,
    level: str | None,
    step: Step | None = None,
    topic: str | None = None,
    count: int = 3,
) -> Reply:
    chosen = pick(projects, seed, count)
    about = f"step {step.number} {step.title}" if step else (f"`{topic}`" if topic else "")
    label = f"{level} project ideas" if level else "project ideas"
    if len(projects) == 1:
        label = label.removesuffix("s")
    if not chosen:
        wanted = f"{label} for {about}" if about else label
        raise UserError(
            f"There are no {wanted} in the content. Try `/project` without a level, "
            "or `/project STEP` for another step."
        )
    heading = f"{level.capitalize()} project idea" if level else "Project idea"
    if about:
        heading += f" for step {step.number}" if step else f" about {topic}"
        matches = f"{len(projects)} {label} for {about}"
    else:
        matches = f"{len(projects)} {label}"
    return project_suggestion_reply(chosen[0], chosen[1:], store, heading=heading, note=matches)


def _unknown(store: ContentStore, typed: str) -> str:
    names = list(store.find_project(typed).suggestions)
    steps = list(store.find_step(typed).suggestions)
    if names or steps:
        closest = ", ".join([*(f"`{n}`" for n in names), *(f"step `{s}`" for s in steps)])
        return f"I don't know a project or topic called `{typed}`. Closest: {closest}."
    return (
        f"I don't know a project or topic called `{typed}`. "
        "`/project` suggests an idea; `/project STEP` finds ideas for a roadmap step."
    )
