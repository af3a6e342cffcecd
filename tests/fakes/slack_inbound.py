"""Driving inbound traffic into a bolt app the way Slack does (mixed into ``FakeSlack``).

Payload builders produce the exact shapes Slack sends (slash command form fields, ``block_actions``
JSON, Events API ``event_callback``); the ``send_*`` drivers POST them to the app's HTTP endpoint
signed with the v0 HMAC scheme over the exact bytes sent, and the same builders feed
:meth:`tests.fakes.slack_server.FakeSlack.socket_send` for Socket Mode.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import aiohttp

from .slack_payloads import find_block_element, new_event_id, new_trigger_id, sign
from .slack_records import InboundRequest, Recorder
from .slack_sink import ResponseUrlSink
from .slack_world import SlackChannel, SlackUser, SlackWorld

__all__ = ["InboundDriverMixin"]

Args = dict[str, Any]


class InboundDriverMixin:
    """Payload builders and signed HTTP drivers; needs the attributes declared below."""

    world: SlackWorld
    recorder: Recorder
    sink: ResponseUrlSink
    verification_token: str
    _session: aiohttp.ClientSession | None

    def _default_user(self, user_id: str | None) -> SlackUser:
        if user_id is None:
            humans = [u for u in self.world.users.values() if not u.is_bot]
            if not humans:
                raise ValueError("FakeSlack: add_user() first or pass user_id")
            return humans[0]
        user = self.world.users.get(user_id)
        if user is None:
            raise ValueError(f"FakeSlack: unknown user {user_id!r}; add_user() it first")
        return user

    def _default_channel(self, channel_id: str | None) -> str:
        if channel_id is not None:
            return channel_id
        for channel in self.world.channels.values():
            if not channel.is_im and not channel.is_mpim:
                return channel.id
        raise ValueError("FakeSlack: add_channel() first or pass channel_id")

    def _channel_name(self, channel_id: str) -> str:
        channel = self.world.channels.get(channel_id)
        if channel is None:
            return "unknown"
        if channel.is_im:
            return "directmessage"
        return "privategroup" if channel.is_private and not channel.is_mpim else channel.name

    def slash_command_payload(
        self,
        command: str = "/done",
        text: str = "",
        *,
        user_id: str | None = None,
        channel_id: str | None = None,
        team_id: str | None = None,
        response_url_id: str | None = None,
        trigger_id: str | None = None,
    ) -> dict[str, str]:
        """Build a slash command payload (form fields over HTTP, a dict over Socket Mode).

        A fresh ``response_url`` pointing at the sink is registered for it.
        """
        user = self._default_user(user_id)
        channel = self._default_channel(channel_id)
        rid = response_url_id or uuid.uuid4().hex
        return {
            "token": self.verification_token,
            "team_id": team_id or self.world.team_id,
            "team_domain": self.world.team_domain,
            "channel_id": channel,
            "channel_name": self._channel_name(channel),
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": self.world.app_id,
            "is_enterprise_install": "false",
            "response_url": self.sink.register(rid, channel_id=channel, user_id=user.id),
            "trigger_id": trigger_id or new_trigger_id(),
        }

    def _find_message(self, ts: str) -> tuple[SlackChannel, Args, bool] | None:
        for channel in self.world.channels.values():
            msg = channel.find(ts)
            if msg is not None:
                return channel, msg, False
            for eph in channel.ephemerals:
                if eph["ts"] == ts:
                    return channel, eph, True
        return None

    @staticmethod
    def _action(element: Args, block_id: str | None, value: str | None) -> Args:
        kind = element.get("type", "button")
        action: Args = {
            "action_id": element["action_id"],
            "block_id": block_id,
            "type": kind,
            "action_ts": f"{time.time():.6f}",
        }
        chosen = value if value is not None else element.get("value")
        if kind == "button":
            action["text"] = element.get("text")
            if chosen is not None:
                action["value"] = chosen
            if "style" in element:
                action["style"] = element["style"]
        elif kind in ("static_select", "external_select", "overflow", "radio_buttons"):
            options = element.get("options") or []
            option = next((o for o in options if o.get("value") == chosen), None)
            action["selected_option"] = option or {
                "text": {"type": "plain_text", "text": str(chosen)},
                "value": chosen,
            }
        elif kind == "users_select":
            action["selected_user"] = chosen
        elif kind == "conversations_select":
            action["selected_conversation"] = chosen
        elif kind == "channels_select":
            action["selected_channel"] = chosen
        elif kind == "datepicker":
            action["selected_date"] = chosen
        else:
            action["value"] = chosen
        return action

    def block_actions_payload(
        self,
        action_id: str,
        value: str | None = None,
        *,
        message: Args | None = None,
        view: Args | None = None,
        channel_id: str | None = None,
        user_id: str | None = None,
        response_url_id: str | None = None,
        trigger_id: str | None = None,
    ) -> Args:
        """Build a ``block_actions`` payload for a click on ``action_id``.

        Args:
            action_id: Must exist in the message's (or view's) blocks, as on real Slack.
            value: Value to report; defaults to the element's own ``value``.
            message: A message the fake stored (from :meth:`messages`, or a
                ``chat.postMessage`` call's ``response["message"]``).
            view: An App Home view (from :meth:`home_view`) instead of a message.
            channel_id: Channel of ``message``; looked up by ``ts`` when omitted.
            user_id: Who clicked; defaults to the first human user.
            response_url_id: Id for the minted response_url (message clicks only).
            trigger_id: Trigger id; fresh when omitted.

        Raises:
            ValueError: When neither message nor view is given or the action id is absent.
        """
        user = self._default_user(user_id)
        payload: Args = {
            "type": "block_actions",
            "user": {
                "id": user.id,
                "username": user.name,
                "name": user.name,
                "team_id": self.world.team_id,
            },
            "api_app_id": self.world.app_id,
            "token": self.verification_token,
            "trigger_id": trigger_id or new_trigger_id(),
            "team": {"id": self.world.team_id, "domain": self.world.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
        }
        if view is not None:
            blocks = view.get("blocks")
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = copy.deepcopy(view)
        elif message is not None:
            ts = str(message["ts"])
            found = self._find_message(ts)
            ephemeral = bool(found and found[2]) or "to_user" in message
            channel = channel_id or (found[0].id if found else None)
            if channel is None:
                raise ValueError(f"FakeSlack: cannot tell the channel of message {ts}")
            blocks = message.get("blocks")
            rid = response_url_id or uuid.uuid4().hex
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": channel, "name": self._channel_name(channel)}
            if not ephemeral:
                payload["message"] = {k: v for k, v in message.items() if k != "to_user"}
            payload["response_url"] = self.sink.register(
                rid, channel_id=channel, user_id=user.id, message_ts=ts
            )
        else:
            raise ValueError("FakeSlack: pass message= or view=")
        located = find_block_element(blocks, action_id)
        if located is None:
            raise ValueError(f"FakeSlack: no element with action_id {action_id!r} in the blocks")
        payload["actions"] = [self._action(located[1], located[0], value)]
        return payload

    def event_payload(
        self, event: Args, *, event_id: str | None = None, event_time: int | None = None
    ) -> Args:
        """Wrap ``event`` in an Events API ``event_callback`` envelope."""
        event = dict(event)
        event.setdefault("event_ts", f"{time.time():.6f}")
        return {
            "token": self.verification_token,
            "team_id": self.world.team_id,
            "api_app_id": self.world.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or new_event_id(),
            "event_time": event_time if event_time is not None else int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.world.team_id,
                    "user_id": self.world.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + uuid.uuid4().hex,
        }

    def app_home_opened_event(self, user_id: str, tab: str = "home") -> Args:
        """Build an ``app_home_opened`` event (with the current view when one is published)."""
        event: Args = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.world.dm_id(user_id),
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        }
        view = self.world.home_views.get(user_id)
        if view is not None and tab == "home":
            event["view"] = copy.deepcopy(view)
        return event

    async def send_signed(
        self,
        url: str,
        secret: str,
        body: str,
        content_type: str,
        *,
        kind: str = "raw",
        payload: Args | None = None,
        response_url_id: str | None = None,
        ts: int | None = None,
        bad_signature: bool = False,
        headers: dict[str, str] | None = None,
    ) -> aiohttp.ClientResponse:
        """POST ``body`` to the app, signed exactly as sent; returns the (read) response.

        Args:
            url: The app's endpoint, e.g. ``http://127.0.0.1:PORT/slack/events``.
            secret: Signing secret.
            body: The exact body to send.
            content_type: ``application/x-www-form-urlencoded`` or ``application/json``.
            kind: Label for :meth:`inbound`.
            payload: Logical payload for :meth:`inbound`.
            response_url_id: Recorded with the request.
            ts: Timestamp to sign with (default now); use ``now - 360`` for a stale request.
            bad_signature: Sign with a wrong secret.
            headers: Extra headers (retry headers...).

        Returns:
            The aiohttp response with its body already read (``await resp.text()`` works).
        """
        if self._session is None:
            raise RuntimeError("FakeSlack is not started")
        sent = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **sign(secret + ("-wrong" if bad_signature else ""), body, ts),
            **(headers or {}),
        }
        async with self._session.post(url, data=body.encode("utf-8"), headers=sent) as resp:
            answer = (await resp.read()).decode("utf-8", "replace")
        self.recorder.inbound.append(
            InboundRequest(
                kind=kind,
                url=url,
                headers=sent,
                body=body,
                payload=payload or {},
                response_url_id=response_url_id,
                status=resp.status,
                answer=answer,
                at=time.monotonic(),
            )
        )
        await self.recorder.notify()
        return resp

    @staticmethod
    def _retry_headers(retry_num: int | None, retry_reason: str | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        elif retry_reason:
            headers["X-Slack-Retry-Reason"] = retry_reason
        return headers

    async def send_slash_command(
        self,
        url: str,
        secret: str,
        command: str = "/done",
        text: str = "",
        user_id: str | None = None,
        team_id: str | None = None,
        channel_id: str | None = None,
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        ts: int | None = None,
        bad_signature: bool = False,
        response_url_id: str | None = None,
    ) -> aiohttp.ClientResponse:
        """Send a signed, form-encoded slash command; an ack body is shown like Slack does.

        The minted response_url id is in ``fake.inbound()[-1].response_url_id`` (or pass
        ``response_url_id``).
        """
        rid = response_url_id or uuid.uuid4().hex
        fields = self.slash_command_payload(
            command,
            text,
            user_id=user_id,
            channel_id=channel_id,
            team_id=team_id,
            response_url_id=rid,
        )
        resp = await self.send_signed(
            url,
            secret,
            urlencode(fields),
            "application/x-www-form-urlencoded",
            kind="slash_command",
            payload=fields,
            response_url_id=rid,
            ts=ts,
            bad_signature=bad_signature,
            headers=self._retry_headers(retry_num, retry_reason),
        )
        answer = self.recorder.inbound[-1].answer
        if resp.status == 200 and answer:
            try:
                reply = json.loads(answer) if resp.content_type == "application/json" else None
            except ValueError:
                reply = None
            self.sink.apply_reply(
                fields["channel_id"],
                fields["user_id"],
                None,
                reply if isinstance(reply, dict) else {"text": answer},
            )
        return resp

    async def send_block_action(
        self,
        url: str,
        secret: str,
        action_id: str,
        value: str | None = None,
        *,
        message: Args | None = None,
        view: Args | None = None,
        channel_id: str | None = None,
        user_id: str | None = None,
        retry_num: int | None = None,
        ts: int | None = None,
        bad_signature: bool = False,
        response_url_id: str | None = None,
    ) -> aiohttp.ClientResponse:
        """Send a signed ``block_actions`` click (form field ``payload=<json>``)."""
        rid = response_url_id or uuid.uuid4().hex
        payload = self.block_actions_payload(
            action_id,
            value,
            message=message,
            view=view,
            channel_id=channel_id,
            user_id=user_id,
            response_url_id=rid,
        )
        return await self.send_signed(
            url,
            secret,
            urlencode({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
            kind="block_actions",
            payload=payload,
            response_url_id=rid if "response_url" in payload else None,
            ts=ts,
            bad_signature=bad_signature,
            headers=self._retry_headers(retry_num, None),
        )

    async def send_event(
        self,
        url: str,
        secret: str,
        event: Args,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        ts: int | None = None,
        bad_signature: bool = False,
    ) -> aiohttp.ClientResponse:
        """Send a signed Events API ``event_callback`` (JSON), with optional retry headers.

        Re-send with the same ``event_id`` and ``retry_num=1..3`` to imitate Slack's retries.
        """
        payload = self.event_payload(event, event_id=event_id)
        return await self.send_signed(
            url,
            secret,
            json.dumps(payload),
            "application/json",
            kind="event_callback",
            payload=payload,
            ts=ts,
            bad_signature=bad_signature,
            headers=self._retry_headers(retry_num, retry_reason),
        )

    async def send_url_verification(
        self, url: str, secret: str, challenge: str | None = None, *, ts: int | None = None
    ) -> aiohttp.ClientResponse:
        """Send the signed ``url_verification`` handshake; the app must echo ``challenge``."""
        payload = {
            "token": self.verification_token,
            "challenge": challenge or uuid.uuid4().hex,
            "type": "url_verification",
        }
        return await self.send_signed(
            url,
            secret,
            json.dumps(payload),
            "application/json",
            kind="url_verification",
            payload=payload,
            ts=ts,
        )
