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
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text


class ElapsedUnlessEmpty(ProgressColumn):
    """Elapsed time, left blank for an empty table (``0/0 0:00:00`` only adds noise)."""

    def __init__(self) -> None:
        super().__init__()
        self._elapsed = TimeElapsedColumn()

    def render(self, task: Task) -> Text:
        """The elapsed time, or nothing when there was nothing to do."""
        if task.total == 0:
            return Text("")
        return self._elapsed.render(task)


def progress_bar(*, enabled: bool = True) -> Progress:
    """A rich progress display on stderr: description, bar, done/total, elapsed time."""
    return Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        ElapsedUnlessEmpty(),
        console=Console(stderr=True),
        transient=False,
        disable=not enabled,
    )
