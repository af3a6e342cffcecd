"""Self-test of the Discord fake: the real discord.py 2.7 client driven against FakeDiscord."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from .discord_payloads import FLAG_EPHEMERAL, FLAG_LOADING
from .discord_server import FakeDiscord

TOKEN = "fake-token"


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(
            discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url)
        )
        yield server


def make_bot(**options: Any) -> commands.Bot:
    return commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05, **options
    )


@asynccontextmanager
async def running(bot: commands.Bot) -> AsyncIterator[commands.Bot]:
    """Start the bot against the fake, wait for on_ready, always close it afterwards."""
    async with bot:
        task = asyncio.create_task(bot.start(TOKEN))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 5)
            yield bot
        finally:
            await bot.close()
            await task


class Confirm(discord.ui.View):
    """A persistent view: no timeout, a fixed custom_id."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(
        label="Confirm", style=discord.ButtonStyle.success, custom_id="study:confirm"
    )
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.edit_message(content="confirmed", view=None)
        await interaction.followup.send("saved for you", ephemeral=True)


class Level(discord.ui.View):
    """A view with a string select."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.select(
        custom_id="study:level",
        options=[discord.SelectOption(label=v, value=v) for v in ("beginner", "advanced")],
    )
    async def level(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.send_message(f"level {select.values[0]}", ephemeral=True)


class Notes(discord.ui.Modal, title="Notes"):
    note: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Note", custom_id="note")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.note.value}", ephemeral=True)


def study_bot() -> commands.Bot:
    """A bot with the commands the tests drive."""
    bot = make_bot()

    @bot.tree.command(description="Ask to confirm a topic")
    async def ask(interaction: discord.Interaction, topic: str, count: int = 1) -> None:
        await interaction.response.send_message(f"{topic} x{count}?", view=Confirm())

    @bot.tree.command(description="Slow work")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("slow result")
        await interaction.edit_original_response(content="slow result (edited)")
        await interaction.followup.send("one more")

    async def topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["python", "postgres", "redis", "http"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @bot.tree.command(description="Pick a topic")
    @app_commands.autocomplete(topic=topics)
    async def pick(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.send_message(topic)

    @bot.tree.command(description="Take a note")
    async def note(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Notes(custom_id="study:notes"))

    @bot.tree.command(description="Export notes")
    async def export(interaction: discord.Interaction) -> None:
        notes = discord.File(io.BytesIO(b"SELECT 1;"), filename="notes.sql")
        await interaction.response.send_message("your notes", file=notes, view=Level())

    @bot.tree.command(description="Too long")
    async def shout(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("a" * 2001)
        except discord.HTTPException as error:
            await interaction.response.send_message(f"refused {error.code}")

    streak = app_commands.Group(name="streak", description="Streaks")

    @streak.command(name="show", description="Show a member's streak")
    async def show(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"{member.display_name}: 3 days")

    bot.tree.add_command(streak)

    async def setup_hook() -> None:
        bot.add_view(Confirm())

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_login_ready_and_guild_available(fake: FakeDiscord) -> None:
    bot = make_bot()
    async with running(bot):
        assert bot.user is not None and bot.user.id == fake.bot_user_id
        assert bot.application_id == fake.application_id
        guild = bot.get_guild(fake.guild_id or 0)
        assert guild is not None and guild.name == "Study Group" and not guild.unavailable
        assert [c.name for c in guild.text_channels] == ["general"]
        assert guild.me is not None and guild.me.guild_permissions.send_messages
        assert (await bot.application_info()).owner.id == fake.owner_id
    assert fake.identify_count == 1
    assert fake.identifies[0]["intents"] == discord.Intents.default().value
    assert fake.gateway.connection_log[0]["query"] == {
        "v": "10",
        "encoding": "json",
        "compress": "zlib-stream",
    }
    assert fake.requests("GET", r"^/users/@me$")[0].headers["Authorization"] == f"Bot {TOKEN}"
    assert fake.requests("GET", r"^/oauth2/applications/@me$")


async def test_bad_token_is_a_login_failure(fake: FakeDiscord) -> None:
    bot = make_bot()
    async with bot:
        with pytest.raises(discord.LoginFailure):
            await bot.login("wrong-token")
    assert fake.requests("GET", "^/users/@me$")[0].status == 401


async def test_tree_sync_is_recorded(fake: FakeDiscord) -> None:
    bot = study_bot()
    async with running(bot):
        synced = await bot.tree.sync()
        assert fake.guild_id is not None
        guild = discord.Object(fake.guild_id)
        bot.tree.copy_global_to(guild=guild)
        guild_synced = await bot.tree.sync(guild=guild)
    [put] = fake.requests("PUT", rf"^/applications/{fake.application_id}/commands$")
    names = ["ask", "export", "note", "pick", "shout", "slow", "streak"]
    assert sorted(c["name"] for c in put.json) == names
    ask = next(c for c in put.json if c["name"] == "ask")
    assert [(o["name"], o["type"], o["required"]) for o in ask["options"]] == [
        ("topic", 3, True),
        ("count", 4, False),
    ]
    stored = {c["name"]: int(c["id"]) for c in fake.synced_commands()}
    assert {c.name: c.id for c in synced} == stored
    assert {c.guild_id for c in guild_synced} == {fake.guild_id}
    assert len(fake.synced_commands(fake.guild_id)) == len(names)


async def test_slash_command_view_button_edit_and_ephemeral_followup(fake: FakeDiscord) -> None:
    bot = study_bot()
    async with running(bot):
        await bot.tree.sync()
        handle = await fake.slash_command("ask", {"topic": "sql", "count": 2})
        body = await handle.wait_response()
        assert body["type"] == 4
        assert body["data"]["content"] == "sql x2?"
        [row] = body["data"]["components"]
        [button] = row["components"]
        assert (button["custom_id"], button["label"], button["style"]) == (
            "study:confirm",
            "Confirm",
            3,
        )
        message = handle.original_message()
        assert message is not None and message["interaction_metadata"]["id"] == str(handle.id)

        click = await fake.click_button(message, "study:confirm")
        update = await click.wait_response()
        assert update["type"] == 7
        assert (update["data"]["content"], update["data"]["components"]) == ("confirmed", [])
        [followup] = await click.wait_followups(1)
        assert followup["content"] == "saved for you"
        assert followup["flags"] & FLAG_EPHEMERAL
        assert fake.message(int(message["id"]))["content"] == "confirmed"
        assert fake.message(int(message["id"]))["components"] == []
        assert handle.ack_latency is not None and handle.ack_latency < 2


async def test_button_on_a_channel_message(fake: FakeDiscord) -> None:
    bot = study_bot()
    assert fake.channel_id is not None
    async with running(bot):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("today's challenge", view=Confirm())
        click = await fake.click_button(sent.id, "study:confirm")
        assert (await click.wait_response())["type"] == 7
        assert click.payload["message"]["id"] == str(sent.id)
    visible = fake.channel_messages(fake.channel_id, include_ephemeral=False)
    assert [m["content"] for m in visible] == ["confirmed"]
    assert len(fake.channel_messages(fake.channel_id)) == 2  # + the ephemeral followup


async def test_persistent_view_handles_a_message_from_before_a_restart(fake: FakeDiscord) -> None:
    bot = study_bot()
    assert fake.channel_id is not None
    old = fake.add_message(fake.channel_id, "confirm?", components=Confirm().to_components())
    async with running(bot):
        click = await fake.click_button(old, "study:confirm")
        assert (await click.wait_response())["type"] == 7
        await click.wait_followups(1)
    assert fake.message(int(old["id"]))["content"] == "confirmed"


async def test_defer_then_followups_and_edit(fake: FakeDiscord) -> None:
    bot = study_bot()
    async with running(bot):
        handle = await fake.slash_command("slow")
        assert await handle.wait_response() == {"type": 5, "data": {"flags": FLAG_EPHEMERAL}}
        first, second = await handle.wait_followups(2)
        [edit] = await handle.wait_edits(1)
    # The first followup resolves the "thinking" message and keeps the defer's ephemerality.
    assert first["id"] == str(handle.original_message_id)
    assert first["flags"] & FLAG_EPHEMERAL and not first["flags"] & FLAG_LOADING
    assert edit["content"] == "slow result (edited)"
    assert second["content"] == "one more" and second["id"] != first["id"]
    original = handle.original_message()
    assert original is not None and original["content"] == "slow result (edited)"


async def test_autocomplete_answers_with_choices(fake: FakeDiscord) -> None:
    bot = study_bot()
    async with running(bot):
        handle = await fake.autocomplete("pick", {"topic": "p"})
        body = await handle.wait_response()
    assert body["type"] == 8
    assert handle.choices == [
        {"name": "python", "value": "python"},
        {"name": "postgres", "value": "postgres"},
    ]


async def test_subcommand_with_member_option_is_resolved(fake: FakeDiscord) -> None:
    bot = study_bot()
    assert fake.guild_id is not None
    bob = fake.add_member(fake.guild_id, name="bob", manage_guild=True)
    async with running(bot):
        await bot.tree.sync()
        handle = await fake.slash_command("streak", {"member": bob}, subcommand="show")
        body = await handle.wait_response()
    assert body["data"]["content"] == "Bob: 3 days"
    option = handle.payload["data"]["options"][0]
    assert option["type"] == 1 and option["options"][0] == {
        "name": "member",
        "type": 6,
        "value": str(bob),
    }
    assert str(bob) in handle.payload["data"]["resolved"]["members"]
    member_perms = int(handle.payload["data"]["resolved"]["members"][str(bob)]["permissions"])
    assert member_perms & 0x20


async def test_modal_submit(fake: FakeDiscord) -> None:
    bot = study_bot()
    async with running(bot):
        opened = await fake.slash_command("note")
        assert (await opened.wait_response())["type"] == 9
        submitted = await fake.submit_modal("study:notes", {"note": "joins are hard"})
        body = await submitted.wait_response()
    assert body["data"]["content"] == "noted: joins are hard"
    assert body["data"]["flags"] == FLAG_EPHEMERAL


async def test_file_upload_select_and_message_limits(fake: FakeDiscord) -> None:
    bot = study_bot()
    async with running(bot):
        handle = await fake.slash_command("export")
        body = await handle.wait_response()
        assert body["data"]["attachments"] == [{"id": 0, "filename": "notes.sql"}]
        [upload] = handle.callback_files[0]
        assert (upload.field, upload.filename, upload.data) == (
            "files[0]",
            "notes.sql",
            b"SELECT 1;",
        )
        message = handle.original_message()
        assert message is not None
        assert message["attachments"][0]["filename"] == "notes.sql"
        assert message["attachments"][0]["size"] == 9

        chosen = await fake.select(message, "study:level", ["advanced"])
        assert (await chosen.wait_response())["data"]["content"] == "level advanced"

        shout = await fake.slash_command("shout")
        assert (await shout.wait_response())["data"]["content"] == "refused 50035"
        assert shout.rejected_callbacks[0]["data"]["content"] == "a" * 2001


async def test_dm_command_and_user_messages(fake: FakeDiscord) -> None:
    bot = study_bot()
    seen: list[discord.Message] = []
    got = asyncio.Event()

    @bot.listen("on_message")
    async def on_message(message: discord.Message) -> None:
        if not message.author.bot:
            seen.append(message)
            if len(seen) == 2:
                got.set()

    async with running(bot):
        handle = await fake.slash_command("pick", {"topic": "dm"}, dm=True)
        assert (await handle.wait_response())["data"]["content"] == "dm"
        assert "user" in handle.payload and "member" not in handle.payload
        assert handle.payload["context"] == 1
        await fake.user_message("hello everyone")
        await fake.user_message(f"<@{fake.bot_user_id}> hello bot")
        await asyncio.wait_for(got.wait(), 2)
    # Without the message_content intent, content only arrives when the bot is mentioned.
    assert [m.content for m in seen] == ["", f"<@{fake.bot_user_id}> hello bot"]


async def test_same_nonce_creates_one_message(fake: FakeDiscord) -> None:
    bot = make_bot()
    assert fake.channel_id is not None
    async with running(bot):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        first = await channel.send("daily challenge", nonce=424242)
        second = await channel.send("daily challenge", nonce=424242)
        third = await channel.send("another one")
    assert first.id == second.id != third.id
    assert fake.created_message_count(fake.channel_id) == 2
    posts = fake.requests("POST", rf"^/channels/{fake.channel_id}/messages$")
    assert [(p.json["nonce"], p.json["enforce_nonce"]) for p in posts[:2]] == [("424242", True)] * 2
    # discord.py 2.7.1 always sends a random nonce with enforce_nonce when none is given.
    assert posts[2].json["enforce_nonce"] is True and posts[2].json["nonce"]


async def test_rate_limit_is_retried(fake: FakeDiscord) -> None:
    bot = make_bot()
    assert fake.channel_id is not None
    fake.fail_next("POST", r"^/channels/\d+/messages$", 429, retry_after=0.05)
    async with running(bot):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        message = await channel.send("hello")
    assert message.content == "hello"
    assert [r.status for r in fake.requests("POST", r"^/channels/\d+/messages$")] == [429, 200]
    assert fake.created_message_count(fake.channel_id) == 1


async def test_forbidden_errors_surface_with_codes(fake: FakeDiscord) -> None:
    bot = make_bot()
    assert fake.user_id is not None and fake.channel_id is not None
    fake.block_dms(fake.user_id)
    async with running(bot):
        user = await bot.fetch_user(fake.user_id)
        with pytest.raises(discord.Forbidden) as blocked:
            await user.send("your streak is at risk")
        assert blocked.value.code == 50007

        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        fake.fail_next("POST", r"^/channels/\d+/messages$", 403, code=50013)
        with pytest.raises(discord.Forbidden) as missing:
            await channel.send("x")
        assert missing.value.code == 50013

        fake.channel_forbidden(fake.channel_id)
        with pytest.raises(discord.Forbidden) as no_access:
            await channel.send("x")
        assert no_access.value.code == 50001

        with pytest.raises(discord.NotFound):
            await bot.http.request(discord.http.Route("GET", "/definitely/not/a/route"))
    assert fake.requests("GET", "^/definitely/not/a/route$")[0].status == 404


async def test_second_callback_is_rejected_with_40060(fake: FakeDiscord) -> None:
    bot = study_bot()
    async with running(bot):
        handle = await fake.slash_command("pick", {"topic": "redis"})
        await handle.wait_response()
        url = f"{fake.api_base}/interactions/{handle.id}/{handle.token}/callback?with_response=1"
        body = {"type": 4, "data": {"content": "again"}}
        async with aiohttp.ClientSession() as session, session.post(url, json=body) as resp:
            assert resp.status == 400
            assert (await resp.json())["code"] == 40060
    assert handle.rejected_callbacks == [{"type": 4, "data": {"content": "again"}}]


async def test_late_callback_gets_unknown_interaction(fake: FakeDiscord) -> None:
    bot = study_bot()
    failures: list[BaseException] = []
    failed = asyncio.Event()

    async def on_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        failures.append(error.__cause__ or error)
        failed.set()

    bot.tree.on_error = on_error  # type: ignore[method-assign]
    fake.interaction_ack_deadline = 0.0
    async with running(bot):
        handle = await fake.slash_command("pick", {"topic": "http"})
        [request] = await fake.wait_for_request("POST", r"^/interactions/\d+/[^/]+/callback$")
        assert request.status == 404 and request.response["code"] == 10062
        await asyncio.wait_for(failed.wait(), 2)
    assert isinstance(failures[0], discord.NotFound) and failures[0].code == 10062
    assert handle.callbacks == []


async def test_reconnect_and_dropped_connection_resume(fake: FakeDiscord) -> None:
    bot = study_bot()
    async with running(bot):
        resumed = asyncio.create_task(bot.wait_for("resumed", timeout=5))
        assert await fake.send_reconnect() == 1
        await fake.wait_for_gateway(6)
        await resumed
        handle = await fake.slash_command("pick", {"topic": "sql"})
        assert (await handle.wait_response())["data"]["content"] == "sql"

        await fake.drop_connection(code=4000)
        # Dispatched while the bot is reconnecting: replayed after RESUME.
        handle = await fake.slash_command("pick", {"topic": "joins"})
        assert (await handle.wait_response())["data"]["content"] == "joins"
        resume = fake.gateway_frames(6)
        assert len(resume) == 2
    assert fake.identify_count == 1
    assert fake.resume_count == 2
    assert all(c["path"] == "/gateway/resume" for c in fake.gateway.connection_log[1:])


class ShardedBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause between shard IDENTIFYs."""


async def test_autosharded_client_identifies_every_shard(fake: FakeDiscord) -> None:
    fake.recommended_shards = 2
    assert fake.guild_id is not None
    first_shard = (fake.guild_id >> 22) % 2
    # The next millisecond flips the shard; worker bits 31 never collide with minted ids.
    other = fake.add_guild("Other", guild_id=((fake.guild_id >> 22) + 1) << 22 | 31 << 17)
    fake.add_member(other, fake.user_id)
    bot = ShardedBot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
    )

    @bot.tree.command(description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        await interaction.response.send_message(f"pong from shard {interaction.guild.shard_id}")

    async with running(bot):
        assert bot.shard_count == 2
        assert {g.id for g in bot.guilds} == {fake.guild_id, other}
        handle = await fake.slash_command("ping", guild=other)
        body = await handle.wait_response()
    assert body["data"]["content"] == f"pong from shard {1 - first_shard}"
    assert fake.identify_count == 2
    assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
    assert fake.requests("GET", r"^/gateway/bot$")
