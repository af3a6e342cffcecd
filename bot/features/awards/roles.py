"""Discord role rewards: grant the role of each milestone earned, report refusals.

Awards whose milestone has a role reward are stored ``roles='pending'`` with the award
(same transaction). :meth:`RoleGrants.run_group` then grants them through the
messenger (Discord ``PUT /guilds/{g}/members/{u}/roles/{r}``, idempotent, so a retry is
harmless). In ``replace`` mode the roles of lower milestones of the same kind are removed.

A 403 (the bot lacks Manage Roles, or the role is above the bot's highest role) is
recorded on the rule (``reward_roles.error``) for ``/admin rewards`` and ``/admin
schedule``, the award marked ``failed``: never raised into a command or a job. A
transient failure leaves the award pending for the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

from bot.core.clock import Clock
from bot.core.messenger import NoAdapter
from bot.core.models import Platform
from bot.core.ports import SendError
from bot.db.models import Space
from bot.db.models_recognition import Award
from bot.db.repositories import award_roles
from bot.db.repositories import awards as awards_repo
from bot.db.repositories.awards import RoleRule
from bot.db.sessions import Session, SessionFactory
from bot.recognition import milestone

log = logging.getLogger(__name__)

#: The most pending awards one pass grants roles for.
PASS_MAX = 500


class RoleSetter(Protocol):
    """What grants roles (the :class:`~bot.core.messenger.Messenger`)."""

    async def set_role(
        self, platform: Platform, space_id: str, user_id: str, role_id: str, *, grant: bool
    ) -> None:
        """Grant or remove one role; raise ``SendError`` when refused."""
        ...


def refusal(exc: SendError, role_id: str) -> str:
    """What ``/admin rewards`` says about a refused grant."""
    if exc.code in ("403", "50013", "50001"):
        return (
            f"403 Missing Permissions: give the bot **Manage Roles** and drag its role above "
            f"<@&{role_id}> in Server Settings → Roles"
        )
    if exc.code in ("404", "10011"):
        return "the role no longer exists: set another with /admin rewards role"
    return f"{exc.code or 'error'}: {exc}"


async def role_problems(session: Session, group_id: int) -> list[str]:
    """Role rewards whose last grant was refused, as lines for the health reports."""
    lines = []
    for rule in await awards_repo.role_rules(session, group_id):
        if rule.error:
            when = f"{rule.error_at:%Y-%m-%d %H:%M} UTC" if rule.error_at else "recently"
            lines.append(f"- `{rule.milestone}` → <@&{rule.role_id}>: {rule.error} ({when})")
    return lines


@dataclass
class RoleGrants:
    """Grants pending role rewards (see the module docstring)."""

    sessions: SessionFactory
    clock: Clock
    setter: RoleSetter
    platforms: Callable[[], Collection[Platform]]

    async def run_group(self, group_id: int) -> int:
        """Grant the group's pending role rewards; returns how many awards were settled."""
        async with self.sessions() as session:
            pending = await award_roles.pending(session, group_id, PASS_MAX)
            if not pending:
                return 0
            rules = await awards_repo.role_rules(session, group_id)
            mode = (await awards_repo.reward_settings(session, group_id)).roles
            spaces = await award_roles.spaces(session, {r.space_id for r in rules})
            members = {a.member_id for a in pending}
            identities = await award_roles.accounts(session, members)
            held = await awards_repo.held_ids(session, members)
        settled = 0
        for award in pending:
            outcome = await self._grant(award, rules, spaces, identities, held, mode)
            if outcome is None:
                continue  # transient: the next pass tries again
            async with self.sessions() as session, session.begin():
                await award_roles.settle(session, award.id, outcome)
            settled += 1
        return settled

    async def _grant(
        self,
        award: Award,
        rules: list[RoleRule],
        spaces: dict[int, Space],
        identities: dict[tuple[int, int], str],
        held: dict[int, set[str]],
        mode: str,
    ) -> str | None:
        """Grant one award's roles in every space with a rule: ``done``, ``failed`` or None."""
        outcome = "done"
        item = milestone(award.milestone)
        for rule in rules:
            if rule.milestone != award.milestone:
                continue
            space = spaces.get(rule.space_id)
            user = identities.get((award.member_id, rule.space_id))
            if space is None or user is None:
                continue  # the member has no account in that guild: nothing to grant
            platform = Platform(space.platform)
            if platform not in self.platforms():
                return None
            lower = [
                r.role_id
                for r in rules
                if mode == "replace"
                and item is not None
                and r.space_id == rule.space_id
                and r.milestone in held.get(award.member_id, set())
                and (other := milestone(r.milestone)) is not None
                and other.family is item.family
                and other.threshold < item.threshold
            ]
            try:
                await self.setter.set_role(
                    platform, space.external_id, user, rule.role_id, grant=True
                )
                for role_id in lower:
                    await self.setter.set_role(
                        platform, space.external_id, user, role_id, grant=False
                    )
            except NoAdapter:
                return None
            except SendError as exc:
                if not exc.permanent:
                    log.info(
                        "role reward %s for award %s: %s; retried later", rule.id, award.id, exc
                    )
                    return None
                await self._record(rule.id, refusal(exc, rule.role_id))
                log.warning("role reward %s refused: %s", rule.id, exc)
                outcome = "failed"
                continue
            if rule.error:
                await self._record(rule.id, None)
        return outcome

    async def _record(self, rule_id: int, error: str | None) -> None:
        async with self.sessions() as session, session.begin():
            await awards_repo.record_role_error(session, rule_id, error, self.clock.now())

    async def run_all(self) -> int:
        """Grant pending role rewards of every group (catch-up and safety pass)."""
        async with self.sessions() as session:
            groups = await award_roles.groups_pending(session)
        total = 0
        for group_id in groups:
            try:
                total += await self.run_group(group_id)
            except Exception:
                log.exception("role rewards of group %s failed", group_id)
        return total
