"""Can SQLite's work in aiosqlite's thread overlap Python on the event loop's thread?

Issue 17 asks for 20,000 check-ins/s on two cores. The check-in writer's two threads
(the event loop computing figures, aiosqlite's thread running SQLite) take turns, so the
rate is bounded by the *sum* of their times; a pipelined writer (SQLite writes batch N
while the loop computes batch N+1) would be bounded by the larger one. This measures
whether CPython lets that happen with the two ways of writing many rows in one call:

- ``executemany`` (what the writer uses): every row binds its values with the GIL held,
  releases it for ``sqlite3_step`` and must take it back. Beside a thread that is busy
  running Python, each take-back waits for the switch interval (5 ms by default).
- one statement over a JSON array (``UPDATE … FROM json_each(?)``): one bind, one
  ``sqlite3_step`` that does every row in C without the GIL.

Each way updates 500 random rows of a 40,000-row table with six indexes (like
``member_stats``) per transaction, 40 transactions, first alone, then beside a thread
that spins in Python. Pure sqlite3, no project code: the figure is about the runtime.

Run: ``.venv/bin/python benchmarks/sqlite_gil_overlap.py`` (about 10 s without overlap
slowdowns; the executemany-beside-Python case takes a minute or more).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

COLUMNS = [f"c{i}" for i in range(16)]
ROWS = 40_000
BATCH = 500
UPDATE = f"UPDATE s SET {', '.join(c + ' = ?' for c in COLUMNS)} WHERE id = ?"
UPDATE_JSON = (
    f"UPDATE s SET ({', '.join(COLUMNS)}) = "
    f"({', '.join(f'j.value ->> {k}' for k in range(len(COLUMNS)))}) "
    f"FROM json_each(?) AS j WHERE s.id = j.value ->> {len(COLUMNS)}"
)


def _database(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"CREATE TABLE s (id INTEGER PRIMARY KEY, g INT, {', '.join(COLUMNS)})")
    for i in range(6):
        db.execute(f"CREATE INDEX ix{i} ON s (g, c{i}, c10, id)")
    db.execute("BEGIN")
    width = len(COLUMNS) + 2
    db.executemany(
        f"INSERT INTO s VALUES ({', '.join('?' * width)})",
        [(i, 1, *[0] * len(COLUMNS)) for i in range(ROWS)],
    )
    db.execute("COMMIT")
    return db


def _batches(rng: random.Random, count: int) -> list[list[tuple[int, ...]]]:
    return [
        [(*[rng.randint(1, 9)] * len(COLUMNS), row) for row in rng.sample(range(ROWS), BATCH)]
        for _ in range(count)
    ]


def _spin_until(done: threading.Event) -> None:
    """Pure Python work, as the event loop does while it computes a batch's figures."""
    total = 0
    while not done.is_set():
        total += sum(range(50))


def _timed(
    write: Callable[[list[tuple[int, ...]]], None], batches: list[list[tuple[int, ...]]], busy: bool
) -> float:
    """Milliseconds per batch, with or without a busy Python thread beside the writes."""
    done = threading.Event()
    spinner = threading.Thread(target=_spin_until, args=(done,))
    result: list[float] = []

    def run() -> None:
        started = time.perf_counter()
        for batch in batches:
            write(batch)
        result.append((time.perf_counter() - started) / len(batches) * 1000)

    writer = threading.Thread(target=run)
    if busy:
        spinner.start()
    writer.start()
    writer.join()
    done.set()
    if busy:
        spinner.join()
    return result[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="studybot-gil-") as folder:
        db = _database(Path(folder) / "overlap.db")

        def many(batch: list[tuple[int, ...]]) -> None:
            db.execute("BEGIN")
            db.executemany(UPDATE, batch)
            db.execute("COMMIT")

        def one_json(batch: list[tuple[int, ...]]) -> None:
            db.execute("BEGIN")
            db.execute(UPDATE_JSON, (json.dumps(batch),))
            db.execute("COMMIT")

        figures = {}
        for name, write in (("executemany", many), ("json_each", one_json)):
            alone = _timed(write, _batches(rng, args.batches), busy=False)
            beside = _timed(write, _batches(rng, args.batches), busy=True)
            figures[name] = (alone, beside)
            print(
                f"{name}: {alone:.1f} ms per {BATCH}-row transaction alone, "
                f"{beside:.1f} ms beside a busy Python thread ({beside / alone:.1f}x)"
            )
        db.close()
    many_alone, many_beside = figures["executemany"]
    json_alone, json_beside = figures["json_each"]
    print(
        f"gil overlap: executemany {many_beside / many_alone:.1f}x slower beside Python, "
        f"json_each {json_beside / json_alone:.1f}x; json_each alone "
        f"{json_alone / many_alone:.2f}x executemany; python {sys.version.split()[0]}, "
        f"sqlite {sqlite3.sqlite_version}, switch interval {sys.getswitchinterval() * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
