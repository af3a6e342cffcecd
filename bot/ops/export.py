"""``studybot export``: everything about one group, as JSON or as a zip of CSV files.

The export reads from one transaction (a consistent snapshot while the bot runs) and
writes to a temporary file renamed at the end, so an interrupted export never leaves a
file that looks complete.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from rich.progress import Progress

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Group
from bot.db.repositories import export_sections
from bot.db.sessions import Session
from bot.ops.export_writers import ExportWriter, JsonWriter, ZipCsvWriter
from bot.ops.groups import find_group

Format = Literal["json", "csv"]
FORMAT_NAME = "studybot-export"
FORMAT_VERSION = 1


@dataclass
class ExportSummary:
    """What was exported.

    Attributes:
        path: The file written, or ``None`` for standard output.
        group_id: The group's id.
        group_name: The group's name.
        counts: Rows per section.
    """

    path: Path | None
    group_id: int
    group_name: str
    counts: dict[str, int] = field(default_factory=dict)


def default_path(group: Group, fmt: Format, now: datetime) -> Path:
    """``studybot-export-<id>-<date>.json`` or ``.zip`` in the working folder."""
    suffix = "json" if fmt == "json" else "zip"
    return Path(f"studybot-export-{group.id}-{now:%Y%m%d}.{suffix}")


async def export_group(
    database_url: str,
    group_ref: str,
    fmt: Format,
    output: str | None,
    now: datetime,
    *,
    progress: Progress | None = None,
) -> ExportSummary:
    """Export one group to ``output`` (a path, ``-`` for stdout with JSON, or default).

    Raises:
        bot.ops.groups.GroupNotFound: If ``group_ref`` matches no single group.
        ValueError: If CSV is asked for on standard output.
    """
    if output == "-" and fmt == "csv":
        raise ValueError("CSV exports are a zip file; give --output PATH (or use --format json)")
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            group = await find_group(session, group_ref)
            path = None if output == "-" else Path(output or default_path(group, fmt, now))
            summary = ExportSummary(path, group.id, group.name)
            if path is None:
                await _export_json(session, group, now, sys.stdout, summary, progress)
                return summary
            partial = path.with_name(f".{path.name}.partial")
            try:
                if fmt == "json":
                    with partial.open("w", encoding="utf-8") as stream:
                        await _export_json(session, group, now, stream, summary, progress)
                else:
                    with ZipCsvWriter(partial) as writer:
                        await _write_sections(session, group.id, writer, summary, progress)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
            return summary
    finally:
        await engine.dispose()


async def _export_json(
    session: Session,
    group: Group,
    now: datetime,
    stream: Any,
    summary: ExportSummary,
    progress: Progress | None,
) -> None:
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": now,
        "group": {"id": group.id, "name": group.name, "created_at": group.created_at},
    }
    writer = JsonWriter(stream, header)
    # In JSON a member carries their identities; the CSV zip has identities.csv instead.
    identities: dict[int, list[dict[str, Any]]] = defaultdict(list)
    section = _section("identities")
    async for batch in export_sections.rows(session, section, group.id):
        for row in batch:
            identities[row.pop("member_id")].append(row)
    await _write_sections(
        session, group.id, writer, summary, progress, skip={"identities"}, identities=identities
    )
    # Nested under members, but still counted (after them): the summary lists what the
    # file holds, as the CSV zip's identities.csv is counted.
    nested = sum(len(rows) for rows in identities.values())
    counts = list(summary.counts.items())
    at = next((i + 1 for i, (name, _) in enumerate(counts) if name == "members"), len(counts))
    summary.counts = dict([*counts[:at], ("identities", nested), *counts[at:]])
    writer.close()


async def _write_sections(
    session: Session,
    group_id: int,
    writer: ExportWriter,
    summary: ExportSummary,
    progress: Progress | None,
    *,
    skip: frozenset[str] | set[str] = frozenset(),
    identities: dict[int, list[dict[str, Any]]] | None = None,
) -> None:
    for section in export_sections.SECTIONS:
        if section.name in skip:
            continue
        total = await export_sections.count(session, section, group_id)
        task = progress.add_task(section.name, total=total) if progress is not None else None
        columns = list(section.query(group_id).selected_columns.keys())
        nest = identities is not None and section.name == "members"
        writer.begin(section.name, [*columns, "identities"] if nest else columns)
        written = 0
        async for batch in export_sections.rows(session, section, group_id):
            if nest and identities is not None:
                for row in batch:
                    row["identities"] = identities.get(row["id"], [])
            writer.write(batch)
            written += len(batch)
            if progress is not None and task is not None:
                progress.advance(task, len(batch))
        writer.end()
        summary.counts[section.name] = written


def _section(name: str) -> export_sections.Section:
    return next(s for s in export_sections.SECTIONS if s.name == name)
