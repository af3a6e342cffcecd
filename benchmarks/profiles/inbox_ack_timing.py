"""Where a Slack ack's time goes: ``benchmarks/slack_ack.py --command /done``, instrumented.

Wraps :meth:`InboxStore.accept` (how long each ack waits for its entry to be committed) and
:meth:`InboxStore._commit` (each group commit: its duration, what it carried, the SQLite lock
retries so far), then runs the benchmark's bot side (200 concurrent signed ``/done``).

    .venv/bin/python benchmarks/profiles/inbox_ack_timing.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import slack_ack  # noqa: E402

from bot.db import inbox_store  # noqa: E402

waits: list[float] = []
commits: list[tuple[float, tuple[int, int, int, int]]] = []
accept, commit = inbox_store.InboxStore.accept, inbox_store.InboxStore._commit


async def timed_accept(self: inbox_store.InboxStore, entry: Any) -> bool:
    started = time.perf_counter()
    try:
        return await accept(self, entry)
    finally:
        waits.append(time.perf_counter() - started)


async def timed_commit(self: inbox_store.InboxStore, batch: Any, marks: Any, claims: Any) -> None:
    started = time.perf_counter()
    try:
        await commit(self, batch, marks, claims)
    finally:
        sizes = (len(batch), len(marks), len(claims), self.lock_retries)
        commits.append((time.perf_counter() - started, sizes))


inbox_store.InboxStore.accept = timed_accept  # type: ignore[method-assign]
inbox_store.InboxStore._commit = timed_commit  # type: ignore[method-assign]
print(asyncio.run(slack_ack.bot_side(200, "/done", 10)))
ms = sorted(x * 1000 for x in waits[10:])
print(f"inbox accept wait: n={len(ms)} p50={ms[len(ms) // 2]:.0f}ms p99={ms[-2]:.0f}ms")
print("commits (ms, (accepts, answered marks, claims, lock retries so far)):")
print([(round(seconds * 1000), sizes) for seconds, sizes in commits[:40]])
