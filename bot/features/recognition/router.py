"""The recognition feature's one router, shared by its command modules."""

from __future__ import annotations

from bot.core.commands import Router

router = Router()
