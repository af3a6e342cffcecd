"""Packaging: bundled folders found from anywhere, --version, and the CI check's own logic.

The full build-install-run check is `.ci/package_check.py` (run by `.ci/run`); these tests
keep its comparison honest and cover what can be checked without building.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import pytest

from bot import __version__, resources
from bot.cli import main
from bot.db import migrate

ROOT = Path(__file__).resolve().parents[2]


def package_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("package_check", ROOT / ".ci/package_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert __version__ == version("studybot")
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"studybot {version('studybot')}"


def test_source_tree_finds_the_top_level_folders() -> None:
    assert resources.content_dir() == ROOT / "content"
    assert resources.migrations_dir() == ROOT / "migrations"


def test_alembic_needs_no_ini_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # Revisions are numbered by issue, not by order (0004 follows 0005), so the head is
    # one of the shipped files rather than the highest number; ids may be descriptive
    # (``0006_project_progress``), so they are read from the files.
    declared = re.compile(r"^revision: str = ['\"]([^'\"]+)['\"]", re.MULTILINE)
    shipped = {
        match.group(1)
        for path in (ROOT / "migrations" / "versions").glob("0*.py")
        if (match := declared.search(path.read_text(encoding="utf-8")))
    }
    assert migrate.head_revision() is not None
    assert migrate.head_revision() in shipped


def test_ci_runs_the_package_check_and_mypy_over_all_of_bot() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".ci/package_check.py" in ci and "-m mypy" in ci
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["files"] == ["bot"]
    assert config["tool"]["mypy"]["strict"] is True


def test_a_migration_missing_from_the_wheel_is_reported() -> None:
    check = package_check()
    files = {
        "content": ["content/tips/git.yaml"],
        "migrations": ["migrations/env.py", "migrations/versions/0002_x.py"],
    }
    wheel = ["bot/_bundled/content/tips/git.yaml", "bot/_bundled/migrations/env.py"]
    assert check.missing_from_wheel(wheel, files) == ["migrations/versions/0002_x.py"]
    assert (
        check.missing_from_wheel([*wheel, "bot/_bundled/migrations/versions/0002_x.py"], files)
        == []
    )


def test_tests_missing_from_the_sdist_are_reported() -> None:
    check = package_check()
    names = ["studybot-0.2.0", "studybot-0.2.0/content/projects.yaml"]
    assert check.missing_from_sdist(names, ["content/projects.yaml", "tests/conftest.py"]) == [
        "tests/conftest.py"
    ]


def test_every_repository_content_file_is_expected_in_the_wheel() -> None:
    check = package_check()
    on_disk = {p.relative_to(ROOT).as_posix() for p in (ROOT / "content").rglob("*.yaml")}
    assert on_disk and on_disk <= set(check.repo_files("content"))
