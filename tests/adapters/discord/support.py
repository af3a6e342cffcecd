"""Driving the real app's Discord adapter through the loopback Discord, like a user would."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.factory import create
from bot.app import App
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.commands import Registry
from tests.fakes.discord_payloads import FLAG_EPHEMERAL, FLAG_LOADING
from tests.fakes.discord_server import FakeDiscord, InteractionHandle

TOKEN = "studybot-test-token"
JSON = dict[str, Any]


class StudyFakeDiscord(FakeDiscord):
    """The shared fake with a moderator member added to its default guild.

    It also models one more Discord behaviour the shared fake lacks (reported to its
    author): deleting a deferred "thinking" response resolves it, so the next followup
    creates a new message with its own flags (discord/discord-api-docs#2739) instead of
    editing the deleted one.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        assert self.guild_id is not None
        self.moderator_id = self.add_member(self.guild_id, name="mod", manage_guild=True)

    async def _h_delete_webhook_message(self, rec: Any, p: dict[str, str]) -> Any:
        handle = self.interaction_by_token.get(p["token"])
        result = await self.messages._h_delete_webhook_message(rec, p)
        original = handle.original_message_id if handle is not None else None
        if handle is not None and p["wh_message"] in ("@original", str(original)):
            handle.loading = False
        return result


def message_text(message: JSON) -> str:
    """Everything a user reads in a message: content and every embed part."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


def is_ephemeral(message: JSON) -> bool:
    """Whether only the caller sees ``message``."""
    return bool(int(message.get("flags") or 0) & FLAG_EPHEMERAL)


def custom_ids(message: JSON) -> list[str]:
    """The custom ids of a message's buttons, in order."""
    return [
        c["custom_id"]
        for row in message.get("components") or []
        for c in row.get("components") or []
        if c.get("custom_id")
    ]


@dataclass
class Answer:
    """What the bot answered to one interaction, once it finished handling it."""

    handle: InteractionHandle
    messages: list[JSON]

    @property
    def text(self) -> str:
        """The text of every message the user got, joined."""
        return "\n\n".join(message_text(m) for m in self.messages)

    @property
    def ephemeral(self) -> bool:
        """Whether the answer has messages and every one is private to the caller."""
        return bool(self.messages) and all(is_ephemeral(m) for m in self.messages)


@dataclass
class DiscordBot:
    """The real :class:`App` with the Discord adapter, connected to a :class:`FakeDiscord`."""

    fake: StudyFakeDiscord
    settings: Settings
    clock: FakeClock
    content: ContentStore
    app: App | None = None
    options: dict[str, Any] = field(
        default_factory=lambda: {"guild_ready_timeout": 0.05, "ready_timeout": 5.0}
    )

    async def start(self) -> None:
        """Start a fresh app process (database state persists in the SQLite file)."""
        self.app = App(
            settings=self.settings,
            clock=self.clock,
            content=self.content,
            adapter_factories=[lambda app: create(app, **self.options)],
        )
        await self.app.start()

    async def stop(self) -> None:
        """Stop the app (adapters first), as SIGTERM would."""
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def restart(self) -> None:
        """Stop and start again: a new discord.py client, nothing kept in memory."""
        await self.stop()
        await self.start()

    @property
    def adapter(self) -> DiscordAdapter:
        assert self.app is not None
        adapter = self.app.adapters[0]
        assert isinstance(adapter, DiscordAdapter)
        return adapter

    @property
    def registry(self) -> Registry:
        assert self.app is not None
        return self.app.require_services().registry

    async def sync(self) -> None:
        """Register the commands (so the fake types options like Discord would)."""
        await self.adapter.publish_commands(self.registry)

    async def finish(self, handle: InteractionHandle, seconds: float = 5.0) -> Answer:
        """Wait for the acknowledgement, then until the adapter is done; collect the messages."""
        await handle.wait_response(seconds)
        await asyncio.wait_for(self.adapter.handler.wait_idle(), seconds)
        seen: dict[int, JSON] = {}
        original = handle.original_message()
        if original is not None and handle.type == 2:
            seen[int(original["id"])] = original
        for message in handle.followups:
            current = self.fake.world.messages.get(int(message["id"]))
            if current is not None:
                seen[int(message["id"])] = current
        messages = [m for m in seen.values() if not int(m.get("flags") or 0) & FLAG_LOADING]
        return Answer(handle, messages)

    async def run(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: int | None = None,
        subcommand: str | None = None,
    ) -> Answer:
        """Run a slash command as ``user`` (default: alice) and return the answer."""
        handle = await self.fake.slash_command(name, options, user=user, subcommand=subcommand)
        return await self.finish(handle)

    async def click(
        self, message: JSON | int, custom_id: str, *, user: int | None = None
    ) -> Answer:
        """Click a button on a stored message and return the answer."""
        handle = await self.fake.click_button(message, custom_id, user=user)
        return await self.finish(handle)
