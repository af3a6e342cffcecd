"""Content validation: every problem named with file, item id and field; the CLI's exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import BUNDLED_CONTENT_DIR, PROJECT_ROOT
from bot.content.loader import coverage_problems, load_content
from bot.core.errors import ContentError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BROKEN = FIXTURES / "content-broken"
MINI = FIXTURES / "content-mini"

# (file, item id, field, what the message says): one per mistake planted in the fixture.
EXPECTED_PROBLEMS = [
    ("challenges/bad-yaml.yaml", None, None, "not valid YAML: line 5, column 1"),
    ("challenges/problems.yaml", "broken-unknown-step", "step", "unknown step `no-such-step`"),
    ("challenges/problems.yaml", "sockets-01", "id", "duplicate id (2x)"),
    ("challenges/problems.yaml", "broken-empty-title", "title", "must not be empty"),
    ("tips/problems.yaml", "tip-broken-empty-text", "text", "must not be empty"),
    ("challenges/problems.yaml", "broken-unknown-key", "colour", "Extra inputs are not permitted"),
    ("challenges/problems.yaml", "broken-missing-field", "done_when", "Field required"),
]


def _matches(problem: str, file: str, item: str | None, field: str | None, says: str) -> bool:
    if file not in problem or says not in problem:
        return False
    if item is not None and not re.search(rf"id={re.escape(item)}\b", problem):
        return False
    return field is None or f"field `{field}`" in problem


def test_broken_content_reports_every_problem_with_file_item_and_field() -> None:
    with pytest.raises(ContentError) as caught:
        load_content(BROKEN)
    problems = caught.value.problems
    for expected in EXPECTED_PROBLEMS:
        assert any(_matches(p, *expected) for p in problems), (expected, problems)
    # Nothing else is reported: the valid files around the mistakes stay quiet.
    assert len(problems) == len(EXPECTED_PROBLEMS), problems


def test_fixture_without_mistakes_loads() -> None:
    bundle = load_content(MINI)
    assert bundle.summary() == "2 steps, 6 challenges, 4 tips, 2 projects"


def test_missing_directory_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        load_content(tmp_path / "nowhere")
    assert "content directory not found" in caught.value.report()


def test_shipped_content_meets_the_strict_coverage_rules() -> None:
    bundle = load_content(BUNDLED_CONTENT_DIR)
    assert coverage_problems(bundle) == []
    assert bundle.summary() == "16 steps, 192 challenges, 96 tips, 18 projects"


def test_strict_rules_catch_thin_content() -> None:
    problems = coverage_problems(load_content(MINI))
    assert "step sockets: 3 challenges (need 8)" in problems


@pytest.fixture(scope="module")
def cli_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """``python -m bot content check`` on three folders, run side by side (each ~1.5 s)."""
    commands = {
        "broken": [str(BROKEN)],
        "shipped": ["--strict"],
        "thin": [str(MINI), "--strict"],
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYBOT_")}
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", "bot", "content", "check", *args],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in commands.items()
    }
    results = {}
    for name, process in running.items():
        out, err = process.communicate(timeout=60)
        results[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return results


def test_cli_fails_on_broken_content_listing_every_problem(
    cli_runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    run = cli_runs["broken"]
    assert run.returncode == 1
    lines = run.stdout.strip().splitlines()
    for expected in EXPECTED_PROBLEMS:
        assert any(_matches(line, *expected) for line in lines), (expected, run.stdout)
    assert lines[-1] == f"content invalid: {len(EXPECTED_PROBLEMS)} problem(s) in {BROKEN}"
    assert "Traceback" not in run.stderr


def test_cli_passes_shipped_content_in_strict_mode(
    cli_runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    run = cli_runs["shipped"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1] == (
        "content ok: 16 steps, 192 challenges, 96 tips, 18 projects"
    )


def test_cli_strict_mode_fails_on_thin_content(
    cli_runs: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    run = cli_runs["thin"]
    assert run.returncode == 1
    assert "step tables: 3 challenges (need 8)" in run.stdout
    assert run.stdout.strip().splitlines()[-1].startswith("content invalid: ")
