"""User-facing features, listed explicitly in :data:`FEATURES`.

Each module may define:

- ``router``: a :class:`~bot.core.commands.Router` of commands, button actions, completers;
- ``SETTINGS``: per-group :class:`~bot.core.settings_specs.SettingSpec` values it reads;
- ``ORDER``: where its commands appear in ``/help`` (lower first; default 100).

Long-lived services a feature needs (the check-in writer, the scheduler) are built by the
composition root, ``bot/app.py``, and handed in through
:class:`~bot.core.services.Services`; no feature module touches the app. Adding a feature
is adding its module to :data:`FEATURES` (a test fails for a module left out).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from bot.core.commands import Router
from bot.core.settings_specs import CORE_SETTINGS, SettingSpec

#: Every feature module or package under ``bot.features``, by its name there.
FEATURES: tuple[str, ...] = (
    "admin_settings",
    "cards",
    "challenges",
    "checkins",
    "content_admin",
    "dashboard",
    "help",
    "linking",
    "projects",
    "roadmap",
    "schedule",
)


def feature_modules() -> list[ModuleType]:
    """The modules of :data:`FEATURES`, ordered by ``ORDER`` then name."""
    modules = [importlib.import_module(f"{__name__}.{name}") for name in FEATURES]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def all_routers() -> list[Router]:
    """Every feature router, in the order commands appear in ``/help``."""
    return [m.router for m in feature_modules() if isinstance(getattr(m, "router", None), Router)]


def all_setting_specs() -> dict[str, SettingSpec]:
    """Every per-group setting, core ones first, by key."""
    specs: list[SettingSpec] = list(CORE_SETTINGS)
    for module in feature_modules():
        specs.extend(getattr(module, "SETTINGS", ()))
    keys = [s.key for s in specs]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ValueError(f"settings defined twice: {sorted(duplicates)}")
    return {spec.key: spec for spec in specs}
