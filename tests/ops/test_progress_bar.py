"""The command-line progress bars leave the elapsed time out for empty tables (issue 19)."""

from __future__ import annotations

from bot.ops.progress import ElapsedUnlessEmpty, progress_bar


def test_elapsed_time_only_for_tables_with_rows() -> None:
    progress = progress_bar(enabled=False)
    progress.add_task("audit_log", total=0)
    progress.add_task("checkins", total=5)
    empty, busy = progress.tasks
    column = ElapsedUnlessEmpty()
    assert column.render(empty).plain == ""
    assert column.render(busy).plain in ("-:--:--", "0:00:00")  # just started
    assert any(isinstance(c, ElapsedUnlessEmpty) for c in progress.columns)
