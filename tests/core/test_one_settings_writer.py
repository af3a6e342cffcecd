"""Group settings are changed in one place (issue 20).

:func:`bot.core.settings_change.change_settings` stores the values, audits them and says
whom to notify after commit; commands reach it through ``CommandContext.change_settings``
(or ``apply``), jobs call it directly. This test fails if any other module writes the
settings table: calls ``put`` of the settings repository, calls the port's
``store_settings``, or builds an ``INSERT``/``UPDATE``/``DELETE`` of ``Setting``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "bot"
SETTINGS_REPO = "bot.db.repositories.settings"
ALLOWED = {
    # The rows themselves, and the port's implementation that the one writer calls.
    Path("db/repositories/settings.py"),
    Path("db/repositories/command_store.py"),
    # The one writer.
    Path("core/settings_change.py"),
    # Linking and unlinking spaces move or copy a group's whole settings set to another
    # group (rows change owner, no value changes); the command audits and notifies both.
    Path("db/repositories/linking/groups.py"),
}


def _violations(path: Path, root: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    repo_names = {"settings_repo"}
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "bot.db.repositories":
            repo_names |= {a.asname or a.name for a in node.names if a.name == "settings"}
        if isinstance(node, ast.ImportFrom) and node.module == SETTINGS_REPO:
            found += [f"imports {a.name}" for a in node.names if a.name == "put"]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "put"
            and isinstance(func.value, ast.Name)
            and func.value.id in repo_names
        ):
            found.append(f"calls {func.value.id}.put")
        elif isinstance(func, ast.Attribute) and func.attr == "store_settings":
            found.append("calls store_settings")
        elif isinstance(func, ast.Name) and func.id == "Setting":
            found.append("builds a Setting row")
        elif (
            isinstance(func, ast.Name)
            and func.id in {"insert", "update", "delete", "upsert", "insert_or_ignore"}
            and any(isinstance(a, ast.Name) and a.id == "Setting" for a in node.args)
        ):
            found.append(f"{func.id}(Setting)")
    return [f"{path.relative_to(root)}: {what}" for what in found]


def test_only_the_settings_service_writes_settings() -> None:
    problems = [
        v
        for path in sorted(ROOT.rglob("*.py"))
        if path.relative_to(ROOT) not in ALLOWED
        for v in _violations(path, ROOT)
    ]
    assert problems == []


def test_the_rule_catches_direct_writes(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "from bot.db.repositories import settings\n"
        "from sqlalchemy import update\n"
        "from bot.db.models import Setting\n"
        "async def f(session, now):\n"
        "    await settings.put(session, 1, 'timezone', 'UTC', now)\n"
        "    await session.execute(update(Setting).values(value=1))\n"
        "    session.add(Setting(group_id=1))\n",
        encoding="utf-8",
    )
    assert len(_violations(sneaky, tmp_path)) == 3
