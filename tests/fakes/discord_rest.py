"""The REST half of the fake Discord server: routing, recording, fault injection, handlers.

``DiscordRestServer`` owns the fake's state (world, gateway, interactions, commands, recorded
requests) and answers REST v10 the way discord.py 2.7 expects: bodies with a ``Content-Type`` of
exactly ``application/json``, benign ``X-RateLimit-*`` headers, Discord's JSON error bodies and
codes, and ``?with_response=1`` interaction callbacks answered with 200 + a callback response.
``FakeDiscord`` (``discord_server.py``) builds the public test API on top of it.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web

from .discord_gateway import FakeGateway
from .discord_http import ApiError, Fault, RecordedRequest, Reply, error_body
from .discord_interactions import (
    InteractionHandle,
)
from .discord_messages import MessageRoutes
from .discord_payloads import (
    ADMINISTRATOR,
    JSON,
    MANAGE_ROLES,
    SnowflakeGenerator,
    UploadedFile,
    validate_commands,
)
from .discord_world import World

_PARAM_PATTERNS = {"token": r"[^/]+", "wh_message": r"\d+|@original"}
_ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/users/@me", "get_me"),
    ("POST", "/users/@me/channels", "create_dm"),
    ("GET", "/users/{user_id}", "get_user"),
    ("GET", "/oauth2/applications/@me", "get_application"),
    ("GET", "/applications/@me", "get_application"),
    ("GET", "/gateway", "get_gateway"),
    ("GET", "/gateway/bot", "get_gateway_bot"),
    ("GET", "/applications/{app_id}/commands", "list_commands"),
    ("PUT", "/applications/{app_id}/commands", "overwrite_commands"),
    ("POST", "/applications/{app_id}/commands", "upsert_command"),
    ("GET", "/applications/{app_id}/commands/{command_id}", "get_command"),
    ("PATCH", "/applications/{app_id}/commands/{command_id}", "edit_command"),
    ("DELETE", "/applications/{app_id}/commands/{command_id}", "delete_command"),
    ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", "list_commands"),
    ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", "overwrite_commands"),
    ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", "upsert_command"),
    ("GET", "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}", "get_command"),
    ("PATCH", "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}", "edit_command"),
    ("DELETE", "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}", "delete_command"),
    ("POST", "/interactions/{interaction_id}/{token}/callback", "interaction_callback"),
    ("POST", "/webhooks/{app_id}/{token}", "execute_followup"),
    ("GET", "/webhooks/{app_id}/{token}/messages/{wh_message}", "get_webhook_message"),
    ("PATCH", "/webhooks/{app_id}/{token}/messages/{wh_message}", "edit_webhook_message"),
    ("DELETE", "/webhooks/{app_id}/{token}/messages/{wh_message}", "delete_webhook_message"),
    ("GET", "/channels/{channel_id}", "get_channel"),
    ("GET", "/channels/{channel_id}/messages", "list_messages"),
    ("POST", "/channels/{channel_id}/messages", "create_message"),
    ("GET", "/channels/{channel_id}/messages/{message_id}", "get_message"),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}", "edit_message"),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}", "delete_message"),
    ("POST", "/channels/{channel_id}/typing", "typing"),
    ("GET", "/guilds/{guild_id}", "get_guild"),
    ("GET", "/guilds/{guild_id}/roles", "get_roles"),
    ("GET", "/guilds/{guild_id}/channels", "get_guild_channels"),
    ("GET", "/guilds/{guild_id}/members", "list_members"),
    ("GET", "/guilds/{guild_id}/members/{user_id}", "get_member"),
    ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", "add_member_role"),
    ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", "remove_member_role"),
]


def _compile(template: str) -> re.Pattern[str]:
    def param(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"(?P<{name}>{_PARAM_PATTERNS.get(name, r'[0-9]+')})"

    return re.compile(re.sub(r"\{(\w+)\}", param, template) + "$")


_COMPILED = [(method, _compile(template), template, name) for method, template, name in _ROUTES]


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


class DiscordRestServer:
    """State of the fake Discord plus its REST handlers.

    Args:
        token: The only bot token accepted (``Authorization: Bot <token>``); None accepts any.
        shards: Shard count ``GET /gateway/bot`` recommends.
        interaction_ack_deadline: Seconds after dispatch within which the first callback must
            arrive; later callbacks get 404 10062 as on Discord (3 s). None disables the check.
        interaction_token_ttl: Seconds an interaction token stays usable for followups (15 min).
        nonce_window: Seconds during which ``enforce_nonce`` deduplicates messages.
        heartbeat_interval: Milliseconds announced in HELLO.
        deny_privileged_intents: Refuse IDENTIFY with privileged intents (close code 4014).
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        shards: int = 1,
        interaction_ack_deadline: float | None = 3.0,
        interaction_token_ttl: float = 900.0,
        nonce_window: float = 300.0,
        heartbeat_interval: int = 41250,
        deny_privileged_intents: bool = False,
    ) -> None:
        self.token = token
        self.recommended_shards = shards
        self.interaction_ack_deadline = interaction_ack_deadline
        self.interaction_token_ttl = interaction_token_ttl
        self.nonce_window = nonce_window
        self.ids = SnowflakeGenerator()
        self.world = World(self.ids)
        self.recorded: list[RecordedRequest] = []
        self.internal_errors: list[str] = []
        self.interactions: list[InteractionHandle] = []
        self.commands: dict[int | None, list[JSON]] = {}
        self.blocked_dm_users: set[int] = set()
        self.forbidden_channels: set[int] = set()
        self.faults: list[Fault] = []
        self.interaction_by_id: dict[int, InteractionHandle] = {}
        self.interaction_by_token: dict[str, InteractionHandle] = {}
        self.modals: dict[str, tuple[JSON, InteractionHandle]] = {}
        self.nonces: dict[tuple[int, str], tuple[float, int]] = {}
        self._cond = asyncio.Condition()
        self.port = 0
        self.gateway = FakeGateway(
            self.world,
            token_ok=self._token_ok,
            resume_url=lambda: f"ws://127.0.0.1:{self.port}/gateway/resume",
            notify=self._notify,
            heartbeat_interval=heartbeat_interval,
            deny_privileged_intents=deny_privileged_intents,
        )
        self.messages = MessageRoutes(self)

    # -- plumbing ------------------------------------------------------------------------------

    def _token_ok(self, token: str | None) -> bool:
        if not token:
            return False
        token = token.removeprefix("Bot ")
        return self.token is None or token == self.token

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def _serve_rest(self, request: web.Request) -> web.StreamResponse:
        rec = RecordedRequest(
            method=request.method,
            path="/" + request.match_info.get("tail", ""),
            query=dict(request.query),
            headers=dict(request.headers),
        )
        bucket = ""
        try:
            await self._read_body(request, rec)
            status, body, headers, bucket = await self._respond(rec)
        except Exception as exc:  # a bug in the fake itself: fail fast (a 5xx would be retried)
            self.internal_errors.append(f"{rec.method} {rec.path}: {exc!r}")
            body = {"message": f"FakeDiscord internal error: {exc!r}", "code": 0}
            status, headers = 400, {}
        rec.status, rec.response = status, body
        self.recorded.append(rec)
        await self._notify()
        if status != 429:
            headers = {**self._ratelimit_headers(bucket or "global"), **headers}
        if body is None:
            return web.Response(status=status, headers=headers)
        headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=_json_bytes(body), headers=headers)

    async def _serve_unknown(self, request: web.Request) -> web.StreamResponse:
        rec = RecordedRequest(
            request.method, request.path, dict(request.query), dict(request.headers)
        )
        rec.status, rec.response = 404, error_body(404)
        self.recorded.append(rec)
        await self._notify()
        return web.Response(
            status=404, body=_json_bytes(rec.response), headers={"Content-Type": "application/json"}
        )

    async def _read_body(self, request: web.Request, rec: RecordedRequest) -> None:
        if request.content_type.startswith("multipart/"):
            rec.multipart = True
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):  # nested multipart: Discord has none
                    continue
                data = await part.read(decode=True)
                if part.name == "payload_json":
                    rec.json = json.loads(data)
                else:
                    content_type = part.headers.get("Content-Type")
                    upload = UploadedFile(
                        part.name or "", part.filename or "", content_type, bytes(data)
                    )
                    rec.files.append(upload)
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    rec.json = json.loads(raw)
                except ValueError:
                    rec.json = raw.decode(errors="replace")

    def _ratelimit_headers(
        self, bucket: str, *, remaining: int = 9999, reset_after: float = 1.0
    ) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "10000",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }

    async def _respond(self, rec: RecordedRequest) -> tuple[int, Any, dict[str, str], str]:
        path_matched = False
        for method, pattern, template, name in _COMPILED:
            match = pattern.match(rec.path)
            if match is None:
                continue
            path_matched = True
            if method != rec.method:
                continue
            rec.route = f"{method} {template}"
            bucket = hashlib.sha1(rec.route.encode()).hexdigest()[:16]
            fault = self._take_fault(rec)
            if fault is not None:
                return (*self._fault_reply(fault, bucket), bucket)
            if not template.startswith(("/webhooks/", "/interactions/")) and not self._token_ok(
                rec.headers.get("Authorization")
            ):
                return 401, error_body(401), {}, bucket
            handler: Callable[[RecordedRequest, dict[str, str]], Awaitable[Reply]]
            handler = getattr(self, f"_h_{name}", None) or getattr(self.messages, f"_h_{name}")
            try:
                status, body = await handler(rec, match.groupdict())
            except ApiError as error:
                status, body = error.status, error.body
            return status, body, {}, bucket
        fault = self._take_fault(rec)
        if fault is not None:
            return (*self._fault_reply(fault, "unknown"), "unknown")
        if path_matched:
            return 405, error_body(405), {}, ""
        return 404, error_body(404), {}, ""

    def _take_fault(self, rec: RecordedRequest) -> Fault | None:
        for fault in self.faults:
            if fault.method not in (None, rec.method) or not fault.path.search(rec.path):
                continue
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            return fault
        return None

    def _fault_reply(self, fault: Fault, bucket: str) -> tuple[int, JSON, dict[str, str]]:
        if fault.status != 429:
            return fault.status, error_body(fault.status, fault.code, fault.message), {}
        retry = 0.05 if fault.retry_after is None else fault.retry_after
        body: JSON = {
            "message": fault.message or "You are being rate limited.",
            "retry_after": retry,
            "global": fault.is_global,
        }
        if fault.code is not None:
            body["code"] = fault.code
        headers = {
            **self._ratelimit_headers(bucket, remaining=0, reset_after=retry),
            "Retry-After": f"{retry:g}",
            "X-RateLimit-Scope": "global" if fault.is_global else "user",
            "Via": "1.1 google",
        }
        if fault.is_global:
            headers["X-RateLimit-Global"] = "true"
        return 429, body, headers

    # -- helpers -------------------------------------------------------------------------------

    def channel_or_error(self, raw: str) -> int:
        """Return a channel id from a path; 404 10003 if unknown, 403 50001 if forbidden."""
        cid = int(raw)
        if cid not in self.world.channels:
            raise ApiError(404, 10003)
        if cid in self.forbidden_channels:
            raise ApiError(403, 50001)
        return cid

    def guild_or_error(self, raw: str) -> int:
        """Return a guild id from a path; 404 10004 if unknown."""
        gid = int(raw)
        if gid not in self.world.guilds:
            raise ApiError(404, 10004)
        return gid

    def _check_app(self, raw: str) -> None:
        if int(raw) != self.world.application_id:
            raise ApiError(403, 20012)

    # -- users, application, gateway ----------------------------------------------------------

    async def _h_get_me(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        me = self.world.user_payload(self.world.bot_user_id)
        return 200, {**me, "verified": True, "mfa_enabled": False, "locale": "en-US", "email": None}

    async def _h_get_user(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        uid = int(p["user_id"])
        if uid not in self.world.users:
            raise ApiError(404, 10013)
        return 200, self.world.user_payload(uid)

    async def _h_create_dm(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        recipient = (rec.json if isinstance(rec.json, dict) else {}).get("recipient_id")
        try:
            channel = self.world.dm_channel(int(str(recipient)))
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, 50033) from None
        return 200, self.world.channel_payload(channel.id)

    async def _h_get_application(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        return 200, self.world.application_payload()

    async def _h_get_gateway(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        return 200, {"url": f"ws://127.0.0.1:{self.port}/gateway"}

    async def _h_get_gateway_bot(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        url = f"ws://127.0.0.1:{self.port}/gateway"
        return 200, {"url": url, "shards": self.recommended_shards, "session_start_limit": limit}

    # -- application commands ------------------------------------------------------------------

    def _command_scope(self, p: dict[str, str]) -> int | None:
        self._check_app(p["app_id"])
        return self.guild_or_error(p["guild_id"]) if "guild_id" in p else None

    def _store_command(self, body: JSON, scope: int | None, existing: list[JSON]) -> JSON:
        ctype = int(body.get("type", 1))
        previous = next(
            (c for c in existing if c["name"] == body.get("name") and c["type"] == ctype), None
        )
        command: JSON = {
            "id": previous["id"] if previous else str(self.ids()),
            "application_id": str(self.world.application_id),
            "version": str(self.ids()),
            "type": ctype,
            "name": body.get("name"),
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description", ""),
            "description_localizations": body.get("description_localizations"),
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types", [0]),
            "nsfw": body.get("nsfw", False),
        }
        if body.get("options"):
            command["options"] = copy.deepcopy(body["options"])
        if scope is not None:
            command["guild_id"] = str(scope)
        return command

    async def _h_list_commands(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        return 200, self.commands.get(self._command_scope(p), [])

    async def _h_overwrite_commands(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        scope = self._command_scope(p)
        bodies = rec.json if isinstance(rec.json, list) else []
        error = validate_commands(bodies)
        if error is not None:
            raise ApiError.from_body(400, error)
        existing = self.commands.get(scope, [])
        self.commands[scope] = [self._store_command(b, scope, existing) for b in bodies]
        return 200, self.commands[scope]

    async def _h_upsert_command(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        scope = self._command_scope(p)
        body = rec.json if isinstance(rec.json, dict) else {}
        error = validate_commands([body])
        if error is not None:
            raise ApiError.from_body(400, error)
        existing = self.commands.setdefault(scope, [])
        command = self._store_command(body, scope, existing)
        existing[:] = [c for c in existing if c["id"] != command["id"]] + [command]
        return 200, command

    def _find_stored_command(self, p: dict[str, str]) -> tuple[list[JSON], JSON]:
        commands = self.commands.get(self._command_scope(p), [])
        for command in commands:
            if command["id"] == p["command_id"]:
                return commands, command
        raise ApiError(404, 10063)

    async def _h_get_command(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        return 200, self._find_stored_command(p)[1]

    async def _h_edit_command(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        _, command = self._find_stored_command(p)
        command.update(rec.json if isinstance(rec.json, dict) else {})
        command["version"] = str(self.ids())
        return 200, command

    async def _h_delete_command(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        commands, command = self._find_stored_command(p)
        commands.remove(command)
        return 204, None

    # -- guilds ------------------------------------------------------------------------------

    async def _h_get_guild(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        gid = self.guild_or_error(p["guild_id"])
        data = self.world.guild_payload(gid)
        if rec.query.get("with_counts") in ("1", "true", "True"):
            count = len(self.world.guilds[gid].members)
            data.update(approximate_member_count=count, approximate_presence_count=count)
        return 200, data

    async def _h_get_roles(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        guild = self.world.guilds[self.guild_or_error(p["guild_id"])]
        return 200, [r.payload() for r in guild.roles.values()]

    async def _h_get_guild_channels(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        guild = self.world.guilds[self.guild_or_error(p["guild_id"])]
        return 200, [self.world.channel_payload(c) for c in guild.channel_ids]

    async def _h_list_members(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        gid = self.guild_or_error(p["guild_id"])
        after = int(rec.query.get("after", 0))
        limit = max(1, min(1000, int(rec.query.get("limit", 1))))
        ids = sorted(u for u in self.world.guilds[gid].members if u > after)[:limit]
        return 200, [self.world.member_payload(gid, u) for u in ids]

    async def _h_get_member(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        gid = self.guild_or_error(p["guild_id"])
        uid = int(p["user_id"])
        if uid not in self.world.guilds[gid].members:
            raise ApiError(404, 10007)
        return 200, self.world.member_payload(gid, uid)

    def _role_change(self, p: dict[str, str]) -> tuple[list[int], int]:
        """Check a role change as Discord does; the member's role list and the role id.

        The bot needs Manage Roles (or Administrator), and the role must sit below the
        bot's highest role: otherwise 403 50013 Missing Permissions, as on Discord.
        """
        gid = self.guild_or_error(p["guild_id"])
        guild = self.world.guilds[gid]
        uid, rid = int(p["user_id"]), int(p["role_id"])
        if uid not in guild.members:
            raise ApiError(404, 10007)
        if rid not in guild.roles:
            raise ApiError(404, 10011)
        bot = self.world.bot_user_id
        perms = self.world.permissions(gid, bot)
        if not perms & (MANAGE_ROLES | ADMINISTRATOR):
            raise ApiError(403, 50013)
        top = max((guild.roles[r].position for r in guild.members[bot].roles), default=0)
        if guild.roles[rid].position >= top:
            raise ApiError(403, 50013)
        return guild.members[uid].roles, rid

    async def _h_add_member_role(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        roles, rid = self._role_change(p)
        if rid not in roles:
            roles.append(rid)
        return 204, None

    async def _h_remove_member_role(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        roles, rid = self._role_change(p)
        if rid in roles:
            roles.remove(rid)
        return 204, None
