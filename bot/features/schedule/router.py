"""The router every schedule command module registers on (one router for the feature)."""

from __future__ import annotations

from bot.core.commands import Router

router = Router()
