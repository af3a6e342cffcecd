"""Buttons, the App Home tab and redeliveries, in both transports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.content.render import DONE_ACTION
from bot.db.models import CheckIn
from tests.adapters.slack.support import GENERAL, MEMBER, SlackBot


def done_button(message: dict[str, Any]) -> dict[str, Any]:
    """The Done button element of a challenge message."""
    for block in message.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("type") == "button" and element.get("action_id", "").startswith(
                DONE_ACTION
            ):
                return element
    raise AssertionError(f"no Done button in {message}")


async def challenge_message(slack: SlackBot) -> dict[str, Any]:
    await slack.command("/challenge", "")
    [message] = slack.fake.messages(GENERAL)
    return message


async def test_done_button_carries_our_action_id_and_value(slack: SlackBot) -> None:
    message = await challenge_message(slack)
    button = done_button(message)
    assert button["action_id"] == DONE_ACTION
    assert button["value"]  # the challenge id
    assert button["style"] == "primary"


async def test_redelivered_click_is_processed_once(slack: SlackBot) -> None:
    message = await challenge_message(slack)
    before = len(slack.fake.response_posts())
    payload = await slack.click(DONE_ACTION, message=message)
    await slack.fake.wait_for_response_post(count=before + 1)
    await slack.click(DONE_ACTION, payload=payload, retry_num=1)
    await slack.click(DONE_ACTION, payload=payload, retry_num=2)
    await slack.settle()
    assert len(slack.fake.response_posts()) == before + 1


async def test_two_clicks_check_in_once(slack: SlackBot) -> None:
    assert slack.app.require_services().registry.action(DONE_ACTION) is not None
    message = await challenge_message(slack)
    before = len(slack.fake.response_posts())
    await slack.click(DONE_ACTION, message=message)
    await slack.fake.wait_for_response_post(count=before + 1)
    await slack.click(DONE_ACTION, message=message)
    await slack.fake.wait_for_response_post(count=before + 2)
    async with slack.app.require_services().sessions() as session:
        count = await session.scalar(select(func.count()).select_from(CheckIn))
    assert count == 1
    for post in slack.fake.response_posts()[before:]:
        assert post.status == 200


async def test_unknown_button_gets_a_private_answer(slack: SlackBot) -> None:
    message = await challenge_message(slack)
    payload = slack.fake.block_actions_payload(
        done_button(message)["action_id"], message=message, user_id=MEMBER
    )
    payload["actions"][0]["action_id"] = "gone.away"
    before = len(slack.fake.response_posts())
    await slack.click("gone.away", payload=payload)
    post = await slack.fake.wait_for_response_post(count=before + 1)
    assert post.response_type == "ephemeral"
    assert post.replace_original is False
    assert "no longer" in (post.text or "")


async def test_app_home_shows_the_members_replies(slack: SlackBot) -> None:
    registry = slack.app.require_services().registry
    await slack.event(slack.fake.app_home_opened_event(MEMBER), event_id="Ev1HOME")
    await slack.fake.wait_for_call("views.publish")
    view = slack.fake.home_view(MEMBER)
    assert view is not None
    text = str(view["blocks"])
    if registry.get("challenge") is not None:
        assert "Challenge for" in text
    call = slack.fake.calls("views.publish")[0]
    assert call.ok and call.args["user_id"] == MEMBER


async def test_retried_event_is_processed_once(slack: SlackBot) -> None:
    event = slack.fake.app_home_opened_event(MEMBER)
    await slack.event(event, event_id="Ev2RETRY")
    await slack.fake.wait_for_call("views.publish")
    for attempt in (1, 2, 3):
        await slack.event(event, event_id="Ev2RETRY", retry_num=attempt)
    await slack.settle()
    assert len(slack.fake.calls("views.publish")) == 1
    await slack.event(event, event_id="Ev3OTHER")  # a new event is not a retry
    await slack.fake.wait_for_call("views.publish", count=2)


async def test_done_in_the_home_tab_refreshes_it(slack: SlackBot) -> None:
    assert slack.app.require_services().registry.get("challenge") is not None
    await slack.event(slack.fake.app_home_opened_event(MEMBER), event_id="Ev4HOME")
    await slack.fake.wait_for_call("views.publish")
    view = slack.fake.home_view(MEMBER)
    assert view is not None
    await slack.click(DONE_ACTION, view=view)
    await slack.fake.wait_for_call("views.publish", count=2)
    assert slack.fake.response_posts() == []  # answered in the tab itself
    assert all(c.ok for c in slack.fake.calls("views.publish"))
