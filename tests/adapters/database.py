"""Reading the bot's database from an adapter test, as an operator would."""

from __future__ import annotations

from sqlalchemy import text

from bot.config import Settings
from bot.db.engine import create_engine


async def rows(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    """Rows of ``sql`` on the test database (a separate engine from the running bot's)."""
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()
