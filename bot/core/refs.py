"""Frozen references to who and where a command runs: what handlers read, never ORM rows.

The dispatcher resolves an invocation's space and actor (through the core's
:class:`~bot.core.uow.UnitOfWork` port) and hands the handler these values in its
:class:`~bot.core.context.CommandContext`. They are snapshots: changing a member or a
group is an explicit repository call by id (``bot.db.repositories.members``), which
returns a fresh reference, never an attribute write that a session flush picks up.

:class:`~bot.core.models.SpaceRef` is the *address* an adapter reads off an event (platform
and external id); :class:`StoredSpace` is that space as the database knows it (its id and
its group).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GroupRef:
    """A study group: one settings set, one rotation, one leaderboard."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class StoredSpace:
    """A Discord guild, Slack workspace or console session, as stored, with its group."""

    id: int
    group_id: int
    platform: str
    external_id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class MemberRef:
    """A person in a group, whichever platforms they use, with their own preferences."""

    id: int
    group_id: int
    display_name: str
    timezone: str | None = None
    hidden: bool = False
    reminders: bool = False


@dataclass(frozen=True, slots=True)
class IdentityRef:
    """One platform account in one space, and the member it belongs to."""

    id: int
    member_id: int
    space_id: int
    platform_user_id: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class Membership:
    """What an invocation resolves to: its group, space, member and identity."""

    group: GroupRef
    space: StoredSpace
    member: MemberRef
    identity: IdentityRef
