"""Pydantic schemas for the learning content under ``content/``.

The limits on text length are chosen so that every item renders within both platforms'
limits (Discord: embed title 256, description 4096, field value 1024, 25 fields; Slack:
3000 characters per section, 50 blocks) with room left for the renderer's own labels.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _not_blank(value: str) -> str:
    """Reject strings that are empty once whitespace is stripped."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=2, max_length=60)]
Title = Annotated[str, AfterValidator(_not_blank), StringConstraints(max_length=120)]
Line = Annotated[str, AfterValidator(_not_blank), StringConstraints(max_length=400)]
Paragraph = Annotated[str, AfterValidator(_not_blank), StringConstraints(max_length=900)]
LongText = Annotated[str, AfterValidator(_not_blank), StringConstraints(max_length=1500)]


class Level(StrEnum):
    """How far along a learner is; challenges and projects are tagged with one."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class ResourceKind(StrEnum):
    """What sort of thing a resource is, shown as a label next to its name."""

    COURSE = "course"
    BOOK = "book"
    DOCS = "docs"
    PLATFORM = "platform"
    TOOL = "tool"
    VIDEO = "video"
    ARTICLE = "article"
    COMMUNITY = "community"


class _Strict(BaseModel):
    """Base for content models: unknown keys are errors, so typos are caught at load."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(_Strict):
    """A named link to a public page."""

    title: Title
    url: HttpUrl


class Resource(_Strict):
    """A named learning resource (course, book, platform, tool...)."""

    name: Title
    kind: ResourceKind
    url: HttpUrl | None = None
    free: bool = True
    note: Line | None = None


class Phase(_Strict):
    """One phase of the 12-month plan."""

    id: Slug
    number: int = Field(ge=1, le=12)
    title: Title
    start_month: int = Field(ge=1, le=12)
    end_month: int = Field(ge=1, le=12)
    goal: Paragraph
    topics: list[Line] = Field(min_length=1, max_length=12)
    milestone: Paragraph
    milestone_project: Slug | None = None


class Step(_Strict):
    """One step of the roadmap, e.g. ``databases``."""

    id: Slug
    number: int = Field(ge=1, le=40)
    title: Title
    phase: Slug
    aliases: list[Annotated[str, StringConstraints(min_length=2, max_length=40)]] = []
    summary: Paragraph
    learn: list[Line] = Field(min_length=1, max_length=12)
    practice: list[Line] = Field(min_length=1, max_length=10)
    resources: list[Resource] = Field(min_length=1, max_length=10)
    checkpoint: Paragraph
    mistakes: list[Line] = Field(default=[], max_length=8)


class RoutineBlock(_Strict):
    """A block of time inside a daily routine."""

    minutes: int = Field(ge=5, le=240)
    activity: Line


class Routine(_Strict):
    """A daily practice routine for one level."""

    level: Level
    title: Title
    months: Title
    summary: Paragraph
    blocks: list[RoutineBlock] = Field(min_length=2, max_length=8)
    weekly: list[Line] = Field(default=[], max_length=6)


class Roadmap(_Strict):
    """The whole plan: phases, steps and daily routines (``content/roadmap/*.yaml``)."""

    phases: list[Phase]
    steps: list[Step]
    routines: list[Routine]


class Challenge(_Strict):
    """A daily challenge: something a learner can do in one sitting."""

    id: Slug
    step: Slug
    level: Level
    title: Title
    task: LongText
    done_when: Paragraph
    hints: list[Line] = Field(default=[], max_length=5)
    links: list[Link] = Field(default=[], max_length=4)
    minutes: int = Field(ge=5, le=240)


class Tip(_Strict):
    """A short resource tip tagged by roadmap step."""

    id: Slug
    step: Slug
    title: Title
    text: Paragraph
    link: Link | None = None


class Milestone(_Strict):
    """One ordered milestone of a project idea."""

    title: Title
    detail: Line


class Project(_Strict):
    """A real project idea with milestones."""

    id: Slug
    name: Title
    aliases: list[Annotated[str, StringConstraints(min_length=2, max_length=40)]] = []
    level: Level
    summary: Paragraph
    steps: list[Slug] = Field(min_length=1, max_length=10)
    milestones: list[Milestone] = Field(min_length=3, max_length=12)
    stretch: list[Line] = Field(min_length=1, max_length=8)
    stack: list[Line] = Field(min_length=1, max_length=8)


def normalise_name(text: str) -> str:
    """Fold a user-typed name for lookup: lower case, single spaces, no punctuation."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
