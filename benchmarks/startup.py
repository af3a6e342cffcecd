"""Start to ready: ``studybot run`` until ``/readyz`` answers 200.

Each run starts the real ``studybot`` executable of this virtualenv as a new process (the
console adapter, so no tokens are needed, with its standard input held open so it keeps
running), with 500 content items (the bundled content plus generated challenges) and a SQLite
database that the first, untimed run created; so each timed start checks the migrations
against an up-to-date schema, loads and validates the content, and opens the HTTP server.
The clock runs from just before the process is spawned to the first 200 from ``/readyz``;
the CPU time the process used by then is printed too (on a busy machine the wall time
includes waiting for a core, the CPU time does not).

Run: ``.venv/bin/python benchmarks/startup.py [--runs 5] [--items 500]``.
The last line is the summary, e.g. ``startup: median=1.10s min=1.02s max=1.31s runs=5 ...``.
A fresh database (migrations applied from nothing) is timed once and printed separately.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.resources import content_dir

EXECUTABLE = Path(sys.executable).with_name("studybot")
TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def count_items(folder: Path) -> int:
    """Steps, challenges, tips and projects in a content folder."""
    total = 0
    for path in folder.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("steps", "challenges", "tips", "projects"):
            total += len(data.get(key) or [])
    return total


def build_content(target: Path, items: int) -> int:
    """Copy the bundled content to ``target`` and add challenges until it has ``items``."""
    shutil.copytree(content_dir(), target)
    have = count_items(target)
    extra = [
        {
            "id": f"bench-{n:04d}",
            "step": "git",
            "level": "beginner",
            "title": f"Benchmark practice round {n}",
            "task": "Make one small commit that does one thing, with a clear message.",
            "done_when": "`git log --oneline` shows the new commit with an imperative message.",
            "hints": ["Stage only what belongs to the change with `git add -p`."],
            "minutes": 15,
        }
        for n in range(max(items - have, 0))
    ]
    if extra:
        (target / "challenges" / "bench-extra.yaml").write_text(
            yaml.safe_dump({"challenges": extra}, sort_keys=False), encoding="utf-8"
        )
    return count_items(target)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_once(env: dict[str, str], port: int) -> tuple[float, float]:
    """Wall seconds from spawning ``studybot run`` to the first 200 from ``/readyz``, and the
    CPU seconds the process used by then (what the start costs, whatever else is running)."""
    url = f"http://127.0.0.1:{port}/readyz"
    began = time.perf_counter()
    process = subprocess.Popen(
        [str(EXECUTABLE), "run", "--adapter", "console"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while time.perf_counter() - began < TIMEOUT:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise SystemExit(f"studybot exited with {process.returncode}:\n{error}")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - began, cpu_seconds(process.pid)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.005)  # polling a child process: nothing to inject a clock into
        raise SystemExit(f"/readyz did not answer 200 within {TIMEOUT:.0f} s")
    finally:
        if process.stdin:
            process.stdin.close()  # end of input: the console stops like a piped session
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    """Time ``--runs`` starts against an up-to-date database and print the summary line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--items", type=int, default=500)
    args = parser.parse_args()
    if not EXECUTABLE.exists():
        raise SystemExit(f"{EXECUTABLE} not found: install the project into this venv first")
    with tempfile.TemporaryDirectory(prefix="studybot-startup-") as tmp:
        root = Path(tmp)
        items = build_content(root / "content", args.items)
        port = free_port()
        env = {
            **os.environ,
            "STUDYBOT_DATA_DIR": str(root / "data"),
            "STUDYBOT_CONTENT_DIR": str(root / "content"),
            "STUDYBOT_HTTP_PORT": str(port),
            "STUDYBOT_HTTP_HOST": "127.0.0.1",
        }
        env.pop("DATABASE_URL", None)
        fresh, fresh_cpu = start_once(env, port)
        print(
            f"first start (creates and migrates a new database): {fresh:.2f}s "
            f"(cpu {fresh_cpu:.2f}s)"
        )
        runs = [start_once(env, port) for _ in range(args.runs)]
        for n, (seconds, cpu) in enumerate(runs, 1):
            print(f"run {n}: {seconds:.2f}s (cpu {cpu:.2f}s)")
        times = [wall for wall, _ in runs]
        cpus = [cpu for _, cpu in runs]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"startup: median={statistics.median(times):.2f}s min={min(times):.2f}s "
        f"max={max(times):.2f}s cpu median={statistics.median(cpus):.2f}s runs={len(times)} "
        f"items={items} (target median <= 2 s; "
        f"load average {load} on {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
