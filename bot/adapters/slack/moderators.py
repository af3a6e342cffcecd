"""Who is asking, as far as Slack can tell: names, timezone, admin status, user groups.

Looked up after the ack (never before), with results cached for a few minutes so a burst of
commands from one workspace costs a handful of Web API calls:

- ``users.info``: display name, timezone, and ``is_admin``/``is_owner`` (workspace admins and
  owners moderate every group of their workspace);
- ``STUDYBOT_SLACK_MODERATORS``: user ids (``U…``/``W…``) and user-group ids (``S…``) that
  moderate as well;
- user groups: ``usergroups.list`` with members gives every group a user belongs to, which
  goes into :attr:`Actor.roles` so a group's ``moderator_roles`` setting can name Slack user
  groups. Without that method (older grids, missing scope) only the configured groups are read
  with ``usergroups.users.list``.

The permission decision itself stays in the dispatcher, on our side.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.cache import TtlCache
from bot.adapters.slack.errors import error_code
from bot.core.models import Actor

log = logging.getLogger(__name__)

USER_TTL_SECONDS = 300.0
GROUPS_TTL_SECONDS = 300.0


@dataclass(frozen=True)
class ModeratorConfig:
    """``STUDYBOT_SLACK_MODERATORS`` split into user ids and user-group ids."""

    user_ids: frozenset[str] = frozenset()
    group_ids: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, value: str) -> ModeratorConfig:
        """Parse a comma- or space-separated list; ``S…`` ids are user groups."""
        ids = [part.strip() for part in value.replace(",", " ").split() if part.strip()]
        return cls(
            user_ids=frozenset(i for i in ids if not i.startswith("S")),
            group_ids=frozenset(i for i in ids if i.startswith("S")),
        )


@dataclass(frozen=True)
class UserFacts:
    """What ``users.info`` told us about a user."""

    display_name: str
    timezone: str | None
    is_admin: bool


class ActorResolver:
    """Builds an :class:`Actor` for a Slack user, with cached lookups.

    Args:
        client: A Web API client with the bot token.
        config: Extra moderators from the settings.
        user_ttl: Seconds a user's facts are reused.
        groups_ttl: Seconds the user-group membership is reused.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        config: ModeratorConfig,
        *,
        user_ttl: float = USER_TTL_SECONDS,
        groups_ttl: float = GROUPS_TTL_SECONDS,
    ) -> None:
        self._client = client
        self.config = config
        self._users: TtlCache[UserFacts] = TtlCache(user_ttl)
        self._groups: TtlCache[dict[str, frozenset[str]]] = TtlCache(groups_ttl, max_size=1)
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        self._warned_list = False

    async def resolve(self, user_id: str, fallback_name: str) -> Actor:
        """The actor for ``user_id``; lookups that fail degrade to what the payload said."""
        facts = await self._user_facts(user_id)
        groups = await self._membership()
        roles = frozenset(gid for gid, members in groups.items() if user_id in members)
        configured = user_id in self.config.user_ids or bool(roles & self.config.group_ids)
        return Actor(
            user_id=user_id,
            display_name=(facts.display_name if facts else "") or fallback_name or user_id,
            is_admin=configured or bool(facts and facts.is_admin),
            roles=roles,
            timezone=facts.timezone if facts else None,
        )

    def forget(self, user_id: str) -> None:
        """Drop a cached user (e.g. after ``user_change``)."""
        self._users.pop(user_id)

    async def _user_facts(self, user_id: str) -> UserFacts | None:
        cached = self._users.get(user_id)
        if cached is not None:
            return cached

        async def load() -> UserFacts | None:
            try:
                response = await self._client.users_info(user=user_id)
            except Exception as exc:  # a failed lookup degrades, it never fails the command
                log.warning("users.info failed for %s: %s", user_id, error_code(exc))
                return None
            user: dict[str, Any] = response.get("user") or {}
            profile: dict[str, Any] = user.get("profile") or {}
            facts = UserFacts(
                display_name=str(
                    profile.get("display_name") or user.get("real_name") or user.get("name") or ""
                ),
                timezone=user.get("tz") or None,
                is_admin=bool(
                    user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
                ),
            )
            self._users.put(user_id, facts)
            return facts

        result: UserFacts | None = await self._once(f"user:{user_id}", load)
        return result

    async def _membership(self) -> dict[str, frozenset[str]]:
        cached = self._groups.get("all")
        if cached is not None:
            return cached

        async def load() -> dict[str, frozenset[str]]:
            groups = await self._list_all_groups()
            if groups is None:
                groups = await self._configured_groups()
            self._groups.put("all", groups)
            return groups

        result: dict[str, frozenset[str]] = await self._once("groups", load)
        return result

    async def _list_all_groups(self) -> dict[str, frozenset[str]] | None:
        try:
            response = await self._client.usergroups_list(include_users=True)
        except Exception as exc:  # a failed lookup degrades, it never fails the command
            if not self._warned_list:
                self._warned_list = True
                log.warning(
                    "usergroups.list failed (%s); only the user groups named in "
                    "STUDYBOT_SLACK_MODERATORS are checked",
                    error_code(exc),
                )
            return None
        return {
            str(group["id"]): frozenset(group.get("users") or [])
            for group in response.get("usergroups") or []
            if group.get("id")
        }

    async def _configured_groups(self) -> dict[str, frozenset[str]]:
        groups: dict[str, frozenset[str]] = {}
        for group_id in sorted(self.config.group_ids):
            try:
                response = await self._client.usergroups_users_list(usergroup=group_id)
            except Exception as exc:  # a failed lookup degrades, it never fails the command
                log.warning("usergroups.users.list failed for %s: %s", group_id, error_code(exc))
                continue
            groups[group_id] = frozenset(response.get("users") or [])
        return groups

    async def _once(self, key: str, load: Callable[[], Awaitable[Any]]) -> Any:
        """Share one in-flight lookup between concurrent callers (a burst asks once)."""
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await load()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: the waiters re-raise it themselves
            raise
        else:
            future.set_result(result)
            return result
        finally:
            self._inflight.pop(key, None)
