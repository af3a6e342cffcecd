"""The dashboard over HTTP: sign-in links, sessions, group isolation, CSRF, headers."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp

from bot.core.models import Platform
from tests.support.harness import BotHarness
from tests.web.conftest import base_of, link_in, local_link


async def sign_in(harness: BotHarness, client: aiohttp.ClientSession, **who: object) -> str:
    """Run `/admin dashboard` as a moderator, use the link; returns the overview URL."""
    reply = await harness.cmd("/admin dashboard", **who)
    link = local_link(harness, link_in(reply.text))
    async with client.get(link) as confirm:
        assert confirm.status == 200, await confirm.text()
        assert confirm.headers["Referrer-Policy"] == "no-referrer"
        token = re.search(r'name="t" value="([^"]+)"', await confirm.text()).group(1)
    async with client.post(link.split("?")[0], data={"t": token}) as done:
        assert done.status == 200, await done.text()
        return str(done.url)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def test_link_signs_in_once_and_pages_render(dash: BotHarness, client) -> None:
    await dash.cmd("/done", user="ann")
    reply = await dash.cmd("/admin dashboard", user="mod")
    assert reply.ephemeral
    link = local_link(dash, link_in(reply.text))
    overview = await sign_in_with(dash, client, link)
    assert overview.endswith("/")
    async with client.get(overview) as page:
        html = await page.text()
        assert page.status == 200
        assert "checked in today" in html and "<svg" in html
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"
    for sub in ("leaderboard?by=checkins&period=week", "schedule", "audit", "settings", "exports"):
        async with client.get(overview + sub) as page:
            assert page.status == 200, (sub, await page.text())
    async with client.get(overview + "leaderboard") as page:
        assert "ann" in await page.text()
    async with client.get(overview + "audit") as page:
        assert "dashboard.signin" in await page.text()
    async with client.get(overview + "exports/leaderboard.json?by=checkins") as page:
        assert page.status == 200
        rows = await page.json()
        assert rows[0]["member"] == "ann"
    # The same link a second time: refused, and a fresh browser gets no session from it.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        token = link.split("t=", 1)[1]
        async with other.post(link.split("?")[0], data={"t": token}) as again:
            assert again.status == 403
            assert "already been used" in await again.text()


async def sign_in_with(harness: BotHarness, client: aiohttp.ClientSession, link: str) -> str:
    async with client.get(link) as confirm:
        assert confirm.status == 200, await confirm.text()
        token = re.search(r'name="t" value="([^"]+)"', await confirm.text()).group(1)
    async with client.post(link.split("?")[0], data={"t": token}) as done:
        assert done.status == 200, await done.text()
        return str(done.url)


async def test_expired_link_and_idle_session(dash: BotHarness, client) -> None:
    reply = await dash.cmd("/admin dashboard", user="mod")
    dash.clock.advance(timedelta(minutes=11))
    async with client.get(local_link(dash, link_in(reply.text))) as page:
        assert page.status == 400
        assert "expired" in await page.text()
    overview = await sign_in(dash, client, user="mod")
    dash.clock.advance(timedelta(hours=11))
    async with client.get(overview) as page:
        assert page.status == 200
    dash.clock.advance(timedelta(hours=12, minutes=1))
    async with client.get(overview) as page:
        assert page.status == 401


async def test_other_group_is_never_shown(dash: BotHarness, client) -> None:
    # A Slack workspace is a separate group from the console's.
    await dash.cmd("/done", user="sam", platform=Platform.SLACK)
    slack_overview = await sign_in(
        dash, client, user="boss", platform=Platform.SLACK, moderator=True
    )
    console_overview = await sign_in(dash, client, user="mod")
    # The client now holds the console session (the last cookie set wins).
    async with client.get(slack_overview + "leaderboard") as page:
        assert page.status == 403
        assert "sam" not in await page.text()
    async with client.get(slack_overview + "exports/checkins.csv") as page:
        assert page.status == 403
    async with client.get(console_overview) as page:
        assert page.status == 200


async def test_settings_form_needs_csrf_and_is_audited(dash: BotHarness, client) -> None:
    overview = await sign_in(dash, client, user="mod")
    async with client.get(overview + "settings") as page:
        csrf = csrf_of(await page.text())
    async with client.post(
        overview + "settings", data={"key": "timezone", "value": "Asia/Tokyo"}
    ) as no_csrf:
        assert no_csrf.status == 403
    async with client.post(
        overview + "settings", data={"csrf": csrf, "key": "timezone", "value": "Mars/Olympus"}
    ) as bad:
        assert bad.status == 400
        assert "not a timezone" in await bad.text()
    async with client.post(
        overview + "settings", data={"csrf": csrf, "key": "timezone", "value": "Asia/Tokyo"}
    ) as good:
        assert good.status == 200
        assert "changed from" in await good.text()
    reply = await dash.cmd("/admin settings timezone", user="mod")
    assert "Asia/Tokyo" in reply.text
    async with client.get(overview + "audit?action=settings.change") as page:
        assert "Asia/Tokyo" in await page.text()


async def test_member_link_refused_and_demotion(dash: BotHarness, client) -> None:
    refused = await dash.cmd("/admin dashboard", user="ann")
    assert "for moderators" in refused.text and "/dashboard/signin" not in refused.text
    # A moderator by role: the group lists the role, the link works; then the role is dropped.
    await dash.cmd("/admin settings moderator_roles helpers", user="mod")
    overview = await sign_in(
        dash, client, user="helper", moderator=False, roles=frozenset({"helpers"})
    )
    async with client.get(overview) as page:
        assert page.status == 200
    await dash.cmd("/admin settings moderator_roles nobody", user="mod")
    async with client.get(overview) as page:
        assert page.status == 403
        assert "no longer a moderator" in await page.text()


async def test_signin_rate_limited(dash: BotHarness, client) -> None:
    url = base_of(dash) + "/dashboard/signin?t=forged"
    statuses = []
    for _ in range(12):
        async with client.get(url) as page:
            statuses.append(page.status)
    assert statuses[:10] == [400] * 10 and statuses[-1] == 429


async def test_dashboard_off_by_default(bot: BotHarness) -> None:
    reply = await bot.cmd("/admin dashboard", user="mod")
    assert "dashboard is off" in reply.text


async def test_hidden_members_are_not_on_the_boards(dash: BotHarness, client) -> None:
    await dash.cmd("/done", user="ann")
    await dash.cmd("/done", user="zed")
    await dash.cmd("/settings leaderboard:hide", user="zed")
    overview = await sign_in(dash, client, user="mod")
    for by in ("streak", "longest", "checkins"):
        async with client.get(f"{overview}leaderboard?by={by}&period=week&sort=name") as page:
            html = await page.text()
            assert ">ann<" in html and ">zed<" not in html, by
    async with client.get(overview + "exports/leaderboard.csv?by=checkins") as page:
        body = await page.text()
        assert "ann" in body and "zed" not in body


async def test_steps_board_page_and_export_build_old_progress_first(
    dash: BotHarness, client
) -> None:
    from sqlalchemy import delete

    from bot.db.models_progress import MemberProgress, ProgressCount

    await dash.cmd("/roadmap done web-basics", user="ann")
    async with dash.services.sessions() as session, session.begin():
        # As right after migration 0006: step rows, no summaries or counts.
        await session.execute(delete(MemberProgress))
        await session.execute(delete(ProgressCount))
    overview = await sign_in(dash, client, user="mod")
    async with client.get(f"{overview}leaderboard?by=steps") as page:
        assert ">ann<" in await page.text()
    async with dash.services.sessions() as session, session.begin():
        await session.execute(delete(MemberProgress))
        await session.execute(delete(ProgressCount))
    async with client.get(overview + "exports/leaderboard.csv?by=steps") as page:
        assert "ann" in await page.text()
