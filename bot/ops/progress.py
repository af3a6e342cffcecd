"""Progress bars for long command-line work (copies, imports, exports).

Bars go to standard error so standard output stays clean for results and pipes; rich
draws nothing animated when standard error is not a terminal (CI logs, cron).
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)


def progress_bar(*, enabled: bool = True) -> Progress:
    """A rich progress display on stderr: description, bar, done/total, elapsed time."""
    return Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
        disable=not enabled,
    )
