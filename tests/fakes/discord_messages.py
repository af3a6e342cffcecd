"""REST handlers of the fake Discord for messages: channels, interaction callbacks, webhooks.

``MessageRoutes`` implements what creates or changes messages: ``POST /channels/{id}/messages``
(with ``enforce_nonce`` deduplication, blocked DMs, permissions), message edits and deletes,
``POST /interactions/{id}/{token}/callback`` (types 4-9 and 12, ``with_response``, 40060 on a second
callback, the 3 s ack deadline) and the followup webhooks. It also emits MESSAGE_* gateway events.
"""

from __future__ import annotations

import asyncio
import copy
import time
from typing import TYPE_CHECKING, Any

from .discord_http import ApiError, RecordedRequest, Reply
from .discord_interactions import (
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_MESSAGE_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    InteractionHandle,
)
from .discord_payloads import (
    CHANNEL_DM,
    FLAG_COMPONENTS_V2,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    JSON,
    MANAGE_MESSAGES,
    MESSAGE_CHAT_INPUT_COMMAND,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    UploadedFile,
    number_components,
    validate_message_body,
)

if TYPE_CHECKING:
    from .discord_rest import DiscordRestServer

# Message flags a bot may set when creating a message (channel or interaction).
_CREATE_FLAGS = (1 << 2) | (1 << 12) | FLAG_COMPONENTS_V2
_INTERACTION_FLAGS = _CREATE_FLAGS | FLAG_EPHEMERAL
# Which callback types each interaction type accepts.
_ALLOWED_CALLBACKS = {
    INTERACTION_APPLICATION_COMMAND: {4, 5, 9, 12},
    INTERACTION_MESSAGE_COMPONENT: {4, 5, 6, 7, 9, 12},
    INTERACTION_AUTOCOMPLETE: {8},
    INTERACTION_MODAL_SUBMIT: {4, 5, 6, 7},
}


class MessageRoutes:
    """Message, interaction-callback and webhook handlers, sharing the server's state.

    Args:
        server: The fake server whose world, gateway and interaction registry are used.
    """

    def __init__(self, server: DiscordRestServer) -> None:
        self.server = server
        self.world = server.world

    def _message_in(self, cid: int, raw: str) -> JSON:
        msg = self.world.messages.get(int(raw))
        if msg is None or int(msg["channel_id"]) != cid:
            raise ApiError(404, 10008)
        return msg

    def announce(self, event: str, msg: JSON) -> None:
        """Send MESSAGE_CREATE/UPDATE/DELETE for a message, as Discord would, if anyone listens.

        Ephemeral messages produce no events; sessions without the GUILD_MESSAGES /
        DIRECT_MESSAGES intent get none; without MESSAGE_CONTENT, other users' guild messages
        arrive with empty content unless they mention the bot.
        """
        if int(msg.get("flags") or 0) & FLAG_EPHEMERAL:
            return
        cid = int(msg["channel_id"])
        gid = self.world.guild_of_channel(cid)
        session = self.server.gateway.session_for(gid)
        intent = INTENT_GUILD_MESSAGES if gid is not None else INTENT_DIRECT_MESSAGES
        if session is None or not session.intents & intent:
            return
        if event == "MESSAGE_DELETE":
            data: JSON = {"id": msg["id"], "channel_id": msg["channel_id"]}
        else:
            data = copy.deepcopy(msg)
            author = int(data["author"]["id"])
            bot = self.world.bot_user_id
            if gid is not None and author in self.world.guilds[gid].members:
                data["member"] = self.world.member_payload(gid, author, with_user=False)
            mentioned = any(int(m["id"]) == bot for m in data.get("mentions", []))
            gated = not session.intents & INTENT_MESSAGE_CONTENT
            if gid is not None and author != bot and not mentioned and gated:
                data.update(content="", embeds=[], attachments=[], components=[])
        if gid is not None:
            data["guild_id"] = str(gid)
        self.server.gateway.emit(session, event, data)

    def _validate(self, body: Any, files: list[UploadedFile], *, partial: bool = False) -> JSON:
        data: JSON = body if isinstance(body, dict) else {}
        error = validate_message_body(data, files=len(files), partial=partial)
        if error is not None:
            raise ApiError.from_body(400, error)
        _check_attachment_refs(data, files)
        return data

    # -- interactions --------------------------------------------------------------------------

    async def _h_interaction_callback(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        handle = self.server.interaction_by_id.get(int(p["interaction_id"]))
        if handle is None or handle.token != p["token"]:
            raise ApiError(404, 10062)
        body = rec.json if isinstance(rec.json, dict) else {}
        try:
            return await self._accept_callback(handle, body, rec)
        except ApiError:
            handle.rejected_callbacks.append(body)
            await handle.changed()
            raise

    async def _accept_callback(
        self, handle: InteractionHandle, body: JSON, rec: RecordedRequest
    ) -> Reply:
        loop_time = asyncio.get_running_loop().time()
        if handle.callbacks:
            raise ApiError(400, 40060)
        deadline = self.server.interaction_ack_deadline
        if deadline is not None and loop_time - handle.dispatched_at > deadline:
            raise ApiError(404, 10062)
        ctype = body.get("type")
        if ctype not in _ALLOWED_CALLBACKS.get(handle.type, set()):
            raise ApiError.invalid_form(
                ["type"], "INTERACTION_RESPONSE_TYPE_INVALID", f"Bad response type {ctype}"
            )
        data = body.get("data") or {}
        message: JSON | None = None
        resource: JSON = {"type": ctype}
        if ctype in (4, 5):
            if ctype == 4:
                self._validate(data, rec.files)
                flags = int(data.get("flags") or 0) & _INTERACTION_FLAGS
            else:
                flags = (int(data.get("flags") or 0) & FLAG_EPHEMERAL) | FLAG_LOADING
                data = {}
            message = self._interaction_message(handle, data, rec.files, flags)
            handle.original_message_id = int(message["id"])
            handle.loading = ctype == 5
            self.announce("MESSAGE_CREATE", message)
        elif ctype in (6, 7):
            if handle.component_message_id is None:
                raise ApiError(400, 50035, "Interaction has no message to update")
            handle.original_message_id = handle.component_message_id
            if ctype == 7:
                self._validate(data, rec.files, partial=True)
                message = self.world.edit_message(handle.component_message_id, data, rec.files)
                self.announce("MESSAGE_UPDATE", message)
        elif ctype == 8:
            if len(data.get("choices") or []) > 25:
                raise ApiError.invalid_form(
                    ["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
        elif ctype == 9:
            modal = copy.deepcopy(data)
            number_components(modal.get("components") or [])
            self.server.modals[str(modal.get("custom_id"))] = (modal, handle)
        elif ctype == 12:
            resource["activity_instance"] = {"id": str(self.server.ids())}
        handle.callbacks.append(body)
        handle.callback_files.append(rec.files)
        handle.acked_at = loop_time
        await handle.changed()
        if message is not None:
            resource["message"] = message
        interaction: JSON = {"id": str(handle.id), "type": handle.type}
        if handle.original_message_id is not None:
            interaction.update(
                response_message_id=str(handle.original_message_id),
                response_message_loading=ctype == 5,
                response_message_ephemeral=bool(
                    message is not None and int(message["flags"]) & FLAG_EPHEMERAL
                ),
            )
        if rec.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        return 200, {"interaction": interaction, "resource": resource}

    def _interaction_message(
        self, handle: InteractionHandle, data: JSON, files: list[UploadedFile], flags: int
    ) -> JSON:
        metadata: JSON = {
            "id": str(handle.id),
            "type": handle.type,
            "user": self.world.user_payload(handle.user_id),
            "authorizing_integration_owners": handle.payload["authorizing_integration_owners"],
        }
        if handle.component_message_id is not None:
            metadata["interacted_message_id"] = str(handle.component_message_id)
        if handle.original_message_id is not None:
            metadata["original_response_message_id"] = str(handle.original_message_id)
        is_command = handle.type == INTERACTION_APPLICATION_COMMAND
        return self.world.create_message(
            handle.channel_id,
            self.world.bot_user_id,
            data,
            files=files,
            message_type=MESSAGE_CHAT_INPUT_COMMAND if is_command else 0,
            flags=flags,
            extra={
                "webhook_id": str(self.world.application_id),
                "application_id": str(self.world.application_id),
                "interaction_metadata": metadata,
            },
        )

    def _webhook_handle(self, p: dict[str, str]) -> InteractionHandle:
        handle = self.server.interaction_by_token.get(p["token"])
        if handle is None or int(p["app_id"]) != self.world.application_id:
            raise ApiError(404, 10015)
        expired = (
            asyncio.get_running_loop().time() - handle.dispatched_at
            > self.server.interaction_token_ttl
        )
        if expired or not handle.callbacks:
            raise ApiError(404, 10015)
        return handle

    def _webhook_message(self, handle: InteractionHandle, raw: str) -> int:
        if raw == "@original":
            if handle.original_message_id is None:
                raise ApiError(404, 10008)
            mid = handle.original_message_id
        else:
            mid = int(raw)
            if mid != handle.original_message_id and all(
                int(m["id"]) != mid for m in handle.followups
            ):
                raise ApiError(404, 10008)
        if mid not in self.world.messages:
            raise ApiError(404, 10008)
        return mid

    async def _h_execute_followup(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        handle = self._webhook_handle(p)
        data = self._validate(rec.json, rec.files)
        if handle.loading and handle.original_message_id is not None:
            # The first followup after a "thinking" defer resolves the loading message.
            message = self.world.edit_message(handle.original_message_id, data, rec.files)
            message["flags"] = int(message["flags"]) & ~FLAG_LOADING
            handle.loading = False
            self.announce("MESSAGE_UPDATE", message)
        else:
            flags = int(data.get("flags") or 0) & _INTERACTION_FLAGS
            message = self._interaction_message(handle, data, rec.files, flags)
            self.announce("MESSAGE_CREATE", message)
        handle.followups.append(message)
        await handle.changed()
        if rec.query.get("wait") in ("1", "true", "True"):
            return 200, message
        return 204, None

    async def _h_get_webhook_message(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        handle = self._webhook_handle(p)
        return 200, self.world.messages[self._webhook_message(handle, p["wh_message"])]

    async def _h_edit_webhook_message(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        handle = self._webhook_handle(p)
        mid = self._webhook_message(handle, p["wh_message"])
        data = self._validate(rec.json, rec.files, partial=True)
        message = self.world.edit_message(mid, data, rec.files)
        if mid == handle.original_message_id:
            if handle.loading:
                message["flags"] = int(message["flags"]) & ~FLAG_LOADING
                handle.loading = False
            handle.edits.append(data)
        self.announce("MESSAGE_UPDATE", message)
        await handle.changed()
        return 200, message

    async def _h_delete_webhook_message(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        handle = self._webhook_handle(p)
        message = self.world.delete_message(self._webhook_message(handle, p["wh_message"]))
        if message is not None:
            self.announce("MESSAGE_DELETE", message)
        await handle.changed()
        return 204, None

    # -- channels and messages -----------------------------------------------------------------

    async def _h_get_channel(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        return 200, self.world.channel_payload(self.server.channel_or_error(p["channel_id"]))

    async def _h_list_messages(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        cid = self.server.channel_or_error(p["channel_id"])
        ids = list(reversed(self.world.channel_message_ids[cid]))
        if "before" in rec.query:
            ids = [m for m in ids if m < int(rec.query["before"])]
        if "after" in rec.query:
            ids = [m for m in ids if m > int(rec.query["after"])]
        limit = max(1, min(100, int(rec.query.get("limit", 50))))
        return 200, [self.world.messages[m] for m in ids[:limit]]

    async def _h_create_message(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        cid = self.server.channel_or_error(p["channel_id"])
        channel = self.world.channels[cid]
        bot = self.world.bot_user_id
        if channel.type == CHANNEL_DM:
            if channel.recipient_id in self.server.blocked_dm_users:
                raise ApiError(403, 50007)
        else:
            assert channel.guild_id is not None
            perms = self.world.permissions(channel.guild_id, bot)
            if not perms & VIEW_CHANNEL:
                raise ApiError(403, 50001)
            if not perms & SEND_MESSAGES:
                raise ApiError(403, 50013)
        body = self._validate(rec.json, rec.files)
        nonce = body.get("nonce")
        now = time.monotonic()
        if nonce is not None and body.get("enforce_nonce"):
            seen = self.server.nonces.get((bot, str(nonce)))
            if (
                seen is not None
                and now - seen[0] <= self.server.nonce_window
                and seen[1] in self.world.messages
            ):
                return 200, self.world.messages[seen[1]]
        flags = int(body.get("flags") or 0) & _CREATE_FLAGS
        message = self.world.create_message(cid, bot, body, files=rec.files, flags=flags)
        if nonce is not None:
            self.server.nonces[(bot, str(nonce))] = (now, int(message["id"]))
        self.announce("MESSAGE_CREATE", message)
        return 200, message

    async def _h_get_message(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        return 200, self._message_in(self.server.channel_or_error(p["channel_id"]), p["message_id"])

    async def _h_edit_message(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        cid = self.server.channel_or_error(p["channel_id"])
        message = self._message_in(cid, p["message_id"])
        if int(message["author"]["id"]) != self.world.bot_user_id:
            raise ApiError(403, 50005)
        data = self._validate(rec.json, rec.files, partial=True)
        message = self.world.edit_message(int(message["id"]), data, rec.files)
        self.announce("MESSAGE_UPDATE", message)
        return 200, message

    async def _h_delete_message(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        cid = self.server.channel_or_error(p["channel_id"])
        message = self._message_in(cid, p["message_id"])
        gid = self.world.guild_of_channel(cid)
        own = int(message["author"]["id"]) == self.world.bot_user_id
        if not own and (
            gid is None or not self.world.permissions(gid, self.world.bot_user_id) & MANAGE_MESSAGES
        ):
            raise ApiError(403, 50013)
        self.world.delete_message(int(message["id"]))
        self.announce("MESSAGE_DELETE", message)
        return 204, None

    async def _h_typing(self, rec: RecordedRequest, p: dict[str, str]) -> Reply:
        self.server.channel_or_error(p["channel_id"])
        return 204, None


def _check_attachment_refs(data: JSON, files: list[UploadedFile]) -> None:
    """An embed that shows ``attachment://NAME`` must come with an upload of that name.

    Real Discord leaves such an embed without its image; failing loudly here catches a
    renderer that names a file it did not attach. Uploaded images must carry a
    description (alt text) in ``attachments``, as studybot promises for every card.
    """
    uploaded = {f.filename for f in files}
    for index, embed in enumerate(data.get("embeds") or []):
        url = str((embed.get("image") or {}).get("url") or "")
        if url.startswith("attachment://") and url.removeprefix("attachment://") not in uploaded:
            raise ApiError.invalid_form(
                ["embeds", str(index), "image", "url"], "UNKNOWN_ATTACHMENT", "Unknown attachment"
            )
    described = {
        str(a.get("filename")) for a in data.get("attachments") or [] if a.get("description")
    }
    for upload in files:
        is_image = (upload.content_type or "").startswith("image/") or upload.filename.endswith(
            ".png"
        )
        if is_image and upload.filename not in described:
            raise ApiError.invalid_form(
                ["attachments"], "IMAGE_WITHOUT_ALT_TEXT", f"{upload.filename} has no description"
            )
