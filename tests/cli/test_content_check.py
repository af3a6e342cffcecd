"""``studybot content check`` reads STUDYBOT_CONTENT_DIR like ``run``, and refuses a folder
that is not a content folder instead of validating every YAML file below it (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import clean_env, studybot

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "content-mini"


def test_check_reads_the_content_dir_setting(tmp_path: Path) -> None:
    run = studybot(
        tmp_path, "content", "check", env=clean_env(tmp_path, STUDYBOT_CONTENT_DIR=str(MINI))
    )
    assert run.code == 0, run.both
    assert run.out.strip() == "content ok: 2 steps, 6 challenges, 4 tips, 2 projects"


def test_check_refuses_a_folder_that_is_not_content(tmp_path: Path) -> None:
    stray = tmp_path / "somewhere"
    (stray / "deep").mkdir(parents=True)
    (stray / "deep" / "compose.yaml").write_text("services: {}\n")
    (stray / "notes.yaml").write_text("todo: [a, b]\n")
    run = studybot(tmp_path, "content", "check", str(stray))
    assert run.code == 1
    lines = run.out.strip().splitlines()
    assert len(lines) == 1 and "is not a content folder" in lines[0], run.out
    missing = studybot(tmp_path, "content", "check", str(tmp_path / "nope"))
    assert missing.code == 1 and "is not a folder" in missing.out


def test_a_few_files_with_content_keys_count_as_content(tmp_path: Path) -> None:
    folder = tmp_path / "flat"
    folder.mkdir()
    (folder / "everything.yaml").write_text("tips: []\n")
    run = studybot(tmp_path, "content", "check", str(folder))
    assert "is not a content folder" not in run.out  # checked (and found wanting), not refused
