"""The Web API methods the fake Slack serves, as synchronous functions over :class:`SlackWorld`.

Each method takes the decoded arguments and returns the response body without ``"ok"``; a failure
raises :class:`ApiError`, which the endpoint answers as ``HTTP 200 {"ok": false, "error": ...}``
like real Slack. Shapes and error codes follow Slack's method reference.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
from typing import Any

from .slack_payloads import block_errors
from .slack_world import ApiError, SlackChannel, SlackWorld, truthy

__all__ = ["SlackWebApi"]

Args = dict[str, Any]
Handler = Callable[[Args], Args]


def _int_arg(args: Args, name: str, default: int) -> int:
    value = args.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments", response_metadata={"messages": [name]}) from None


def _required(args: Args, name: str, error: str = "invalid_arguments") -> str:
    value = args.get(name)
    if value in (None, ""):
        raise ApiError(error)
    return str(value)


class SlackWebApi(SlackWorld):
    """:class:`SlackWorld` plus its Web API methods, dispatched through :attr:`methods`."""

    def __init__(self, **kwargs: Any) -> None:
        """Create the workspace; ``kwargs`` are those of :class:`SlackWorld`."""
        super().__init__(**kwargs)
        self.methods: dict[str, Handler] = {
            "api.test": self.api_test,
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "users.info": self.users_info,
            "usergroups.users.list": self.usergroups_users_list,
            "views.publish": self.views_publish,
            "conversations.open": self.conversations_open,
            "conversations.info": self.conversations_info,
            "conversations.join": self.conversations_join,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "conversations.members": self.conversations_members,
        }

    @staticmethod
    def _page(items: list[Any], args: Args, default_limit: int) -> tuple[list[Any], str]:
        limit = max(1, min(_int_arg(args, "limit", default_limit), 999))
        cursor = str(args.get("cursor") or "")
        start = 0
        if cursor:
            if not cursor.startswith("offset:"):
                raise ApiError("invalid_cursor")
            start = int(cursor.split(":", 1)[1])
        page = items[start : start + limit]
        more = start + limit < len(items)
        return page, (f"offset:{start + limit}" if more else "")

    def api_test(self, args: Args) -> Args:
        """``api.test``: echo the arguments; ``error=x`` makes it fail with ``x``."""
        if args.get("error"):
            raise ApiError(str(args["error"]), args=args)
        return {"args": args}

    def auth_test(self, args: Args) -> Args:
        """``auth.test`` for the bot token."""
        return {
            "url": self.url,
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def chat_post_message(self, args: Args) -> Args:
        """``chat.postMessage``: store the message and return it with its ``ts``."""
        channel = self.postable_channel(_required(args, "channel", "channel_not_found"))
        self.check_content(args)
        ts = self.next_ts()
        msg = self.bot_message(args, ts)
        channel.messages.append(msg)
        return {"channel": channel.id, "ts": ts, "message": copy.deepcopy(msg)}

    def chat_post_ephemeral(self, args: Args) -> Args:
        """``chat.postEphemeral``: record a message only ``user`` can see."""
        channel = self.postable_channel(_required(args, "channel", "channel_not_found"))
        user = _required(args, "user", "user_not_found")
        if user not in self.users:
            raise ApiError("user_not_found")
        if user not in self.channel_members(channel):
            raise ApiError("user_not_in_channel")
        self.check_content(args)
        ts = self.next_ts()
        msg = self.bot_message(args, ts)
        msg["to_user"] = user
        channel.ephemerals.append(msg)
        return {"message_ts": ts}

    def _own_message(self, args: Args, cant: str) -> tuple[SlackChannel, Args]:
        channel = self.visible_channel(_required(args, "channel", "channel_not_found"))
        msg = channel.find(_required(args, "ts", "message_not_found"))
        if msg is None:
            raise ApiError("message_not_found")
        if msg.get("bot_id") != self.bot_id:
            raise ApiError(cant)
        return channel, msg

    def chat_update(self, args: Args) -> Args:
        """``chat.update``: replace text/blocks/attachments/metadata of one of the bot's posts."""
        channel, msg = self._own_message(args, "cant_update_message")
        self.check_content(args, required=False)
        if "text" in args and args["text"] is not None:
            msg["text"] = args["text"]
        for key in ("blocks", "attachments", "metadata"):
            if key in args and args[key] is not None:
                if args[key] in ([], ""):
                    msg.pop(key, None)
                else:
                    msg[key] = copy.deepcopy(args[key])
        if not (msg.get("text") or msg.get("blocks") or msg.get("attachments")):
            raise ApiError("no_text")
        msg["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}
        body = {k: copy.deepcopy(v) for k, v in msg.items() if k != "ts"}
        return {"channel": channel.id, "ts": msg["ts"], "text": msg["text"], "message": body}

    def chat_delete(self, args: Args) -> Args:
        """``chat.delete``: remove one of the bot's posts."""
        channel, msg = self._own_message(args, "cant_delete_message")
        channel.messages.remove(msg)
        return {"channel": channel.id, "ts": msg["ts"]}

    def users_info(self, args: Args) -> Args:
        """``users.info``."""
        user = self.users.get(str(args.get("user") or ""))
        if user is None:
            raise ApiError("user_not_found")
        return {"user": user.to_api()}

    def usergroups_users_list(self, args: Args) -> Args:
        """``usergroups.users.list``."""
        group = self.usergroups.get(str(args.get("usergroup") or ""))
        if group is None:
            raise ApiError("no_such_subteam")
        include_disabled = truthy(args.get("include_disabled"))
        users = [
            u
            for u in group.users
            if include_disabled or not (u in self.users and self.users[u].deleted)
        ]
        return {"users": users}

    def views_publish(self, args: Args) -> Args:
        """``views.publish``: store the user's App Home view."""
        user_id = _required(args, "user_id")
        if user_id not in self.users:
            raise ApiError("user_not_found")
        view = args.get("view")
        if not isinstance(view, dict) or view.get("type") != "home":
            raise ApiError("invalid_arguments", response_metadata={"messages": ["view.type"]})
        errors = block_errors(view.get("blocks", []), max_blocks=100)
        if errors:
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
            )
        previous = self.home_views.get(user_id)
        given_hash = args.get("hash")
        if given_hash and previous is not None and given_hash != previous["hash"]:
            raise ApiError("hash_conflict")
        view_id = previous["id"] if previous else "V" + uuid.uuid4().hex[:10].upper()
        stored: Args = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "home",
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "title": {"type": "plain_text", "text": "View Title"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self.home_views[user_id] = stored
        return {"view": copy.deepcopy(stored)}

    def conversations_open(self, args: Args) -> Args:
        """``conversations.open`` for a DM (one user) or a group DM (several users)."""
        if args.get("channel"):
            channel = self.visible_channel(str(args["channel"]))
            return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
        raw = args.get("users")
        if isinstance(raw, list):
            user_ids = [str(u) for u in raw]
        else:
            user_ids = [u.strip() for u in str(raw or "").split(",") if u.strip()]
        if not user_ids:
            raise ApiError("users_list_not_supplied")
        if len(user_ids) == 1:
            channel, already = self.open_dm(user_ids[0])
        else:
            for uid in user_ids:
                if uid not in self.users:
                    raise ApiError("user_not_found")
            key = sorted(set(user_ids))
            found = [c for c in self.channels.values() if c.is_mpim and c.members == key]
            already = bool(found)
            if found:
                channel = found[0]
            else:
                channel = SlackChannel(
                    id="G" + uuid.uuid4().hex[:10].upper(),
                    name="mpdm-" + "--".join(key),
                    is_private=True,
                    is_mpim=True,
                    members=key,
                )
                self.channels[channel.id] = channel
        body: Args = {"channel": {"id": channel.id}}
        if already:
            body.update(no_op=True, already_open=True)
        if truthy(args.get("return_im")):
            body["channel"] = self.channel_api(channel)
        return body

    def conversations_info(self, args: Args) -> Args:
        """``conversations.info``."""
        channel = self.visible_channel(_required(args, "channel", "channel_not_found"))
        return {
            "channel": self.channel_api(
                channel, num_members=truthy(args.get("include_num_members"))
            )
        }

    def conversations_join(self, args: Args) -> Args:
        """``conversations.join`` (public channels only, like real Slack)."""
        channel = self.channels.get(_required(args, "channel", "channel_not_found"))
        if channel is None or (channel.is_private and not channel.bot_is_member):
            raise ApiError("channel_not_found")
        if channel.is_im or channel.is_mpim or channel.is_private:
            raise ApiError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise ApiError("is_archived")
        body: Args = {}
        if channel.bot_is_member:
            body = {
                "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]},
            }
        channel.bot_is_member = True
        body["channel"] = self.channel_api(channel)
        return body

    @staticmethod
    def _history_view(msg: Args, include_metadata: bool) -> Args:
        out = copy.deepcopy(msg)
        if not include_metadata:
            out.pop("metadata", None)
        return out

    def conversations_history(self, args: Args) -> Args:
        """``conversations.history``: newest first; honours limit/oldest/latest/cursor/metadata."""
        channel = self.readable_channel(_required(args, "channel", "channel_not_found"))
        inclusive = truthy(args.get("inclusive"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else float("inf")

        def in_range(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        top_level = [
            m
            for m in channel.messages
            if in_range(float(m["ts"]))
            and (m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast")
        ]
        newest_first = list(reversed(top_level))
        page, next_cursor = self._page(newest_first, args, 100)
        include = truthy(args.get("include_all_metadata"))
        body: Args = {
            "messages": [self._history_view(m, include) for m in page],
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }
        if next_cursor:
            body["response_metadata"] = {"next_cursor": next_cursor}
        return body

    def conversations_replies(self, args: Args) -> Args:
        """``conversations.replies``: the thread parent followed by its replies, oldest first."""
        channel = self.readable_channel(_required(args, "channel", "channel_not_found"))
        ts = _required(args, "ts", "thread_not_found")
        if channel.find(ts) is None:
            raise ApiError("thread_not_found")
        thread = [m for m in channel.messages if m["ts"] == ts or m.get("thread_ts") == ts]
        page, next_cursor = self._page(thread, args, 1000)
        include = truthy(args.get("include_all_metadata"))
        body: Args = {
            "messages": [self._history_view(m, include) for m in page],
            "has_more": bool(next_cursor),
        }
        if next_cursor:
            body["response_metadata"] = {"next_cursor": next_cursor}
        return body

    def conversations_members(self, args: Args) -> Args:
        """``conversations.members`` with cursor pagination."""
        channel = self.visible_channel(_required(args, "channel", "channel_not_found"))
        page, next_cursor = self._page(self.channel_members(channel), args, 100)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}
