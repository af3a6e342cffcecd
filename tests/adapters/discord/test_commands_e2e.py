"""Every registry command, through real discord.py, against the loopback Discord."""

from __future__ import annotations

from typing import Any

import discord

from bot.core.commands import CommandSpec, Param, ParamKind, Role
from tests.adapters.discord.support import DiscordBot, StudyFakeDiscord

INTERNAL_ERROR = "something went wrong on my side"
OPTION_TYPES = {
    ParamKind.STRING: 3,
    ParamKind.URL: 3,
    ParamKind.TEXT: 3,
    ParamKind.DATE: 3,
    ParamKind.TIME: 3,
    ParamKind.CHOICE: 3,
    ParamKind.INTEGER: 4,
    ParamKind.BOOLEAN: 5,
    ParamKind.MEMBER: 6,
    ParamKind.CHANNEL: 7,
}


def discord_completes(param: Param) -> bool:
    """Discord offers autocomplete on string and integer options without fixed choices only."""
    return bool(param.autocomplete) and not param.choices and OPTION_TYPES[param.kind] in (3, 4)


async def sample_value(bot: DiscordBot, spec: CommandSpec, param: Param, user: int) -> Any:
    """A plausible value for ``param``, taken from autocomplete when it offers one."""
    fake = bot.fake
    if discord_completes(param):
        handle = await fake.autocomplete(
            spec.group or spec.name,
            {param.name: ""},
            user=user,
            subcommand=spec.name if spec.group else None,
        )
        await handle.wait_response()
        if handle.choices:
            return handle.choices[0]["value"]
    if param.choices:
        return param.choices[0]
    return {
        ParamKind.INTEGER: param.min_value if param.min_value is not None else 1,
        ParamKind.BOOLEAN: False,
        ParamKind.MEMBER: fake.user_id,
        ParamKind.CHANNEL: fake.channel_id,
        ParamKind.DATE: "2026-03-02",
        ParamKind.TIME: "09:00",
        ParamKind.URL: "https://example.com/my-notes",
    }.get(param.kind, "caching")


async def run_spec(bot: DiscordBot, spec: CommandSpec, *, all_options: bool) -> None:
    user = bot.fake.moderator_id if spec.requires is Role.MODERATOR else bot.fake.user_id
    options = {
        p.name: await sample_value(bot, spec, p, user)
        for p in spec.params
        if p.required or all_options
    }
    answer = await bot.run(
        spec.group or spec.name,
        options,
        user=user,
        subcommand=spec.name if spec.group else None,
    )
    label = f"/{spec.full_name} {options}"
    assert answer.handle.response_type == 5, label  # deferred before any work
    assert answer.messages, f"{label}: no answer"
    assert INTERNAL_ERROR not in answer.text, f"{label}: {answer.text}"
    assert not answer.handle.rejected_callbacks, label
    if spec.ephemeral:
        assert answer.ephemeral, label


async def test_every_registry_command_answers_through_a_slash_interaction(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.sync()
    specs = discord_bot.registry.commands
    assert {s.full_name for s in specs} >= {"help", "admin settings"}
    for spec in specs:
        await run_spec(discord_bot, spec, all_options=False)
        if spec.params:
            await run_spec(discord_bot, spec, all_options=True)
    assert discord_bot.fake.internal_errors == []


async def test_login_identifies_with_minimal_intents_at_the_configured_gateway(
    discord_bot: DiscordBot, fake: StudyFakeDiscord
) -> None:
    [identify] = fake.identifies
    assert identify["intents"] == discord.Intents(guilds=True).value
    assert identify["token"] == fake.token
    assert fake.gateway_frames(op=8) == []  # no member chunking
    me = fake.requests("GET", r"^/users/@me$")
    assert me and me[0].headers["Authorization"] == f"Bot {fake.token}"
    assert discord_bot.adapter.ready.is_set()


async def test_sync_registers_every_command_from_its_spec(discord_bot: DiscordBot) -> None:
    await discord_bot.sync()
    fake = discord_bot.fake
    [put] = fake.requests("PUT", rf"^/applications/{fake.application_id}/commands$")
    payload = {c["name"]: c for c in put.json}
    registry = discord_bot.registry
    assert list(payload) == registry.top_level_names()
    for name, command in payload.items():
        assert command["contexts"] == [0] and command["dm_permission"] is False
        if registry.is_group(name):
            specs = registry.group_commands(name)
            subs = {o["name"]: o for o in command["options"]}
            assert list(subs) == [s.name for s in specs]
            assert all(o["type"] == 1 for o in subs.values())
            pairs = [(s, subs[s.name].get("options", [])) for s in specs]
        else:
            spec = registry.get(name)
            assert spec is not None and command["description"] == spec.description
            pairs = [(spec, command["options"])]
        for spec, options in pairs:
            assert [o["name"] for o in options] == [p.name for p in spec.params]
            for param, option in zip(spec.params, options, strict=True):
                assert option["type"] == OPTION_TYPES[param.kind]
                assert option.get("required", False) == param.required
                assert [c["value"] for c in option.get("choices", [])] == list(param.choices)
                assert option.get("autocomplete", False) == discord_completes(param)
                if param.kind is ParamKind.INTEGER:
                    assert option.get("min_value") == param.min_value
                    assert option.get("max_value") == param.max_value
    admin = payload["admin"]
    assert int(admin["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    members = [c for n, c in payload.items() if n != "admin"]
    assert all(c["default_member_permissions"] is None for c in members if c["name"] == "help")


async def test_moderator_command_is_refused_to_a_member(discord_bot: DiscordBot) -> None:
    await discord_bot.sync()
    fake = discord_bot.fake
    refused = await discord_bot.run("admin", {}, subcommand="settings")
    assert refused.ephemeral and "for moderators" in refused.text
    allowed = await discord_bot.run("admin", {}, subcommand="settings", user=fake.moderator_id)
    assert allowed.ephemeral and "Group settings" in allowed.text


async def test_a_configured_moderator_role_is_honoured(discord_bot: DiscordBot) -> None:
    await discord_bot.sync()
    fake = discord_bot.fake
    assert fake.guild_id is not None
    role = fake.add_role(fake.guild_id, "Study leads")
    lead = fake.add_member(fake.guild_id, name="lead", roles=[role])
    before = await discord_bot.run("admin", {}, subcommand="settings", user=lead)
    assert "for moderators" in before.text
    change = {"key": "moderator_roles", "value": str(role)}
    changed = await discord_bot.run("admin", change, subcommand="settings", user=fake.moderator_id)
    assert INTERNAL_ERROR not in changed.text and "moderator_roles" in changed.text
    after = await discord_bot.run("admin", {}, subcommand="settings", user=lead)
    assert "Group settings" in after.text


async def test_an_error_on_a_public_command_is_answered_privately(
    discord_bot: DiscordBot,
) -> None:
    await discord_bot.sync()
    spec = next(s for s in discord_bot.registry.commands if not s.ephemeral and s.params)
    param = spec.params[0]
    bad = {ParamKind.INTEGER: 10**9, ParamKind.BOOLEAN: None}.get(param.kind, "zz-no-such-thing")
    options = {} if bad is None else {param.name: bad}
    answer = await discord_bot.run(spec.group or spec.name, options)
    handle = answer.handle
    assert handle.callbacks[0] == {"type": 5}  # the public "thinking" message
    assert answer.ephemeral and INTERNAL_ERROR not in answer.text, answer.text
    # The public "thinking" message was removed, so the channel sees nothing of the error.
    assert discord_bot.fake.requests("DELETE", r"/messages/@original$")
    assert handle.original_message() is None


async def test_an_unknown_command_is_still_answered(discord_bot: DiscordBot) -> None:
    answer = await discord_bot.run("no-longer-exists")
    assert answer.handle.response_type == 4
    assert answer.ephemeral and "studybot discord sync" in answer.text


async def test_slash_commands_in_direct_messages_are_answered(discord_bot: DiscordBot) -> None:
    fake = discord_bot.fake
    handle = await fake.slash_command("help", dm=True)
    answer = await discord_bot.finish(handle)
    assert answer.ephemeral and "server" in answer.text
