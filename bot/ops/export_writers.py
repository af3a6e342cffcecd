"""Writers for ``studybot export``: one JSON document, or a zip of CSV files.

Both stream section by section, so a large group never has to fit in memory. JSON keeps
types (numbers, booleans, nested JSON values, ISO dates); CSV cells are text: empty for
none, ``true``/``false``, ISO 8601 dates and times, JSON for nested values.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

Row = dict[str, Any]


def to_json(value: Any) -> str:
    """``value`` as JSON, with dates and times (at any depth) as ISO 8601 text."""
    return json.dumps(value, ensure_ascii=False, default=_iso)


def _iso(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")


def cell(value: Any) -> str:
    """A CSV cell for ``value``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class ExportWriter(Protocol):
    """What the exporter needs from a format."""

    def begin(self, name: str, columns: list[str]) -> None:
        """Start a section with these column names."""

    def write(self, rows: list[Row]) -> None:
        """Write some rows of the current section."""

    def end(self) -> None:
        """Finish the current section."""


class JsonWriter:
    """``{"format": ..., "group": {...}, "<section>": [row, ...], ...}``, one row per line."""

    def __init__(self, stream: IO[str], header: Row) -> None:
        self._out = stream
        self._first_row = True
        self._out.write(to_json(header)[:-1])  # keep the object open for the sections

    def begin(self, name: str, columns: list[str]) -> None:
        """Open the section's array."""
        self._out.write(f",\n{json.dumps(name)}: [")
        self._first_row = True

    def write(self, rows: list[Row]) -> None:
        """Append rows to the array."""
        for row in rows:
            separator = "\n" if self._first_row else ",\n"
            self._first_row = False
            self._out.write(separator + to_json(row))

    def end(self) -> None:
        """Close the array."""
        self._out.write("\n]" if not self._first_row else "]")

    def close(self) -> None:
        """Close the document."""
        self._out.write("\n}\n")


class ZipCsvWriter:
    """A zip file with one ``<section>.csv`` per section (UTF-8, header row first)."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self._binary: IO[bytes] | None = None
        self._text: io.TextIOWrapper | None = None
        self._csv: Any = None
        self._columns: list[str] = []

    def begin(self, name: str, columns: list[str]) -> None:
        """Start ``<name>.csv`` with its header row."""
        self._binary = self._zip.open(f"{name}.csv", "w")
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text)
        self._columns = columns
        self._csv.writerow(columns)

    def write(self, rows: list[Row]) -> None:
        """Append rows in the header's column order."""
        self._csv.writerows([cell(row.get(c)) for c in self._columns] for row in rows)

    def end(self) -> None:
        """Finish the current CSV file."""
        if self._text is not None:
            self._text.close()  # closes the zip member too
        self._text = self._binary = None

    def close(self) -> None:
        """Finish the zip file."""
        self._zip.close()

    def __enter__(self) -> ZipCsvWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.end()
        self.close()
