"""Groups, spaces, members and identities: who is who, created on first contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import Actor, SpaceRef
from bot.core.refs import GroupRef, MemberRef, Membership, StoredSpace
from bot.db.models import Group, Identity, Member, Space
from bot.db.refs import group_ref, identity_ref, member_ref, space_ref
from bot.db.upsert import insert_or_ignore


async def get_or_create_space(session: AsyncSession, ref: SpaceRef, now: datetime) -> Space:
    """Find the space for ``ref``, creating it (and its own group) on first contact."""
    query = select(Space).where(
        Space.platform == ref.platform.value, Space.external_id == ref.external_id
    )
    space = (await session.execute(query)).scalar_one_or_none()
    if space is not None:
        return space
    group = Group(name=ref.name or f"{ref.platform.value} {ref.external_id}", created_at=now)
    session.add(group)
    await session.flush()
    values = {
        "group_id": group.id,
        "platform": ref.platform.value,
        "external_id": ref.external_id,
        "name": ref.name,
        "created_at": now,
    }
    if not await insert_or_ignore(session, Space, values, ["platform", "external_id"]):
        # Another request created the space at the same moment; use theirs.
        await session.delete(group)
    return (await session.execute(query)).scalar_one()


async def get_or_create_member(
    session: AsyncSession, space: Space, actor: Actor, now: datetime
) -> tuple[Member, Identity]:
    """Find the member behind ``actor`` in ``space``, creating them on first contact."""
    query = (
        select(Identity, Member)
        .join(Member, Member.id == Identity.member_id)
        .where(Identity.space_id == space.id, Identity.platform_user_id == actor.user_id)
    )
    row = (await session.execute(query)).first()
    if row is not None:
        identity, member = row
        if actor.display_name and identity.display_name != actor.display_name:
            identity.display_name = actor.display_name
        return member, identity
    member = Member(
        group_id=space.group_id,
        display_name=actor.display_name or actor.user_id,
        timezone=None,
        hidden=False,
        reminders=False,
        created_at=now,
    )
    session.add(member)
    await session.flush()
    values = {
        "member_id": member.id,
        "space_id": space.id,
        "platform_user_id": actor.user_id,
        "display_name": actor.display_name,
        "created_at": now,
    }
    if not await insert_or_ignore(session, Identity, values, ["space_id", "platform_user_id"]):
        await session.delete(member)  # a concurrent first contact won; use theirs
    identity, member = (await session.execute(query)).one()
    return member, identity


async def resolve(session: AsyncSession, ref: SpaceRef, actor: Actor, now: datetime) -> Membership:
    """Resolve an invocation's space and actor to group, space, member and identity.

    A display name the platform reports anew is stored (flushed) here; the rest is read.
    """
    space = await get_or_create_space(session, ref, now)
    member, identity = await get_or_create_member(session, space, actor, now)
    group = await session.get_one(Group, space.group_id)
    await session.flush()  # a renamed identity is written now, not by a later flush
    return Membership(
        group=group_ref(group),
        space=space_ref(space),
        member=member_ref(member),
        identity=identity_ref(identity),
    )


async def group_by_id(session: AsyncSession, group_id: int) -> GroupRef:
    """The group with this id (the caller knows it exists)."""
    return group_ref(await session.get_one(Group, group_id))


async def find_members(session: AsyncSession, space: StoredSpace, ref: str) -> list[MemberRef]:
    """The members of ``space``'s group that ``ref`` names exactly.

    ``ref`` is a platform user id in this space (what a mention resolves to) or a display
    name. Names are compared literally and case-insensitively, never as a LIKE pattern, so
    ``%`` or ``_`` match only members whose name contains them. Several members may share a
    display name; the caller decides what an ambiguous name means.
    """
    by_id = (
        select(Member)
        .join(Identity, Identity.member_id == Member.id)
        .where(Identity.space_id == space.id, Identity.platform_user_id == ref)
    )
    member = (await session.execute(by_id)).scalar_one_or_none()
    if member is not None:
        return [member_ref(member)]
    # SQL lower() folds only ASCII on SQLite, so an exact match is accepted as well.
    by_name = (
        select(Member)
        .where(
            Member.group_id == space.group_id,
            or_(func.lower(Member.display_name) == ref.lower(), Member.display_name == ref),
        )
        .order_by(Member.id)
    )
    return [member_ref(row) for row in (await session.execute(by_name)).scalars()]


async def spaces_of_group(session: AsyncSession, group_id: int) -> list[StoredSpace]:
    """Every space attached to a group."""
    query = select(Space).where(Space.group_id == group_id).order_by(Space.id)
    return [space_ref(row) for row in (await session.execute(query)).scalars()]


async def platforms_with_spaces(session: AsyncSession, *, except_prefix: str = "") -> set[str]:
    """Platforms that have a space whose external id does not start with ``except_prefix``.

    The console uses this to see whether a database holds real Discord or Slack spaces
    besides the ones it simulates (external ids ``console-…``).
    """
    query = select(Space.platform).distinct()
    if except_prefix:
        query = query.where(~Space.external_id.startswith(except_prefix, autoescape=True))
    return set((await session.execute(query)).scalars())


async def find_space(session: AsyncSession, platform: str, external_id: str) -> Space | None:
    """The stored space at ``platform``'s ``external_id``, if studybot has seen it (no create)."""
    query = select(Space).where(Space.platform == platform, Space.external_id == external_id)
    return (await session.execute(query)).scalar_one_or_none()


async def member_of_user(
    session: AsyncSession, space_id: int, platform_user_id: str
) -> Member | None:
    """The member whose identity in space ``space_id`` is ``platform_user_id``, if any."""
    query = (
        select(Member)
        .join(Identity, Identity.member_id == Member.id)
        .where(Identity.space_id == space_id, Identity.platform_user_id == platform_user_id)
    )
    return (await session.execute(query)).scalar_one_or_none()
