"""Slack has no roles a bot can grant: badges show on the App Home tab instead."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import FakeClock
from tests.adapters.slack.support import MEMBER, SlackBot


async def test_the_home_tab_lists_the_members_badges(
    slack_http: SlackBot, clock: FakeClock
) -> None:
    slack = slack_http
    for index in range(3):
        if index:
            clock.advance(timedelta(days=1))
        answer = await slack.command("/done")
        assert "checked in" in answer.text
    assert "New badge: 🔥 3-day streak" in answer.text
    refused = await slack.command("/admin", "rewards role streak-3 <@&1>")
    assert "Slack bots cannot grant roles" in refused.text or "for moderators" in refused.text
    await slack.event(slack.fake.app_home_opened_event(MEMBER), event_id="Ev1BADGES")
    await slack.fake.wait_for_call("views.publish")
    view = slack.fake.home_view(MEMBER)
    assert view is not None
    text = str(view["blocks"])
    assert "Your badges" in text and "🔥 3-day streak" in text
