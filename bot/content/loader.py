"""Load ``content/`` into validated models, reporting every problem at once.

Files are grouped by folder: ``roadmap/*.yaml`` (keys ``phases``, ``steps``,
``routines``), ``challenges/*.yaml``, ``tips/*.yaml`` and ``projects.yaml`` (or a
``projects/`` folder). Each problem names the file, the item id and the field, so one run of
``studybot content check`` shows everything to fix.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.schema import Challenge, Level, Phase, Project, Routine, Step, Tip
from bot.core.errors import ContentError

ModelT = TypeVar("ModelT", bound=BaseModel)

# libyaml's safe loader reads the bundled content about seven times faster than the pure
# Python one (so start-up and `/admin content reload` stay quick); same data, same errors.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SECTIONS: dict[str, type[BaseModel]] = {
    "phases": Phase,
    "steps": Step,
    "routines": Routine,
    "challenges": Challenge,
    "tips": Tip,
    "projects": Project,
}


@dataclass(frozen=True)
class ContentBundle:
    """Everything loaded from one content directory, already cross-checked."""

    phases: tuple[Phase, ...]
    steps: tuple[Step, ...]
    routines: tuple[Routine, ...]
    challenges: tuple[Challenge, ...]
    tips: tuple[Tip, ...]
    projects: tuple[Project, ...]
    source: Path

    def summary(self) -> str:
        """One line of counts, e.g. ``16 steps, 184 challenges, 95 tips, 15 projects``."""
        return (
            f"{len(self.steps)} steps, {len(self.challenges)} challenges, "
            f"{len(self.tips)} tips, {len(self.projects)} projects"
        )


class _Collector:
    """Accumulates items per section and problems across files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.items: dict[str, list[tuple[str, Any]]] = {key: [] for key in SECTIONS}
        self.problems: list[str] = []

    def where(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def add_file(self, path: Path) -> None:
        where = self.where(path)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(f"{where}: cannot read: {exc}")
            return
        except yaml.YAMLError as exc:
            self.problems.append(f"{where}: not valid YAML: {_yaml_problem(exc)}")
            return
        if data is None:
            self.problems.append(f"{where}: file is empty")
            return
        if not isinstance(data, dict):
            self.problems.append(f"{where}: expected a mapping with keys {', '.join(SECTIONS)}")
            return
        for key, value in data.items():
            if key not in SECTIONS:
                self.problems.append(f"{where}: unknown top-level key `{key}`")
                continue
            if not isinstance(value, list):
                self.problems.append(f"{where}: `{key}` must be a list")
                continue
            for index, raw in enumerate(value):
                self._validate(where, key, index, raw)

    def _validate(self, where: str, key: str, index: int, raw: Any) -> None:
        model = SECTIONS[key]
        label = raw.get("id") or raw.get("level") if isinstance(raw, dict) else None
        item = f"{key}[{index}]" + (f" id={label}" if label else "")
        try:
            self.items[key].append((where, model.model_validate(raw)))
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"]) or "(item)"
                self.problems.append(f"{where}: {item} field `{field}`: {error['msg']}")


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """``line 5, column 1: found … (while scanning a quoted scalar at line 3, column 12)``."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        context = ""
        if exc.context:
            context = f" ({exc.context}"
            if exc.context_mark is not None:
                context += f" at {_position(exc.context_mark)}"
            context += ")"
        return f"{_position(exc.problem_mark)}: {exc.problem}{context}"
    return " ".join(str(exc).split())


def _position(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def load_content(root: Path) -> ContentBundle:
    """Load and validate every YAML file under ``root``.

    Raises:
        ContentError: With every problem found (file, item id, field), if any.
    """
    collector = _Collector(root)
    if not root.is_dir():
        raise ContentError([f"{root}: content directory not found"])
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise ContentError([f"{root}: no .yaml files found"])
    for path in files:
        collector.add_file(path)
    bundle = ContentBundle(
        phases=_items(collector, "phases", Phase),
        steps=tuple(sorted(_items(collector, "steps", Step), key=lambda s: s.number)),
        routines=_items(collector, "routines", Routine),
        challenges=_items(collector, "challenges", Challenge),
        tips=_items(collector, "tips", Tip),
        projects=_items(collector, "projects", Project),
        source=root,
    )
    collector.problems.extend(cross_check(bundle, collector))
    if collector.problems:
        raise ContentError(collector.problems)
    return bundle


def _items(collector: _Collector, key: str, model: type[ModelT]) -> tuple[ModelT, ...]:
    return tuple(item for _, item in collector.items[key] if isinstance(item, model))


def cross_check(bundle: ContentBundle, collector: _Collector) -> list[str]:
    """Problems that span files: duplicate ids, unknown references, missing sections."""
    problems: list[str] = []
    for key in SECTIONS:
        if key == "routines":
            continue
        ids = Counter(item.id for _, item in collector.items[key])
        for item_id, count in ids.items():
            if count > 1:
                files = sorted({w for w, i in collector.items[key] if i.id == item_id})
                problems.append(
                    f"{', '.join(files)}: {key} id={item_id} field `id`: duplicate id ({count}x)"
                )
    for key, minimum in (("phases", 1), ("steps", 1), ("challenges", 1)):
        if not collector.items[key]:
            problems.append(f"{collector.root}: no {key} found (at least {minimum} needed)")
    step_ids = {s.id for s in bundle.steps}
    phase_ids = {p.id for p in bundle.phases}
    project_ids = {p.id for p in bundle.projects}
    for where, step in collector.items["steps"]:
        if step.phase not in phase_ids:
            problems.append(
                f"{where}: steps id={step.id} field `phase`: unknown phase `{step.phase}`"
            )
    for where, phase in collector.items["phases"]:
        if phase.end_month < phase.start_month:
            problems.append(f"{where}: phases id={phase.id} field `end_month`: before start_month")
        if phase.milestone_project and phase.milestone_project not in project_ids:
            problems.append(
                f"{where}: phases id={phase.id} field `milestone_project`: "
                f"unknown project `{phase.milestone_project}`"
            )
    for key in ("challenges", "tips"):
        for where, item in collector.items[key]:
            if item.step not in step_ids:
                problems.append(
                    f"{where}: {key} id={item.id} field `step`: unknown step `{item.step}`"
                )
    for where, project in collector.items["projects"]:
        for ref in project.steps:
            if ref not in step_ids:
                problems.append(
                    f"{where}: projects id={project.id} field `steps`: unknown step `{ref}`"
                )
    levels = Counter(r.level for _, r in collector.items["routines"])
    for level, count in levels.items():
        if count > 1:
            problems.append(f"{collector.root}: routines: level {level} appears {count} times")
    return problems


def coverage_problems(bundle: ContentBundle, *, per_step: int = 8) -> list[str]:
    """Stricter checks for the shipped content: every step and phase well covered."""
    problems: list[str] = []
    by_step = Counter(c.step for c in bundle.challenges)
    for step in bundle.steps:
        if by_step[step.id] < per_step:
            problems.append(f"step {step.id}: {by_step[step.id]} challenges (need {per_step})")
    phase_of = {s.id: s.phase for s in bundle.steps}
    for phase in bundle.phases:
        present = {c.level for c in bundle.challenges if phase_of.get(c.step) == phase.id}
        for level in Level:
            if level not in present:
                problems.append(f"phase {phase.id}: no {level.value} challenge")
    return problems
