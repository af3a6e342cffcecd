"""Builders for each adapter by name, imported lazily so unused SDKs are never loaded.

Each adapter package provides ``factory.create(kit) -> Adapter``, where ``kit`` is the
:class:`~bot.adapters.kit.AdapterKit` the composition root builds.
"""

from __future__ import annotations

import importlib

from bot.adapters.kit import AdapterFactory

ADAPTER_MODULES = {
    "console": "bot.adapters.console.factory",
    "discord": "bot.adapters.discord.factory",
    "slack": "bot.adapters.slack.factory",
}


def factories_for(names: list[str]) -> list[AdapterFactory]:
    """Factories for the named adapters; unknown or unavailable ones raise a clear error."""
    factories: list[AdapterFactory] = []
    for name in names:
        module_name = ADAPTER_MODULES.get(name)
        if module_name is None:
            raise RuntimeError(f"unknown adapter {name!r}")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise RuntimeError(f"the {name} adapter is not available: {exc}") from exc
        factories.append(module.create)
    return factories
