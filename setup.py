"""Build configuration that pyproject.toml cannot express: bundling top-level folders.

The repository keeps ``content/`` and ``migrations/`` at the top level (the layout the
design fixes), but an installed bot must carry them. ``package_dir`` maps each folder to
a subpackage, so the wheel holds ``bot/_bundled/content/…`` and
``bot/_bundled/migrations/…`` and :mod:`bot.resources` finds them with
:mod:`importlib.resources`. Which files go in is MANIFEST.in's ``graft`` (package data
is included from it); everything else is in ``pyproject.toml``.
"""

from setuptools import find_namespace_packages, find_packages, setup

BUNDLED = {"bot._bundled.content": "content", "bot._bundled.migrations": "migrations"}


def bundled_packages() -> list[str]:
    """Each bundled folder and its subfolders, as (data-only) package names."""
    names = []
    for package, folder in BUNDLED.items():
        subfolders = find_namespace_packages(where=folder, exclude=["*__pycache__*"])
        names += [package, *(f"{package}.{sub}" for sub in subfolders)]
    return names


setup(
    packages=[*find_packages(include=["bot", "bot.*"]), *bundled_packages()],
    package_dir=BUNDLED,
    package_data={
        "bot": ["py.typed"],
        "bot.web.dashboard": ["templates/*.html", "static/*"],
        "bot.cards": ["fonts/*.ttf", "fonts/*.txt"],
    },
)
