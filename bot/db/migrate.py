"""Apply Alembic migrations from code (``studybot db upgrade`` and start-up)."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.resources import migrations_dir

MIGRATIONS_DIR = migrations_dir()


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config built in code, pointing at the bundled migrations.

    No ``alembic.ini`` is read, so this works from any directory after a wheel install;
    the repository's ``alembic.ini`` is only for developers running ``alembic`` itself.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` on one of its connections."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Downgrade the database behind ``engine`` to ``revision``."""
    async with engine.begin() as connection:
        await connection.run_sync(_run, "downgrade", revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str | None:
    """The newest revision in ``migrations/versions``."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def is_up_to_date(engine: AsyncEngine) -> bool:
    """Whether the database is at the head revision."""
    return await current_revision(engine) == head_revision()


def _run(connection: Connection, action: str, revision: str) -> None:
    config = alembic_config()
    # env.py migrates on this connection instead of opening its own (Alembic cookbook).
    config.attributes["connection"] = connection
    if action == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)


def upgrade_sync(engine: AsyncEngine) -> None:
    """Blocking wrapper for scripts that are not async."""
    asyncio.run(upgrade(engine))
