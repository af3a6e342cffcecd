"""Finished projects announced once in the group's challenge channel (``progress.announce``).

A ``/project milestone N done`` that finishes a project only writes the
``project_progress`` row (handlers never call a platform). The scheduler's sweep pass
(every 30 s, and at each catch-up) finds projects finished in the last
:data:`WINDOW_DAYS` days in groups that turned the setting on and posts each through the
post ledger like any scheduled post: claim first, only the claimant sends. The ledger key
is unique per project finish: kind ``project``, the local date it was finished, and as
"channel" the real channel id plus ``#`` and a short hash of (member, project) — so two
members finishing the same day are two posts, one member's finish is one post however
many instances sweep, and a takeover finds the real channel again before the ``#``.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from bot.core.models import Reply
from bot.db.repositories import announcements as announcements_repo
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import posts_history as history
from bot.db.repositories import posts_ledger as ledger
from bot.db.repositories import settings as settings_repo
from bot.db.sessions import Session
from bot.scheduling.config import GroupSchedule, Target, load_schedule
from bot.scheduling.model import PostKey, PostKind
from bot.scheduling.posting import Outcome, Poster, Prepared, PrepareFn

log = logging.getLogger(__name__)

SETTING = "progress.announce"
WINDOW_DAYS = 2
"""Finishes this many days old are still announced (a sweep missed during a restart)."""


def ledger_channel(channel_id: str, member_id: int, project_id: str) -> str:
    """The ledger's channel field for one member's finished project (at most 64 chars)."""
    digest = hashlib.sha256(f"{member_id}:{project_id}".encode()).hexdigest()[:12]
    return f"{channel_id[:48]}#{digest}"


def real_channel(ledger_channel_id: str) -> str:
    """The platform channel id of a ledger channel made by :func:`ledger_channel`."""
    return ledger_channel_id.rsplit("#", 1)[0]


def announcement(name: str, project_name: str, milestones: int) -> Reply:
    """The post: who finished which project."""
    return Reply(
        title="Project finished 🎉",
        text=(
            f"**{name}** finished the project **{project_name}**: all {milestones} "
            "milestones done. Want to build it too? `/project start "
            f"{project_name.lower()}`"
        ),
    )


class Announcements:
    """Posts finished projects through the ledger (see the module docstring)."""

    def __init__(self, poster: Poster) -> None:
        self.poster = poster

    async def run(self) -> list[Outcome]:
        """Announce every recent finish not announced yet; the outcomes of those tried."""
        deps = self.poster.deps
        now = deps.clock.now()
        since = now.date() - timedelta(days=WINDOW_DAYS)
        async with deps.sessions() as session:
            finished = await announcements_repo.finished_since(session, since)
            if not finished:
                return []
            posted = await history.keys_since(session, PostKind.PROJECT, since)
            schedules: dict[int, GroupSchedule | None] = {}
            for group_id in {row.group_id for row in finished}:
                wanted = (await settings_repo.load(session, group_id)).get(SETTING, False)
                schedules[group_id] = await load_schedule(session, group_id) if wanted else None
        outcomes = []
        running = deps.platforms()
        for finish in finished:
            schedule = schedules.get(finish.group_id)
            if schedule is None:
                continue
            for target in schedule.targets(PostKind.CHALLENGE):
                if target.platform not in running:
                    continue
                channel = ledger_channel(target.channel_id, finish.member_id, finish.project_id)
                if (target.space_id, channel, finish.finished_on) in posted:
                    continue
                key = PostKey(target.space_id, channel, PostKind.PROJECT, finish.finished_on)
                prepare = self._prepare(target, finish.member_id, finish.project_id)
                outcome = await self.poster.claim_and_deliver(
                    key, prepare, scheduled_for=now, deadline=None, excuse=None
                )
                log.info("project announcement %s: %s", key.describe(), outcome.value)
                outcomes.append(outcome)
        return outcomes

    def _prepare(self, target: Target, member_id: int, project_id: str) -> PrepareFn:
        content = self.poster.deps.content

        async def prepare(session: Session) -> Prepared:
            names = await checkins_repo.display_names(session, [member_id], target.space_id)
            project = content.project(project_id)
            name = project.name if project else project_id
            count = len(project.milestones) if project else 0
            reply = announcement(names.get(member_id, "A member"), name, count)
            return Prepared(target.destination(), reply, project_id)

        return prepare

    async def resume(self, claim: ledger.Claim, schedule: GroupSchedule) -> Outcome:
        """Finish an announcement taken over from an instance whose lease ran out."""
        key = claim.key
        space = next((s for s in schedule.spaces if s.space_id == key.space_id), None)
        if space is None:
            return Outcome.SKIPPED
        target = Target(
            space.space_id, space.platform, space.external_id, real_channel(key.channel_id)
        )
        async with self.poster.deps.sessions() as session:
            found = await _finisher(session, schedule.group_id, key)
        if found is None:
            return Outcome.SKIPPED
        member_id, project = found
        prepare = self._prepare(target, member_id, project)
        return await self.poster.deliver(claim, prepare, deadline=None, excuse=None)


async def _finisher(session: Session, group_id: int, key: PostKey) -> tuple[int, str] | None:
    """Whose finish a ledger key stands for (a takeover has only the key to go on)."""
    channel = real_channel(key.channel_id)
    for member_id, project_id in await announcements_repo.finishers_on(
        session, group_id, key.local_date
    ):
        if ledger_channel(channel, member_id, project_id) == key.channel_id:
            return member_id, project_id
    return None
