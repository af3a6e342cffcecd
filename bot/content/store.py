"""The loaded content and the lookups commands need, with safe reloading.

A reload that fails keeps the last good content and returns the problems, so a broken
edit never takes the bot down.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from bot.content.loader import ContentBundle, load_content
from bot.content.schema import Challenge, Phase, Project, Step, Tip, normalise_name
from bot.core.errors import ContentError

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Lookup(Generic[T]):
    """The result of a fuzzy lookup: the match, or the closest candidates."""

    match: T | None
    suggestions: tuple[str, ...] = ()


class ContentStore:
    """Holds the current :class:`ContentBundle` and answers lookups against it."""

    def __init__(self, bundle: ContentBundle) -> None:
        self._bundle = bundle
        self._index()

    @classmethod
    def from_dir(cls, root: Path) -> ContentStore:
        """Load ``root``; raises :class:`ContentError` listing every problem."""
        return cls(load_content(root))

    @property
    def bundle(self) -> ContentBundle:
        """The content in use."""
        return self._bundle

    def reload(self, root: Path | None = None) -> list[str]:
        """Reload from disk; on failure keep the current content and return the problems."""
        try:
            bundle = load_content(root or self._bundle.source)
        except ContentError as exc:
            log.warning("content reload failed, keeping the last good content: %s", exc)
            return exc.problems
        self._install(bundle)
        return []

    async def reload_in_thread(self, root: Path | None = None) -> list[str]:
        """Like :meth:`reload`, but read and validate the files in a worker thread.

        Loading the bundled content takes a few hundred milliseconds; doing it off the
        event loop keeps gateways and other commands served meanwhile. The new content is
        swapped in on the loop, between two awaits, so no command sees half of it.
        """
        source = root or self._bundle.source
        try:
            bundle = await asyncio.to_thread(load_content, source)
        except ContentError as exc:
            log.warning("content reload failed, keeping the last good content: %s", exc)
            return exc.problems
        self._install(bundle)
        return []

    def _install(self, bundle: ContentBundle) -> None:
        self._bundle = bundle
        self._index()
        log.info("content reloaded: %s", bundle.summary())

    def _index(self) -> None:
        b = self._bundle
        self._steps = {s.id: s for s in b.steps}
        self._phases = {p.id: p for p in b.phases}
        self._challenges = {c.id: c for c in b.challenges}
        self._tips = {t.id: t for t in b.tips}
        self._projects = {p.id: p for p in b.projects}
        self._step_names: dict[str, Step] = {}
        for step in b.steps:
            for name in (step.id, step.title, str(step.number), *step.aliases):
                self._step_names.setdefault(normalise_name(name), step)
        self._project_names: dict[str, Project] = {}
        for project in b.projects:
            for name in (project.id, project.name, *project.aliases):
                self._project_names.setdefault(normalise_name(name), project)

    @property
    def steps(self) -> tuple[Step, ...]:
        """Roadmap steps in order."""
        return self._bundle.steps

    @property
    def phases(self) -> tuple[Phase, ...]:
        """Plan phases in order."""
        return tuple(sorted(self._bundle.phases, key=lambda p: p.number))

    def step(self, step_id: str) -> Step | None:
        """A step by exact id."""
        return self._steps.get(step_id)

    def phase(self, phase_id: str) -> Phase | None:
        """A phase by exact id."""
        return self._phases.get(phase_id)

    def challenge(self, challenge_id: str) -> Challenge | None:
        """A challenge by id."""
        return self._challenges.get(challenge_id)

    def tip(self, tip_id: str) -> Tip | None:
        """A tip by id."""
        return self._tips.get(tip_id)

    def project(self, project_id: str) -> Project | None:
        """A project by exact id."""
        return self._projects.get(project_id)

    def find_step(self, query: str) -> Lookup[Step]:
        """Find a step by id, number, title, alias or a close spelling of one.

        A number is only ever a step number: ``99`` or ``-1`` finds nothing (and suggests
        nothing), rather than the step whose number is spelled most like it.
        """
        if _NUMBER.fullmatch(query.strip()):
            number = int(query.strip())
            return Lookup(next((s for s in self._steps.values() if s.number == number), None))
        return _fuzzy(query, self._step_names, lambda s: s.id)

    def find_project(self, query: str) -> Lookup[Project]:
        """Find a project by id, name, alias or a close spelling of one."""
        return _fuzzy(query, self._project_names, lambda p: p.name)

    def challenges_for_track(self, track: str) -> list[Challenge]:
        """The challenge pool for a group's track: ``all``, a level, or a phase id."""
        track = track.strip().lower()
        items = list(self._bundle.challenges)
        if track in ("", "all"):
            return items
        if track in ("beginner", "intermediate", "advanced"):
            return [c for c in items if c.level.value == track]
        if track in self._phases:
            return [c for c in items if self._steps[c.step].phase == track]
        return items

    def tips_for_track(self, track: str) -> list[Tip]:
        """The tip pool: all tips, or those of a phase's steps for a phase track."""
        if track in self._phases:
            return [t for t in self._bundle.tips if self._steps[t.step].phase == track]
        return list(self._bundle.tips)


_NUMBER = re.compile(r"[+-]?\d+")


def _fuzzy(query: str, names: dict[str, T], label: Callable[[T], str]) -> Lookup[T]:
    key = normalise_name(query)
    if not key:
        return Lookup(None)
    if key in names:
        return Lookup(names[key])
    words = [name for name in names if key in name.split() or name.startswith(key)]
    matched = {id(names[w]): names[w] for w in words}
    if len(matched) == 1:
        return Lookup(next(iter(matched.values())))
    close = difflib.get_close_matches(key, list(names), n=6, cutoff=0.6)
    candidates = {id(names[c]): names[c] for c in [*words, *close]}
    if len(candidates) == 1 and close:
        return Lookup(next(iter(candidates.values())))
    labels = tuple(dict.fromkeys(label(c) for c in candidates.values()))[:5]
    return Lookup(None, labels)
