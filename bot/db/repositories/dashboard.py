"""The dashboard's stored state: the signing key, used sign-in links and sessions."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from bot.db.models_dashboard import DashboardKey, DashboardSession, DashboardUsedToken
from bot.db.repositories.checkins import Executor, upsert

KEY_NAME = "signin"


async def signing_key(db: Executor, now: datetime) -> str:
    """The stored signing key, made on first use (every instance then shares it)."""
    table = DashboardKey.__table__
    await db.execute(
        upsert(db, table)  # type: ignore[arg-type]
        .values(name=KEY_NAME, secret=secrets.token_urlsafe(48), created_at=now)
        .on_conflict_do_nothing()
    )
    found = await db.execute(select(DashboardKey.secret).where(DashboardKey.name == KEY_NAME))
    return str(found.scalar_one())


async def use_token(
    db: Executor, token_id: str, group_id: int, member_id: int, now: datetime
) -> bool:
    """Mark a sign-in link used; ``False`` when it already was (here or on another instance)."""
    table = DashboardUsedToken.__table__
    result = await db.execute(
        upsert(db, table)  # type: ignore[arg-type]
        .values(token_id=token_id, group_id=group_id, member_id=member_id, used_at=now)
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def create_session(
    db: Executor,
    *,
    id_hash: str,
    group_id: int,
    member_id: int,
    platform: str,
    space_external_id: str,
    actor: dict[str, Any],
    csrf: str,
    now: datetime,
) -> None:
    """Store a new signed-in session."""
    await db.execute(
        DashboardSession.__table__.insert().values(  # type: ignore[attr-defined]
            id_hash=id_hash,
            group_id=group_id,
            member_id=member_id,
            platform=platform,
            space_external_id=space_external_id,
            actor=actor,
            csrf=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )


async def load_session(db: Executor, id_hash: str) -> DashboardSession | None:
    """The session with this cookie hash, if any."""
    found = await db.execute(select(DashboardSession).where(DashboardSession.id_hash == id_hash))
    return found.scalars().first()


async def touch_session(db: Executor, id_hash: str, now: datetime) -> None:
    """Record activity (the idle expiry counts from here)."""
    await db.execute(
        update(DashboardSession).where(DashboardSession.id_hash == id_hash).values(last_seen_at=now)
    )


async def prune(db: Executor, sessions_idle_before: datetime, tokens_used_before: datetime) -> None:
    """Drop expired sessions, and used-link records older than any valid link."""
    await db.execute(
        delete(DashboardSession).where(DashboardSession.last_seen_at < sessions_idle_before)
    )
    await db.execute(
        delete(DashboardUsedToken).where(DashboardUsedToken.used_at < tokens_used_before)
    )


async def end_session(db: Executor, id_hash: str) -> None:
    """Sign out (or drop an expired session)."""
    await db.execute(delete(DashboardSession).where(DashboardSession.id_hash == id_hash))
