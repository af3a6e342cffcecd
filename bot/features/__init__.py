"""User-facing features; each module exposes a ``router`` of command and action specs."""

from __future__ import annotations

from bot.core.commands import Router
from bot.core.settings_specs import CORE_SETTINGS, SettingSpec


def all_routers() -> list[Router]:
    """Every feature router, in the order commands appear in ``/help``."""
    from bot.features import admin_settings, help

    return [help.router, admin_settings.router]


def all_setting_specs() -> dict[str, SettingSpec]:
    """Every per-group setting, core ones first, by key."""
    specs: list[SettingSpec] = list(CORE_SETTINGS)
    return {spec.key: spec for spec in specs}
