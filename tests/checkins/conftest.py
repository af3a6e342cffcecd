"""Fixtures of the check-in tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.engine import create_engine


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on this test's migrated SQLite file."""
    engine = create_engine(sqlite_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on this test's own migrated PostgreSQL database."""
    engine = create_engine(postgres_url)
    await migrate.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()
