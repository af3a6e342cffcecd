"""Exactly-once celebrations, through the same posts ledger as scheduled posts.

An award is earned in the transaction of its check-in or repair, ``state='pending'``.
:func:`queue_batch` then, in ONE transaction, claims a new ledger row (kind
``celebration``, channel ``award:<first award id>``, unique per member and milestone) and
points every pending award of the same destination at it (``state='queued'``). Since the
row and the assignment commit together, each award belongs to exactly one ledger row;
the ledger then sends each row exactly once (claim, fenced writes, lease takeover by the
sweeper, the Discord nonce / Slack metadata on a re-send). So restarts, retries and
several instances never announce an award twice or skip one.

Batching is what a burst needs: an amnesty restoring 500 streaks leaves 500 pending
awards, and the first :func:`queue_batch` takes them all (up to :data:`BATCH_MAX`) into
one post.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.models import Destination, Platform
from bot.core.services import Services
from bot.db.models_recognition import Award
from bot.db.repositories import award_posts
from bot.db.repositories import posts_ledger as ledger
from bot.db.repositories.checkins import display_names
from bot.db.sessions import Session
from bot.features.awards.messages import MENTION_AT_MOST, Cheer, celebration_reply
from bot.features.awards.roles import RoleGrants
from bot.scheduling.config import load_schedule
from bot.scheduling.model import PostKey, PostKind, celebration_channel
from bot.scheduling.posting import Outcome, Poster, Prepared, PrepareFn, SkipPost

log = logging.getLogger(__name__)

#: The most awards one celebration post names (a larger burst makes several posts).
BATCH_MAX = 500


class _Raced(Exception):
    """Another instance queued some of the same awards first; try again."""


def _same_destination(first: Award, other: Award) -> bool:
    if (other.space_id, other.announce) != (first.space_id, first.announce):
        return False
    return first.announce != "member" or other.member_id == first.member_id


async def _home_space(session: Session, award: Award) -> int | None:
    if award.space_id is not None:
        return award.space_id
    return await award_posts.first_space(session, award.group_id)


async def queue_batch(
    session: Session,
    group_id: int,
    *,
    owner: str,
    now: Any,
    lease: Any,
    batch_max: int = BATCH_MAX,
) -> ledger.Claim | None:
    """Claim a ledger row for the next batch of pending awards and assign them to it.

    Returns the claim (deliver it after committing), or ``None`` when nothing is pending.

    Raises:
        _Raced: another instance assigned some of these awards meanwhile (roll back).
    """
    await award_posts.lock_for_batch(session)
    pending = await award_posts.pending(session, group_id, batch_max * 4)
    if not pending:
        return None
    first = pending[0]
    batch = [a for a in pending if _same_destination(first, a)][:batch_max]
    space_id = await _home_space(session, first)
    if space_id is None:
        # The group has no space left: nothing can ever be announced.
        await _set_state(session, batch, "silent", None)
        return None
    key = PostKey(space_id, celebration_channel(first.id), PostKind.CELEBRATION, first.earned_on)
    claim = await ledger.claim(session, key, owner=owner, now=now, lease=lease, scheduled_for=now)
    row_id = claim.row_id if claim is not None else await _existing_row(session, key)
    await _set_state(session, batch, "queued", row_id)
    return claim


async def _existing_row(session: Session, key: PostKey) -> int | None:
    row = await ledger.find(session, key)
    return None if row is None else row.id


async def _set_state(
    session: Session, batch: Sequence[Award], state: str, post_id: int | None
) -> None:
    ids = [a.id for a in batch]
    moved = await award_posts.assign(session, ids, state, post_id)
    if moved != len(ids):
        raise _Raced(f"{len(ids) - moved} of {len(ids)} awards were taken")


@dataclass
class Celebrations:
    """Queues pending awards into celebration posts and delivers them (see the module)."""

    poster: Poster
    roles: RoleGrants | None = None
    batch_max: int = BATCH_MAX

    async def run_group(self, group_id: int) -> list[Outcome]:
        """Grant pending role rewards, then announce everything pending, one post per batch."""
        if self.roles is not None:
            await self.roles.run_group(group_id)
        deps = self.poster.deps
        outcomes: list[Outcome] = []
        raced = 0
        while True:
            try:
                async with deps.sessions() as session, session.begin():
                    claim = await queue_batch(
                        session,
                        group_id,
                        owner=deps.owner,
                        now=deps.clock.now(),
                        lease=deps.lease,
                        batch_max=self.batch_max,
                    )
            except _Raced:
                raced += 1
                if raced > 5:
                    log.warning("celebrations of group %s: gave way to another instance", group_id)
                    return outcomes
                continue
            if claim is None:
                return outcomes
            outcomes.append(await self.resume(claim))

    async def start(self) -> None:
        """Nothing to start: the scheduler's catch-up and sweeper drive celebrations."""

    async def stop(self) -> None:
        """Nothing to stop: an unfinished post is a ledger claim another run takes over."""

    async def run_all(self) -> list[Outcome]:
        """Announce what is pending in every group (start-up catch-up and safety pass)."""
        if self.roles is not None:
            await self.roles.run_all()
        async with self.poster.deps.sessions() as session:
            wanted = await award_posts.groups_pending(session)
        outcomes: list[Outcome] = []
        for group_id in wanted:
            try:
                outcomes += await self.run_group(group_id)
            except Exception:
                log.exception("celebrations of group %s failed", group_id)
        return outcomes

    async def resume(self, claim: ledger.Claim) -> Outcome:
        """Deliver a claimed celebration row (a new one, or one taken over)."""
        return await self.poster.deliver(claim, self.prepare(claim), deadline=None, excuse=None)

    def prepare(self, claim: ledger.Claim) -> PrepareFn:
        """Build the post from the awards the row owns, for where they are announced."""

        async def prepare(session: Session) -> Prepared:
            awards = await award_posts.of_post(session, claim.row_id)
            if not awards:
                raise SkipPost("nothing left to celebrate (the members were removed)")
            space = await award_posts.space(session, claim.key.space_id)
            names = await display_names(session, {a.member_id for a in awards}, space.id)
            cheers = [
                Cheer(a.member_id, names.get(a.member_id, "someone"), a.milestone, a.note)
                for a in awards
            ]
            platform = Platform(space.platform)
            channel = await _channel(session, awards[0].group_id, space.id)
            metadata = {"post": claim.key.idempotency_key, "kind": PostKind.CELEBRATION.value}
            if awards[0].announce == "member":
                user = await _user_id(session, awards[0].member_id, space.id)
                if user is None:
                    raise SkipPost("the member has no account in this space")
                reply = celebration_reply(cheers, to_member=True)
                fallback = None
                if channel is not None:
                    fallback = Prepared(
                        Destination(platform, space.external_id, channel_id=channel),
                        _with(celebration_reply(cheers), metadata, (user,)),
                    )
                return Prepared(
                    Destination(platform, space.external_id, user_id=user),
                    reply,
                    fallback=fallback,
                )
            if channel is None:
                raise SkipPost("no channel to celebrate in: set one with /admin setup")
            users: tuple[str, ...] = ()
            members = {a.member_id for a in awards}
            if len(members) <= MENTION_AT_MOST:
                found = [await _user_id(session, m, space.id) for m in sorted(members)]
                users = tuple(u for u in found if u is not None)
            return Prepared(
                Destination(platform, space.external_id, channel_id=channel),
                _with(celebration_reply(cheers), metadata, users),
            )

        return prepare


def _with(reply: Any, metadata: dict[str, str], users: tuple[str, ...]) -> Any:
    from dataclasses import replace

    return replace(reply, metadata=metadata, mention_user_ids=users)


async def _channel(session: Session, group_id: int, space_id: int) -> str | None:
    """The space's channel for celebrations: where its daily challenge goes."""
    schedule = await load_schedule(session, group_id)
    if schedule is None:
        return None
    for space in schedule.spaces:
        if space.space_id == space_id:
            return space.channels.get(PostKind.CHALLENGE)
    return None


async def _user_id(session: Session, member_id: int, space_id: int) -> str | None:
    return await award_posts.user_id(session, member_id, space_id)


def celebrations_of(services: Services) -> Celebrations | None:
    """The app's celebrations service, once the composition root built it."""
    found = services.celebrations
    return found if isinstance(found, Celebrations) else None


async def celebrate_now(services: Services, group_id: int) -> None:
    """Announce the group's pending awards now, waiting for the posts.

    Failures are logged, never raised: the awards stay pending and the start-up catch-up
    or the periodic safety pass announces them later.
    """
    celebrations = celebrations_of(services)
    if celebrations is None:
        return
    try:
        await celebrations.run_group(group_id)
    except Exception:
        log.exception(
            "celebrating the awards of group %s failed; the safety pass retries", group_id
        )


def celebrate_later(services: Services, group_id: int) -> None:
    """Announce the group's pending awards in the background (after the earning commit).

    The command's answer does not wait for the celebration post. Without a scheduler
    (no celebrations service) there is nothing to do.
    """
    if celebrations_of(services) is None:
        return
    spawn = getattr(services.schedule, "spawn", None)
    if callable(spawn):
        spawn(celebrate_now(services, group_id))


async def celebrate_soon(services: Services, group_id: int) -> None:
    """:func:`celebrate_later` as an after-commit hook."""
    celebrate_later(services, group_id)
