"""User-facing features, discovered from this package.

Each module may define:

- ``router``: a :class:`~bot.core.commands.Router` of commands, button actions, completers;
- ``SETTINGS``: per-group :class:`~bot.core.settings_specs.SettingSpec` values it reads;
- ``install(app)``: a hook that adds long-lived components (the scheduler, the HTTP
  server) to the app before it starts;
- ``ORDER``: where its commands appear in ``/help`` (lower first; default 100).

Discovery keeps features independent: adding one is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from bot.core.commands import Router
from bot.core.settings_specs import CORE_SETTINGS, SettingSpec


def feature_modules() -> list[ModuleType]:
    """Every module and subpackage of ``bot.features``, ordered by ``ORDER`` then name."""
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]
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
