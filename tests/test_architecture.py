"""The import contract in ``pyproject.toml`` holds (run with import-linter's ``lint-imports``).

The README's test command runs this, so the layers of ``docs/architecture.md`` are checked
on every test run, not only in CI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> str:
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports is missing: install the dev extra (pip install -e '.[dev]')")
    return found


def test_the_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [_lint_imports(), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contracts_name_the_layers_of_the_architecture() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    by_type = {c["type"]: c for c in contracts}
    layers = by_type["layers"]["layers"]
    # Outermost first: the composition root above the adapters, the core at the bottom.
    order = [
        next(i for i, layer in enumerate(layers) if name in layer)
        for name in (
            "bot.cli",
            "bot.app",
            "bot.adapters",
            "bot.features",
            "bot.scheduling",
            "bot.streaks",
            "bot.core",
        )
    ]
    assert order == sorted(order) and len(set(order)) == len(order)
    forbidden = [c for c in contracts if c["type"] == "forbidden"]
    platforms = next(c for c in forbidden if "discord" in c["forbidden_modules"])
    assert {"discord", "slack_bolt", "bot.adapters", "bot.app"} <= set(
        platforms["forbidden_modules"]
    )
    assert {"bot.core", "bot.features", "bot.scheduling", "bot.streaks", "bot.content"} <= set(
        platforms["source_modules"]
    )
    assert by_type["acyclic_siblings"]["ancestors"] == ["bot.*"]


def test_the_scheduler_the_features_and_ops_run_no_sql_of_their_own() -> None:
    """All SQL lives in ``bot.db``: neither ``bot.scheduling``, ``bot.features`` nor
    ``bot.ops`` may import SQLAlchemy directly, nor run a statement on a session or
    connection."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    sql = [
        c for c in contracts if c["type"] == "forbidden" and "sqlalchemy" in c["forbidden_modules"]
    ]
    assert sorted(s for c in sql for s in c["source_modules"]) == [
        "bot.features",
        "bot.ops",
        "bot.scheduling",
    ]
    # Direct imports only: the repositories they call do use SQLAlchemy.
    assert all(c["allow_indirect_imports"] is True for c in sql)
    # What import-linter cannot see: a statement run on a session handed in as a parameter.
    markers = ("sqlalchemy", ".execute(", "exec_driver_sql", ".scalars(")
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("scheduling", "features", "ops")
        for path in (ROOT / "bot" / package).rglob("*.py")
        if any(marker in path.read_text(encoding="utf-8") for marker in markers)
    ]
    assert offenders == []


def test_one_dialect_helper_builds_the_inserts() -> None:
    """Only ``bot/db/upsert.py`` picks SQLite's or PostgreSQL's ``INSERT`` (import-linter
    sees external packages only as a whole, so this is a scan, not a contract)."""
    helper = ROOT / "bot" / "db" / "upsert.py"
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot").rglob("*.py")
        if path != helper and "sqlalchemy.dialects" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
