#!/usr/bin/env python3
"""Packaging check: the wheel built from this tree installs and runs with no source around.

Builds the sdist and the wheel with ``python -m build`` (the wheel from the sdist, so the
sdist must be complete enough to build), compares both archives against the repository's
files (a content file or migration missing from the wheel fails), installs the wheel into
a fresh virtual environment and, from an empty temporary directory, runs
``studybot --version``, ``content check``, ``db upgrade`` on a new SQLite file and a
three-line scripted console session. Any failure, or a "Traceback" in any output, fails.

Usage: ``.venv/bin/python .ci/package_check.py`` (the interpreter needs ``build``, which
the ``dev`` extra installs). ``.ci/run`` calls it after the test suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Repository folder -> where it sits inside the wheel (see setup.py).
BUNDLED = {"content": "bot/_bundled/content", "migrations": "bot/_bundled/migrations"}
#: What the sdist must hold besides the package, so its tests can run.
SDIST_TREES = ("tests", "content", "migrations")
SDIST_FILES = ("README.md", "LICENSE", "CHANGELOG.md", "alembic.ini", "pyproject.toml")
SESSION = ("/roadmap databases", "/challenge", "/done read the chapter on indexes")


class CheckFailed(Exception):
    """One check did not pass; the message says which and why."""


def repo_files(folder: str) -> list[str]:
    """Files under ``folder`` that belong to the project: tracked by git, else on disk."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--", folder],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = []
    if not listed:  # an unpacked sdist has no .git
        listed = [
            path.relative_to(ROOT).as_posix()
            for path in sorted((ROOT / folder).rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        ]
    # Deleted-but-not-committed files are not expected in the archives.
    return [name for name in listed if (ROOT / name).is_file()]


def missing_from_wheel(wheel_names: Iterable[str], files: dict[str, list[str]]) -> list[str]:
    """Repository files (``{folder: [paths]}``) that the wheel does not contain."""
    present = set(wheel_names)
    missing = []
    for folder, paths in files.items():
        inside = BUNDLED.get(folder, folder)
        for path in paths:
            if inside + path[len(folder) :] not in present:
                missing.append(path)
    return missing


def missing_from_sdist(sdist_names: Iterable[str], expected: Iterable[str]) -> list[str]:
    """Repository paths that the sdist (names with their ``NAME-VERSION/`` prefix) lacks."""
    present = {name.split("/", 1)[1] for name in sdist_names if "/" in name}
    return [path for path in expected if path not in present]


def run(cmd: list[str], *, cwd: Path, env: dict[str, str], stdin: str | None = None) -> str:
    """Run ``cmd``; fail on a non-zero exit or a traceback. Returns its standard output."""
    done = subprocess.run(
        cmd, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=600
    )
    shown = " ".join(cmd[-3:])
    if done.returncode != 0:
        raise CheckFailed(f"{shown}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
    if "Traceback" in done.stdout + done.stderr:
        raise CheckFailed(f"{shown}: printed a traceback\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build(outdir: Path) -> tuple[Path, Path]:
    """Build the sdist and, from it, the wheel; returns their paths."""
    env = dict(os.environ)
    run([sys.executable, "-m", "build", "--outdir", str(outdir), str(ROOT)], cwd=ROOT, env=env)
    (sdist,) = outdir.glob("*.tar.gz")
    (wheel,) = outdir.glob("*.whl")
    return sdist, wheel


def check_archives(sdist: Path, wheel: Path) -> None:
    """Every content file and migration in the wheel; tests, content and more in the sdist."""
    with zipfile.ZipFile(wheel) as archive:
        wheel_names = archive.namelist()
    bundled = {folder: repo_files(folder) for folder in BUNDLED}
    package = {"bot": [p for p in repo_files("bot") if p.endswith((".py", "py.typed"))]}
    if not bundled["content"] or not bundled["migrations"]:
        raise CheckFailed("found no content/ or migrations/ files in the repository")
    if missing := missing_from_wheel(wheel_names, bundled | package):
        raise CheckFailed("missing from the wheel:\n  " + "\n  ".join(missing))
    with tarfile.open(sdist) as archive:
        sdist_names = archive.getnames()
    expected = [path for tree in SDIST_TREES for path in repo_files(tree)] + list(SDIST_FILES)
    if missing := missing_from_sdist(sdist_names, expected):
        raise CheckFailed("missing from the sdist:\n  " + "\n  ".join(missing))
    print(f"archives ok: wheel {len(wheel_names)} files, sdist {len(sdist_names)} entries")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without studybot settings, so only the installed defaults apply."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STUDYBOT_", "PYTHON", "VIRTUAL_ENV"))
        and key not in {"DATABASE_URL", "DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}
    }
    return env | extra


def check_installed(wheel: Path, scratch: Path) -> None:
    """Install the wheel in a fresh venv and run the commands from an empty folder."""
    venv = scratch / "venv"
    work = scratch / "work"
    work.mkdir()
    env = clean_env()
    run([sys.executable, "-m", "venv", str(venv)], cwd=work, env=env)
    python, studybot = str(venv / "bin" / "python"), str(venv / "bin" / "studybot")
    run([python, "-m", "pip", "install", "-q", str(wheel)], cwd=work, env=env)

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    shown = run([studybot, "--version"], cwd=work, env=env).strip()
    if shown != f"studybot {version}":
        raise CheckFailed(f"studybot --version printed {shown!r}, expected {version}")
    # The bundled card fonts are package data: a card renders from the installed wheel.
    run(
        [
            python,
            "-c",
            "from bot.cards.progress import render_progress as r, ProgressCard as C;"
            " assert r(C('x', ())).startswith(b'\\x89PNG')",
        ],
        cwd=work,
        env=env,
    )
    where = run(
        [python, "-c", "import bot.resources as r; print(r.content_dir(), r.migrations_dir())"],
        cwd=work,
        env=env,
    )
    if any(not Path(p).is_relative_to(venv) for p in where.split()):
        raise CheckFailed(f"bundled folders resolved outside the venv: {where}")

    print(run([studybot, "content", "check", "--strict"], cwd=work, env=env).strip())
    db_env = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{(work / 'new.db').as_posix()}")
    print(run([studybot, "db", "upgrade"], cwd=work, env=db_env).strip())
    current = run([studybot, "db", "current"], cwd=work, env=db_env)
    if "current: None" in current or not (work / "new.db").is_file():
        raise CheckFailed(f"db upgrade left no migrated database: {current}")

    session_env = clean_env(STUDYBOT_DATA_DIR=str(work / "data"))
    out = run(
        [studybot, "run", "--simulated-clock", "2026-03-02T07:00Z"],
        cwd=work,
        env=session_env,
        stdin="".join(line + "\n" for line in SESSION),
    )
    for line in SESSION:
        if f"> {line}" not in out:
            raise CheckFailed(f"the console session did not run {line!r}:\n{out}")
    print(f"console session ok: {len(SESSION)} commands, {len(out.splitlines())} lines of output")


def main() -> int:
    """Run every check; exit 1 with the reason on the first failure."""
    with tempfile.TemporaryDirectory(prefix="studybot-package-") as tmp:
        scratch = Path(tmp)
        try:
            sdist, wheel = build(scratch / "dist")
            print(f"built {sdist.name} and {wheel.name}")
            check_archives(sdist, wheel)
            check_installed(wheel, scratch)
        except CheckFailed as exc:
            print(f"package check FAILED: {exc}", file=sys.stderr)
            return 1
    print("package check ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
