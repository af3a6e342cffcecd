"""The README's Quickstart is what CI runs: keep the two commands honest."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:sh|bash|shell)\n(.+?)\n```", section, flags=re.S)


def test_quickstart_has_exactly_two_commands() -> None:
    commands = _quickstart_commands()
    assert len(commands) == 2, commands
    assert "studybot run" in commands[0] or "-m bot run" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _quickstart_commands()[1].strip() in ci


def test_every_setting_is_documented_in_the_readme() -> None:
    from bot.config import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names = list(getattr(alias, "choices", [])) if alias else [f"STUDYBOT_{name.upper()}"]
        assert any(f"`{n}`" in readme for n in names), f"setting {name} ({names}) not in README"
