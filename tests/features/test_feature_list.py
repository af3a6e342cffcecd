"""Features are listed explicitly in ``bot.features.FEATURES``; none is left out."""

from __future__ import annotations

import importlib
import pkgutil

import bot.features
from bot.core.commands import Router
from bot.features import FEATURES, all_routers, feature_modules


def _has_feature_parts(name: str) -> bool:
    module = importlib.import_module(f"bot.features.{name}")
    return isinstance(getattr(module, "router", None), Router) or hasattr(module, "SETTINGS")


def test_every_module_with_commands_or_settings_is_listed() -> None:
    found = {
        info.name
        for info in pkgutil.iter_modules(bot.features.__path__)
        if not info.name.startswith("_") and _has_feature_parts(info.name)
    }
    missing = found - set(FEATURES)
    assert not missing, f"add {sorted(missing)} to FEATURES in bot/features/__init__.py"
    assert set(FEATURES) <= found, "FEATURES names a module without a router or settings"


def test_no_feature_touches_the_app() -> None:
    for module in feature_modules():
        assert not hasattr(module, "install"), f"{module.__name__} has an install(app) hook"


def test_routers_follow_the_help_order() -> None:
    orders = [getattr(m, "ORDER", 100) for m in feature_modules()]
    assert orders == sorted(orders)
    assert len(all_routers()) == sum(
        isinstance(getattr(m, "router", None), Router) for m in feature_modules()
    )
