"""The check-in service: the one way check-ins and their figures are written.

``/done`` and the Done button record through :meth:`CheckinService.record`; moderator
repairs, amnesties, merged accounts and imports replay through
:meth:`CheckinService.recompute`; the leaderboard opt-out goes through
:meth:`CheckinService.set_hidden`. All of them run the same code in
:mod:`~bot.features.checkins.recording`, so every path keeps the figures exact.

Whether a check-in goes through the batching :class:`~bot.features.checkins.writer.CheckinWriter`
(group commit, its own transaction) or is written inline in the command's transaction is
decided here and only here. The composition root builds the service with a writer (and the
writer's own engine); the CLI and tests may build one without, which writes inline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.core.errors import UserError
from bot.core.services import Services
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories.checkins import Executor
from bot.db.sessions import Session
from bot.features.awards.earn import Cause
from bot.features.checkins import recording
from bot.features.checkins.figures import Change
from bot.features.checkins.recording import CheckinRequest, CheckinResult
from bot.features.checkins.writer import CheckinWriter, WriterClosed
from bot.streaks import StreakPolicy

RESTARTING = (
    "I'm restarting right now, so your check-in was not recorded. "
    "Please try `/done` again in a minute."
)


class CheckinService:
    """Records check-ins (batched when it is safe) and replays members' figures.

    Args:
        writer: The batching writer; ``None`` writes every check-in inline.
    """

    def __init__(self, writer: CheckinWriter | None = None) -> None:
        self.writer = writer

    async def start(self) -> None:
        """Start the writer, if any (a component of the app)."""
        if self.writer is not None:
            await self.writer.start()

    async def stop(self) -> None:
        """Stop the writer, committing what is queued."""
        if self.writer is not None:
            await self.writer.stop()

    async def record(
        self, session: Session, request: CheckinRequest, now: datetime
    ) -> CheckinResult:
        """Record one check-in and return what became of it.

        Through the writer when it runs and this transaction has not written yet: the writer
        commits in its own transaction, so if this one already holds writes (a member created
        on first contact, a renamed identity, today's challenge drawn) the writer would wait
        on its locks or not see the new member. Then the check-in is written here, in this
        transaction, by the same code.

        Raises:
            UserError: The writer is shutting down (the member is asked to try again).
        """
        writer = self.writer
        if writer is not None and writer.running and not await checkins_repo.has_written(session):
            try:
                return await writer.submit(request)
            except WriterClosed:
                raise UserError(RESTARTING) from None
        return (await recording.record(session, [request], now))[0]

    async def recompute(
        self,
        db: Executor,
        member_ids: Iterable[int],
        policy: StreakPolicy,
        now: datetime,
        *,
        cause: Cause | None = None,
    ) -> dict[int, Change]:
        """Replay members' figures from their rows (see :func:`recording.recompute`)."""
        return await recording.recompute(db, member_ids, policy, now, cause=cause)

    async def set_hidden(self, db: Executor, member_id: int, hidden: bool, now: datetime) -> None:
        """Show or hide a member on the boards (see :func:`recording.set_hidden`)."""
        await recording.set_hidden(db, member_id, hidden, now)


_INLINE = CheckinService()


def checkins_of(services: Services) -> CheckinService:
    """The app's check-in service (an inline one where the app built none: CLI, tests)."""
    found = services.checkins
    return found if isinstance(found, CheckinService) else _INLINE
