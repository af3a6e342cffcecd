"""Where the bundled content and migrations live, found through :mod:`importlib.resources`.

An installed wheel carries them inside the package (``bot/_bundled/content`` and
``bot/_bundled/migrations``, see ``setup.py``); a source checkout or an editable install
has them as the top-level ``content/`` and ``migrations/`` folders beside ``bot/``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _bundled(name: str) -> Path:
    package = Path(str(files("bot")))
    packaged = package / "_bundled" / name
    if packaged.is_dir():
        return packaged
    # Source tree: the folder sits next to the package instead of inside it.
    return package.parent / name


def content_dir() -> Path:
    """The folder of the content that ships with studybot."""
    return _bundled("content")


def migrations_dir() -> Path:
    """The Alembic script folder (``env.py``, ``versions/``) that ships with studybot."""
    return _bundled("migrations")
