"""Small text formatters shared by the reply builders (labels, lists, dates, durations)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.content.schema import Link, Phase, Resource, Step


def bullets(lines: Iterable[str]) -> list[str]:
    """``- `` list items, one per line."""
    return [f"- {line}" for line in lines]


def numbered(lines: Iterable[str]) -> list[str]:
    """``1. `` list items, one per line."""
    return [f"{index}. {line}" for index, line in enumerate(lines, start=1)]


def link_line(link: Link) -> str:
    """A link as a plain ``title: url`` line.

    Plain URLs are turned into links by Discord and Slack alike and stay readable in a
    terminal; Markdown links are not (Slack writes them ``<url|title>``).
    """
    return f"{link.title}: {link.url}"


def resource_line(resource: Resource) -> str:
    """A resource as ``- **Name** (kind, paid): url``, with its note on the next line."""
    labels = resource.kind.value + ("" if resource.free else ", paid")
    line = f"- **{resource.name}** ({labels})"
    if resource.url is not None:
        line += f": {resource.url}"
    if resource.note:
        line += f"\n  {resource.note}"
    return line


def months(phase: Phase) -> str:
    """``month 3`` or ``months 3–4``."""
    if phase.start_month == phase.end_month:
        return f"month {phase.start_month}"
    return f"months {phase.start_month}–{phase.end_month}"


def step_label(step: Step) -> str:
    """``Step 5 · Databases``."""
    return f"Step {step.number} · {step.title}"


def duration(minutes: int) -> str:
    """``~30 min`` or ``~1 h 50 min``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"~{rest} min"
    return f"~{hours} h" + (f" {rest} min" if rest else "")


def day_label(day: date) -> str:
    """``Monday 2 March`` (no leading zero, locale-independent)."""
    return f"{day:%A} {day.day} {day:%B}"
