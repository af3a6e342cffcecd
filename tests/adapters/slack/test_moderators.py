"""Moderator commands: workspace admins and owners, configured users and user groups, and the
group's ``moderator_roles`` naming Slack user groups; checked on our side."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from tests.adapters.slack.conftest import start_bot
from tests.adapters.slack.support import ADMIN, MEMBER, OWNER, SlackBot
from tests.fakes.slack_server import FakeSlack

DENIED = "is for moderators"
HELPER, STRANGER = "U4HELPER", "U5STRANGER"
MODS_GROUP, OTHER_GROUP = "S0MODS", "S1READERS"


def add_usergroups_list(fake: FakeSlack) -> None:
    """Serve ``usergroups.list`` (missing from the shared fake) from its modelled groups."""

    def usergroups_list(args: dict[str, Any]) -> dict[str, Any]:
        include = str(args.get("include_users", "")).lower() in ("1", "true")
        groups = []
        for group in fake.world.usergroups.values():
            item: dict[str, Any] = {"id": group.id, "handle": group.handle, "name": group.name}
            if include:
                item["users"] = list(group.users)
            groups.append(item)
        return {"usergroups": groups}

    fake.world.methods["usergroups.list"] = usergroups_list


@pytest.fixture
async def team(fake: FakeSlack) -> FakeSlack:
    fake.add_user(HELPER, "helper")
    fake.add_user(STRANGER, "stranger")
    fake.add_usergroup(MODS_GROUP, "mods", [HELPER])
    fake.add_usergroup(OTHER_GROUP, "readers", [STRANGER, MEMBER])
    return fake


@pytest.fixture
async def configured(
    settings: Settings, clock: FakeClock, content_store: ContentStore, team: FakeSlack
) -> AsyncIterator[SlackBot]:
    """HTTP mode with STUDYBOT_SLACK_MODERATORS naming a user and a user group."""
    bot = await start_bot(
        settings, clock, content_store, team, "http", moderators=f"{STRANGER}, {MODS_GROUP}"
    )
    try:
        yield bot
    finally:
        await bot.app.stop()


async def test_member_is_refused_and_admins_and_owners_are_allowed(slack: SlackBot) -> None:
    refused = await slack.command("/admin", "settings", user=MEMBER)
    assert DENIED in refused.text
    assert refused.post.response_type == "ephemeral"
    for user in (ADMIN, OWNER):
        allowed = await slack.command("/admin", "settings", user=user)
        assert DENIED not in allowed.text
        assert "timezone" in allowed.text


async def test_configured_user_and_user_group_moderate(configured: SlackBot) -> None:
    for user in (STRANGER, HELPER):
        answer = await configured.command("/admin", "settings", user=user)
        assert DENIED not in answer.text, user
    refused = await configured.command("/admin", "settings", user=MEMBER)
    assert DENIED in refused.text
    # Without usergroups.list the configured group is read member by member.
    [lookup] = configured.fake.calls("usergroups.users.list")
    assert lookup.args["usergroup"] == MODS_GROUP


async def test_moderator_roles_can_name_a_slack_user_group(
    settings: Settings, clock: FakeClock, content_store: ContentStore, team: FakeSlack
) -> None:
    add_usergroups_list(team)
    bot = await start_bot(settings, clock, content_store, team, "socket")
    try:
        before = await bot.command("/admin", "settings", user=STRANGER)
        assert DENIED in before.text
        changed = await bot.command("/admin", f"settings moderator_roles {OTHER_GROUP}", user=ADMIN)
        assert OTHER_GROUP in changed.text
        after = await bot.command("/admin", "settings", user=STRANGER)
        assert DENIED not in after.text
        assert len(team.calls("usergroups.list")) == 1  # cached for the burst
    finally:
        await bot.app.stop()


async def test_lookups_are_cached(slack: SlackBot) -> None:
    for _ in range(3):
        await slack.command("/help", "", user=MEMBER)
    await slack.settle()
    assert len(slack.fake.calls("users.info")) == 1


async def test_failed_lookup_is_not_an_admin(slack: SlackBot) -> None:
    slack.fake.fail_next("users.info", error="user_not_found")
    answer = await slack.command("/admin", "settings", user=ADMIN)
    assert DENIED in answer.text  # unknown admin status means no moderator rights
    again = await slack.command("/admin", "settings", user=ADMIN)
    assert DENIED not in again.text  # a failure is not cached
