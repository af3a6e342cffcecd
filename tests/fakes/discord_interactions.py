"""Interactions for the fake Discord: INTERACTION_CREATE payloads and per-interaction records.

``InteractionHandle`` is what ``FakeDiscord.slash_command`` & co. return: it collects the
callback, followups and edits the bot made for that one interaction and lets a test wait for them.
The builders turn friendly arguments (``{"topic": "sql"}``) into the option/resolved shapes
Discord sends, typing options from the command definitions the bot synced when available.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .discord_payloads import (
    DEFAULT_ATTACHMENT_SIZE_LIMIT,
    DEFAULT_BOT_PERMISSIONS,
    JSON,
    UploadedFile,
)
from .discord_world import World

INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5

OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_USER = 6
OPTION_CHANNEL = 7
OPTION_ROLE = 8
OPTION_MENTIONABLE = 9
OPTION_NUMBER = 10

T = TypeVar("T")


class InteractionHandle:
    """One interaction the fake dispatched, and everything the bot answered to it.

    Attributes:
        id: The interaction id.
        token: The interaction token (also the followup webhook token).
        type: Interaction type (2 command, 3 component, 4 autocomplete, 5 modal submit).
        payload: The INTERACTION_CREATE data sent to the bot.
        guild_id: Guild of the interaction, None in DMs.
        channel_id: Channel of the interaction.
        user_id: The invoking user.
        component_message_id: For components (and modals opened from one), the message clicked.
        callbacks: Accepted callback bodies (``{"type": 4, "data": {...}}``), in order.
        callback_files: Files uploaded with each accepted callback.
        rejected_callbacks: Callback bodies the fake refused (e.g. a second one -> 40060).
        followups: Message objects created (or resolved) by followup webhooks.
        edits: Bodies of ``PATCH .../messages/@original``.
        original_message_id: Id of the ``@original`` message once there is one.
        dispatched_at: ``loop.time()`` when INTERACTION_CREATE was queued.
        acked_at: ``loop.time()`` when the first callback arrived.
        loading: True while a deferred ("thinking") response has not been resolved yet.
    """

    def __init__(
        self,
        *,
        interaction_id: int,
        token: str,
        interaction_type: int,
        payload: JSON,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        world: World,
        component_message_id: int | None = None,
    ) -> None:
        self.id = interaction_id
        self.token = token
        self.type = interaction_type
        self.payload = payload
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.user_id = user_id
        self.component_message_id = component_message_id
        self.callbacks: list[JSON] = []
        self.callback_files: list[list[UploadedFile]] = []
        self.rejected_callbacks: list[JSON] = []
        self.followups: list[JSON] = []
        self.edits: list[JSON] = []
        self.original_message_id: int | None = None
        self.dispatched_at = asyncio.get_running_loop().time()
        self.acked_at: float | None = None
        self.loading = False
        self._world = world
        self._cond = asyncio.Condition()

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self.type} callbacks={len(self.callbacks)}>"

    @property
    def ack_latency(self) -> float | None:
        """Seconds between dispatching INTERACTION_CREATE and the first callback, if any."""
        return None if self.acked_at is None else self.acked_at - self.dispatched_at

    @property
    def response_type(self) -> int | None:
        """Callback type of the first accepted callback (4, 5, 6, 7, 8, 9, ...), if any."""
        return self.callbacks[0].get("type") if self.callbacks else None

    @property
    def choices(self) -> list[JSON] | None:
        """The autocomplete choices of a type 8 callback, if the bot sent one."""
        if self.response_type != 8:
            return None
        return list((self.callbacks[0].get("data") or {}).get("choices") or [])

    def original_message(self) -> JSON | None:
        """Return the current (edited) state of the ``@original`` message, if any."""
        if self.original_message_id is None:
            return None
        return self._world.messages.get(self.original_message_id)

    async def wait_response(self, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Wait for the first accepted callback and return its body.

        Raises:
            TimeoutError: The bot did not answer within ``timeout`` seconds.
        """
        return (await self._wait(lambda: self.callbacks[:1], timeout, "a callback"))[0]

    async def wait_followups(self, n: int = 1, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109
        """Wait until ``n`` followup messages exist and return the first ``n`` message objects.

        Raises:
            TimeoutError: Fewer than ``n`` followups arrived within ``timeout`` seconds.
        """
        return await self._wait(
            lambda: self.followups[:n] if len(self.followups) >= n else None,
            timeout,
            f"{n} followup(s)",
        )

    async def wait_edits(self, n: int = 1, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109
        """Wait until ``@original`` was edited ``n`` times and return the first ``n`` bodies.

        Raises:
            TimeoutError: Fewer than ``n`` edits arrived within ``timeout`` seconds.
        """
        return await self._wait(
            lambda: self.edits[:n] if len(self.edits) >= n else None, timeout, f"{n} edit(s)"
        )

    async def _wait(self, predicate: Callable[[], T | None], seconds: float, what: str) -> T:
        try:
            async with asyncio.timeout(seconds), self._cond:
                result = await self._cond.wait_for(predicate)
        except TimeoutError:
            raise TimeoutError(
                f"interaction {self.id} (type {self.type}): no {what} within {seconds}s; "
                f"callbacks={self.callbacks} rejected={self.rejected_callbacks} "
                f"followups={len(self.followups)} edits={len(self.edits)}"
            ) from None
        assert result is not None  # wait_for only returns once the predicate is truthy
        return result

    async def changed(self) -> None:
        """Wake the waiters of this handle (called by the fake after recording something)."""
        async with self._cond:
            self._cond.notify_all()


def new_token() -> str:
    """Return a fresh interaction token."""
    return "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)


def build_interaction(
    world: World,
    *,
    interaction_id: int,
    token: str,
    interaction_type: int,
    data: JSON | None,
    user_id: int,
    guild_id: int | None,
    channel_id: int,
    locale: str = "en-US",
    message: JSON | None = None,
) -> JSON:
    """Build INTERACTION_CREATE data the way Discord sends it over the gateway.

    Guild interactions carry ``member`` (with ``permissions``), ``guild`` and ``guild_locale``;
    DM interactions carry ``user`` and context 1. ``attachment_size_limit``, ``app_permissions``,
    ``authorizing_integration_owners`` and ``entitlements`` are always present.
    """
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(world.application_id),
        "type": interaction_type,
        "token": token,
        "version": 1,
        "locale": locale,
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id or 0)},
        "context": 0 if guild_id is not None else 1,
        "attachment_size_limit": DEFAULT_ATTACHMENT_SIZE_LIMIT,
        "channel_id": str(channel_id),
    }
    if data is not None:
        payload["data"] = data
    if guild_id is not None:
        guild = world.guilds[guild_id]
        payload.update(
            guild_id=str(guild_id),
            guild={"id": str(guild_id), "locale": guild.locale, "features": list(guild.features)},
            guild_locale=guild.locale,
            member=world.member_payload(guild_id, user_id, with_permissions=True),
            app_permissions=str(world.permissions(guild_id, world.bot_user_id)),
            channel=world.channel_payload(channel_id, permissions_for=user_id),
        )
    else:
        payload.update(
            user=world.user_payload(user_id),
            app_permissions=str(DEFAULT_BOT_PERMISSIONS),
            channel=world.channel_payload(channel_id),
        )
    if message is not None:
        payload["message"] = message
    return payload


def infer_option_type(value: Any) -> int:
    """Map a Python value to an option type when the command definition is unknown."""
    if isinstance(value, bool):
        return OPTION_BOOLEAN
    if isinstance(value, int):
        return OPTION_INTEGER
    if isinstance(value, float):
        return OPTION_NUMBER
    if isinstance(value, str):
        return OPTION_STRING
    raise TypeError(f"cannot infer an option type for {value!r}; pass raw option dicts")


def _find_option(options: list[JSON] | None, name: str, option_type: int) -> JSON | None:
    for option in options or []:
        if option.get("name") == name and int(option.get("type", 0)) == option_type:
            return option
    return None


def build_command_data(
    world: World,
    *,
    name: str,
    options: Mapping[str, Any] | Sequence[JSON] | None,
    definition: JSON | None,
    guild_id: int | None,
    user_id: int,
    group: str | None = None,
    subcommand: str | None = None,
    focused: str | None = None,
    resolved: JSON | None = None,
) -> JSON:
    """Build ``data`` of a chat-input command or autocomplete interaction.

    Args:
        world: The world, to resolve user/channel/role option values.
        name: Top-level command name.
        options: ``{name: value}`` (typed from ``definition`` or inferred from the value) or raw
            option dicts, which are sent as given.
        definition: The synced command object, if the bot synced one; gives ids and types.
        guild_id: Guild the interaction happens in (resolves members).
        user_id: Invoking user (resolves channel permissions).
        group: Subcommand group name, if any.
        subcommand: Subcommand name, if any.
        focused: Name of the focused option (autocomplete); its value is sent as typed.
        resolved: Extra ``resolved`` data merged into what the builder computes.
    """
    defs = (definition or {}).get("options")
    path: list[tuple[str, int]] = []
    if group is not None:
        path.append((group, OPTION_SUB_COMMAND_GROUP))
        defs = (_find_option(defs, group, OPTION_SUB_COMMAND_GROUP) or {}).get("options")
    if subcommand is not None:
        path.append((subcommand, OPTION_SUB_COMMAND))
        defs = (_find_option(defs, subcommand, OPTION_SUB_COMMAND) or {}).get("options")
    res: JSON = {}
    leaf = _leaf_options(world, options, defs, guild_id, user_id, focused, res)
    for part_name, part_type in reversed(path):
        leaf = [{"name": part_name, "type": part_type, "options": leaf}]
    data: JSON = {"id": str((definition or {}).get("id") or world.ids()), "name": name, "type": 1}
    if definition is not None and definition.get("guild_id"):
        data["guild_id"] = definition["guild_id"]
    if leaf:
        data["options"] = leaf
    for key, values in (resolved or {}).items():
        res.setdefault(key, {}).update(values)
    if res and focused is None:
        data["resolved"] = res
    return data


def _leaf_options(
    world: World,
    options: Mapping[str, Any] | Sequence[JSON] | None,
    defs: list[JSON] | None,
    guild_id: int | None,
    user_id: int,
    focused: str | None,
    resolved: JSON,
) -> list[JSON]:
    if options is None:
        return []
    if not isinstance(options, Mapping):
        return [dict(o) for o in options]
    declared = {o.get("name"): int(o.get("type", 0)) for o in defs or []}
    out: list[JSON] = []
    for opt_name, value in options.items():
        opt_type = declared.get(opt_name) or infer_option_type(value)
        option: JSON = {"name": opt_name, "type": opt_type, "value": value}
        if opt_name == focused:
            option["focused"] = True
            option["value"] = str(value)
        elif opt_type in (OPTION_USER, OPTION_CHANNEL, OPTION_ROLE, OPTION_MENTIONABLE):
            option["value"] = str(value)
            resolve_value(world, opt_type, int(value), guild_id, user_id, resolved)
        elif opt_type == OPTION_NUMBER:
            option["value"] = float(value)
        out.append(option)
    return out


def resolve_value(
    world: World, opt_type: int, snowflake: int, guild_id: int | None, user_id: int, resolved: JSON
) -> None:
    """Add the ``resolved`` entry of a user/channel/role/mentionable value (option or select)."""
    guild = world.guilds.get(guild_id) if guild_id is not None else None
    is_user = snowflake in world.users
    if opt_type == OPTION_USER or (opt_type == OPTION_MENTIONABLE and is_user):
        resolved.setdefault("users", {})[str(snowflake)] = world.user_payload(snowflake)
        if guild is not None and snowflake in guild.members:
            member = world.member_payload(
                guild.id, snowflake, with_user=False, with_permissions=True
            )
            resolved.setdefault("members", {})[str(snowflake)] = member
    elif opt_type == OPTION_CHANNEL:
        channel = world.channel_payload(snowflake, permissions_for=user_id)
        resolved.setdefault("channels", {})[str(snowflake)] = channel
    elif guild is not None and snowflake in guild.roles:
        resolved.setdefault("roles", {})[str(snowflake)] = guild.roles[snowflake].payload()


def build_modal_components(modal: JSON | None, values: Mapping[str, Any]) -> list[JSON]:
    """Build the ``components`` of a modal submit, mirroring the modal the bot sent.

    Text inputs get ``value``; selects (a list value) get ``values``. Without a recorded modal,
    every value becomes a text input in its own action row.

    Raises:
        ValueError: A value names a custom_id the modal does not contain.
    """
    if modal is None:
        return [
            {"type": 1, "components": [{"type": 4, "custom_id": cid, "value": value}]}
            for cid, value in values.items()
        ]
    used: set[str] = set()

    def submitted(component: JSON) -> JSON:
        cid = str(component.get("custom_id"))
        out: JSON = {"type": component["type"], "custom_id": cid}
        if "id" in component:
            out["id"] = component["id"]
        value = values.get(cid, [] if component["type"] != 4 else "")
        used.add(cid)
        out["values" if isinstance(value, list) else "value"] = value
        return out

    result: list[JSON] = []
    for top in modal.get("components") or []:
        if top.get("type") == 1:
            row = [submitted(c) for c in top.get("components") or [] if c.get("custom_id")]
            result.append({"type": 1, "id": top.get("id"), "components": row})
        elif top.get("type") == 18 and isinstance(top.get("component"), dict):
            result.append(
                {"type": 18, "id": top.get("id"), "component": submitted(top["component"])}
            )
    unknown = set(values) - used
    if unknown:
        raise ValueError(f"modal {modal.get('custom_id')!r} has no inputs named {sorted(unknown)}")
    return result
