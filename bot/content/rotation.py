"""The daily rotation: a stable, no-repeat choice of challenge and tip per group and day.

Each group walks its own shuffled order of its track's pool (seeded by group, kind, track
and cycle, so groups see different orders). Nothing repeats inside a cycle; once every
item of the pool has been drawn in the current cycle, a new cycle starts. The choice is
recorded in the ``rotation`` table (one row per group, kind and local date) with
``INSERT … ON CONFLICT DO NOTHING`` and read back, so asking twice, or asking from two
places at once, gives the same item.

The storage is a port: :class:`RotationLog` (implemented over SQL by
:class:`bot.db.repositories.rotation.RotationRepository`), so this module holds only the
rotation rules and imports nothing from ``bot.db``.

Content may change between draws: ids that no longer exist are ignored (and a day whose
item was removed gets a new one), and a changed track draws from the new pool from the
next day on; the item already chosen for a day stays.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol, TypeVar

from bot.content.schema import Challenge, Tip
from bot.content.store import ContentStore
from bot.core.errors import UserError

ItemT = TypeVar("ItemT", Challenge, Tip)

CHALLENGE = "challenge"
TIP = "tip"


@dataclass(frozen=True)
class Drawn:
    """The item a group got on one date, and the rotation cycle it belongs to."""

    item_id: str
    cycle: int


@dataclass(frozen=True)
class CycleState:
    """Where a group's rotation of one kind stands.

    Attributes:
        cycle: The current cycle number (0 before the first draw).
        used: Item ids already drawn in that cycle.
        last: The most recently dated item id (kept out of the first draw of a new cycle).
    """

    cycle: int
    used: frozenset[str]
    last: str | None


class RotationLog(Protocol):
    """Where draws are recorded: one item per (group, kind, local date), claimed once."""

    async def get(self, group_id: int, kind: str, day: date) -> Drawn | None:
        """The item drawn for ``day``, if any."""
        ...

    async def cycle_state(self, group_id: int, kind: str) -> CycleState:
        """The current cycle and the item ids used in it."""
        ...

    async def claim(
        self, *, group_id: int, kind: str, day: date, item_id: str, cycle: int, now: datetime
    ) -> Drawn:
        """Record ``item_id`` for ``day`` unless a row exists already; return the winner."""
        ...

    async def replace_item(
        self, *, group_id: int, kind: str, day: date, old_item_id: str, item_id: str, cycle: int
    ) -> Drawn:
        """Swap a day's vanished item for another (compare-and-set); return the winner."""
        ...


class NothingToDraw(UserError):
    """The content has no item of the kind asked for (custom content without tips)."""


def shuffled(pool_ids: Sequence[str], seed: str) -> list[str]:
    """``pool_ids`` in a pseudo-random order that depends only on the ids and ``seed``.

    Sorting first makes the order independent of file order; the seed is hashed with
    SHA-256 because Python's own ``hash`` of a string changes from run to run.
    """
    order = sorted(set(pool_ids))
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(order)
    return order


def next_item(pool_ids: Sequence[str], state: CycleState, seed: str) -> tuple[str, int]:
    """Choose the next item and its cycle (pure: the same inputs give the same answer).

    Args:
        pool_ids: The ids the group may get today (its track's pool; must not be empty).
        state: The group's current cycle and what it has already drawn in it.
        seed: Distinguishes groups, kinds and tracks (the cycle number is added here).

    Returns:
        The first id of this cycle's order not drawn yet; when the pool is exhausted, the
        first of the next cycle's order (avoiding the item drawn just before).
    """
    if not pool_ids:
        raise ValueError("the pool is empty")
    order = shuffled(pool_ids, f"{seed}|{state.cycle}")
    for item_id in order:
        if item_id not in state.used:
            return item_id, state.cycle
    cycle = state.cycle + 1
    order = shuffled(pool_ids, f"{seed}|{cycle}")
    if len(order) > 1 and order[0] == state.last:
        return order[1], cycle
    return order[0], cycle


async def draw(
    log: RotationLog,
    *,
    group_id: int,
    kind: str,
    day: date,
    track: str,
    pool_ids: Sequence[str],
    exists: Callable[[str], bool],
    now: datetime | None = None,
) -> str:
    """The item id of ``kind`` for ``group_id`` on ``day``, drawing and recording it once.

    Args:
        log: Where draws are recorded (in the caller's transaction).
        group_id: The group.
        kind: ``"challenge"`` or ``"tip"`` (any short label works).
        day: The group's local date.
        track: Part of the shuffle seed, so each track has its own order.
        pool_ids: The ids to draw from.
        exists: Whether an id is still in the content (older rows may name removed items).
        now: The creation time stored on a new row (default: the current time).
    """
    known = await log.get(group_id, kind, day)
    if known is not None and exists(known.item_id):
        return known.item_id
    state = await log.cycle_state(group_id, kind)
    item_id, cycle = next_item(pool_ids, state, f"{group_id}|{kind}|{track}")
    if known is None:
        drawn = await log.claim(
            group_id=group_id,
            kind=kind,
            day=day,
            item_id=item_id,
            cycle=cycle,
            now=now or datetime.now(UTC),
        )
    else:
        drawn = await log.replace_item(
            group_id=group_id,
            kind=kind,
            day=day,
            old_item_id=known.item_id,
            item_id=item_id,
            cycle=cycle,
        )
    # Another writer may have won with an id from content this process no longer has
    # (a reload in between); today's answer must still be something we can show.
    return drawn.item_id if exists(drawn.item_id) else item_id


async def _draw_item(
    log: RotationLog,
    kind: str,
    pool: Sequence[ItemT],
    lookup: Callable[[str], ItemT | None],
    *,
    group_id: int,
    day: date,
    track: str,
    now: datetime | None,
    empty: str,
) -> ItemT:
    """Draw from ``pool`` (stable per group and day) and return the content item."""
    if not pool:
        raise NothingToDraw(empty)
    item_id = await draw(
        log,
        group_id=group_id,
        kind=kind,
        day=day,
        track=track,
        pool_ids=[item.id for item in pool],
        exists=lambda i: lookup(i) is not None,
        now=now,
    )
    item = lookup(item_id)
    assert item is not None  # draw() only returns ids that exist
    return item


async def challenge_for(
    log: RotationLog,
    store: ContentStore,
    group_id: int,
    day: date,
    track: str,
    *,
    now: datetime | None = None,
) -> Challenge:
    """The group's challenge for its local date ``day`` on ``track`` (stable, no repeats).

    An unknown or empty track pool falls back to every challenge.
    """
    pool = store.challenges_for_track(track) or list(store.bundle.challenges)
    return await _draw_item(
        log,
        CHALLENGE,
        pool,
        store.challenge,
        group_id=group_id,
        day=day,
        track=track,
        now=now,
        empty="There are no challenges in the content yet.",
    )


async def tip_for(
    log: RotationLog,
    store: ContentStore,
    group_id: int,
    day: date,
    track: str,
    *,
    now: datetime | None = None,
) -> Tip:
    """The group's tip for ``day``: from its phase's steps on a phase track, else any tip.

    Raises:
        NothingToDraw: The content has no tips at all.
    """
    pool = store.tips_for_track(track) or list(store.bundle.tips)
    return await _draw_item(
        log,
        TIP,
        pool,
        store.tip,
        group_id=group_id,
        day=day,
        track=track,
        now=now,
        empty="There are no tips in the content yet.",
    )
