"""Migration 0009 (per-step done-challenge counts) upgrades a 0008 database with data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bot.config import BUNDLED_CONTENT_DIR
from bot.content.store import ContentStore
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.repositories import progress_challenges
from bot.progress.challenge_steps import challenge_steps


async def _tables(engine: object) -> set[str]:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        rows = await conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        return {r[0] for r in rows}


async def test_upgrade_from_0008_counts_old_challenges_on_first_read_and_downgrades(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await migrate.upgrade(engine, "0008_inbox")
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO groups (id, name, created_at) VALUES (1, 'g', '2026-03-01')")
            )
            await conn.execute(
                text(
                    "INSERT INTO members (id, group_id, display_name, hidden, reminders, "
                    "created_at) VALUES (7, 1, 'ann', 0, 0, '2026-03-01')"
                )
            )
            for challenge in ("web-basics-01", "web-basics-02", "git-02"):
                await conn.execute(
                    text(
                        "INSERT INTO challenge_done (member_id, challenge_id, group_id, "
                        "done_on) VALUES (7, :c, 1, '2026-03-02')"
                    ),
                    {"c": challenge},
                )
        await migrate.upgrade(engine, "0009_progress_summary")
        assert await migrate.current_revision(engine) == "0009_progress_summary"
        assert "step_challenges" in await _tables(engine)
        steps = challenge_steps(ContentStore.from_dir(BUNDLED_CONTENT_DIR).bundle.challenges)
        async with create_session_factory(engine)() as session:
            # Challenges done before 0009: not counted yet, so the reader recounts the group.
            assert await progress_challenges.read(session, 1, 7, steps.fingerprint) is None
            await progress_challenges.rebuild(session, 1, steps)
            counted = await progress_challenges.read(session, 1, 7, steps.fingerprint)
            assert counted == {"web-basics": 2, "git": 1}
            await session.commit()
        await migrate.downgrade(engine, "0008_inbox")
        assert "step_challenges" not in await _tables(engine)
        async with engine.connect() as conn:
            kept = (await conn.execute(text("SELECT count(*) FROM challenge_done"))).scalar_one()
            markers = (
                await conn.execute(
                    text("SELECT count(*) FROM progress_counts WHERE kind = 'challenges'")
                )
            ).scalar_one()
        assert (kept, markers) == (3, 0)
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
    finally:
        await engine.dispose()
