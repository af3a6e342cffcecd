"""Socket Mode: connecting with the app token, acks on the socket, reconnecting."""

from __future__ import annotations

from tests.adapters.slack.support import MEMBER, SlackBot


async def test_connects_with_the_app_token(slack_socket: SlackBot) -> None:
    [opened] = slack_socket.fake.calls("apps.connections.open")
    assert opened.ok and opened.token_kind == "app"
    assert slack_socket.fake.socket_connections_opened == 1
    assert slack_socket.app.http is not None  # the health server still runs, without Slack routes
    routes = {r.resource.canonical for r in slack_socket.app.http.app.router.routes()}  # type: ignore[union-attr]
    assert "/slack/events" not in routes


async def test_refresh_requested_reconnects_and_keeps_serving(slack_socket: SlackBot) -> None:
    fake = slack_socket.fake
    assert await fake.socket_disconnect("refresh_requested") == 1
    await fake.wait_socket_connected(2)
    assert fake.socket_urls_issued == 2
    answer = await slack_socket.command("/help", "", user=MEMBER)
    assert answer.post.status == 200
    assert fake.socket_frames("received")[-1].connection == 2


async def test_dropped_socket_reconnects(slack_socket: SlackBot) -> None:
    fake = slack_socket.fake
    assert await fake.socket_close() == 1
    await fake.wait_socket_connected(2)
    answer = await slack_socket.command("/help", "", user=MEMBER)
    assert answer.post.status == 200


async def test_stop_closes_the_socket(slack_socket: SlackBot) -> None:
    await slack_socket.app.stop()
    assert slack_socket.fake.socket.live == []
    assert slack_socket.adapter.closed.is_set()
