"""Validate content YAML files against the schema, one file at a time (a writer's aid).

Usage: python tools/validate_content_files.py content/challenges/*.yaml
The full loader (cross references, counts) is `studybot content check`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from bot.content.schema import Challenge, Phase, Project, Routine, Step, Tip

KINDS = {
    "phases": Phase,
    "steps": Step,
    "routines": Routine,
    "challenges": Challenge,
    "tips": Tip,
    "projects": Project,
}

errors = 0
for name in sys.argv[1:]:
    data = yaml.safe_load(Path(name).read_text(encoding="utf-8"))
    for key, items in data.items():
        model = KINDS[key]
        for i, item in enumerate(items):
            try:
                TypeAdapter(model).validate_python(item)
            except ValidationError as exc:
                errors += 1
                print(f"{name}: {key}[{i}] id={item.get('id', item.get('level'))}: {exc}")
        print(f"{name}: {len(items)} {key}")
sys.exit(1 if errors else 0)
