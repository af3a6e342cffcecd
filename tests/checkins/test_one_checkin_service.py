"""Check-ins and their figures are written through one service (issue 20).

Only :mod:`bot.features.checkins.checkin_service` (and the writer it owns) may call the
recording functions; every other path — ``/done``, repairs, amnesties, merges, imports —
goes through :class:`~bot.features.checkins.checkin_service.CheckinService`, so the choice
between the batching writer and an inline write is made in one place.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "bot"
RECORDING = "bot.features.checkins.recording"
WRITERS = {"record", "recompute", "set_hidden"}
ALLOWED = {
    ROOT / "features" / "checkins" / "checkin_service.py",
    ROOT / "features" / "checkins" / "writer.py",
    ROOT / "features" / "checkins" / "recording.py",
}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == RECORDING:
            found += [f"imports {a.name}" for a in node.names if a.name in WRITERS]
        elif isinstance(node, ast.ImportFrom) and node.module == "bot.features.checkins":
            found += ["imports the recording module" for a in node.names if a.name == "recording"]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in WRITERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "recording"
        ):
            found.append(f"calls recording.{node.attr}")
    return [f"{path.relative_to(ROOT.parent)}: {what}" for what in found]


def test_only_the_checkin_service_calls_the_recording_functions() -> None:
    problems = [
        v for path in sorted(ROOT.rglob("*.py")) if path not in ALLOWED for v in _violations(path)
    ]
    assert problems == []


def test_the_rule_catches_a_direct_call(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "from bot.features.checkins import recording\n"
        "async def f(db, ids, policy, now):\n"
        "    return await recording.recompute(db, ids, policy, now)\n",
        encoding="utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert len(_violations(sneaky)) == 2
    finally:
        ROOT = saved
