"""The linking feature's router (its commands register on it from their modules)."""

from __future__ import annotations

from bot.core.commands import Router

router = Router()
