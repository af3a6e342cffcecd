"""Dashboard pages over 100,000 members and 1,000,000 check-ins, and Slack acks under load.

Builds the leaderboard benchmark's group (``benchmarks/leaderboard.py``: ``--members``
members, ``--checkins`` check-ins over a year, bulk-loaded, statistics replayed) in a fresh
SQLite file, attaches it to a (fake) Slack workspace, and runs the real App with the real
Slack adapter in HTTP mode and the dashboard on. A moderator signs in the way a user does
(``/admin dashboard``, then the link), then:

1. **Pages**: every page (overview, the 12 leaderboards, a member, schedule, audit log,
   settings, exports) is fetched ``--runs`` times one after another; the time is measured
   in the bot process around the handler (a middleware), so it is server time. The
   simulated clock moves a minute before each overview, so none is served from its cache.
2. **Acks under dashboard load**: a child process (the fake Slack Web API and the load
   generator, a separate party as Slack is) sends signed slash commands at ``--rate`` per
   second while requesting dashboard pages at ``--dashboard-rate`` (50/s) for
   ``--seconds``; it reports each command's ack latency.

Run: ``.venv/bin/python benchmarks/dashboard.py`` (``--scale 0.1`` for 10k members and
100k check-ins). The last line is the summary, e.g.
``dashboard: worst page p99=40ms (overview); slack ack p99=120ms at 50 dashboard req/s``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import aiohttp
from aiohttp import web
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from benchmarks.checkin_setup import NOW, open_database, percentile
from benchmarks.leaderboard import load
from bot.adapters.slack.factory import create
from bot.app import App, freeze_startup_objects
from bot.config import Settings
from bot.core.clock import FakeClock
from bot.core.models import Actor, Invocation, Platform, SpaceRef
from bot.db.models import Space
from bot.db.repositories.leaderboard import BY, PERIODS
from bot.logs import configure_logging
from tests.fakes.slack_payloads import sign
from tests.fakes.slack_server import FakeSlack

SECRET = "benchmark-signing-secret"
BOT_TOKEN = "xoxb-benchmark"
CHANNEL = "C0BENCH"
TEAM = "T0FAKE"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page_paths(base: str, member_id: int) -> dict[str, str]:
    """Every page worth timing, by a short name."""
    paths = {"overview": base + "/"}
    for by in BY:
        for period in PERIODS:
            paths[f"board {by}/{period}"] = f"{base}/leaderboard?by={by}&period={period}"
    paths.update(
        {
            "member": f"{base}/members/{member_id}",
            "schedule": base + "/schedule",
            "audit": base + "/audit",
            "settings": base + "/settings",
            "exports": base + "/exports",
        }
    )
    return paths


# --- the Slack side (child process) ------------------------------------------------------


async def slack_side(args: argparse.Namespace) -> None:
    """Fake Slack plus load: slash commands at ``rate``/s, dashboard pages at 50/s."""
    fake = FakeSlack(bot_token=BOT_TOKEN)
    await fake.start()
    for i in range(args.users):
        fake.add_user(f"U{i:05d}", f"slack{i}", is_admin=i == 0)
    fake.add_channel(CHANNEL, "general")
    print(fake.api_url, flush=True)
    setup = json.loads(await asyncio.to_thread(sys.stdin.readline))
    events, cookie, pages = setup["events"], setup["cookie"], setup["pages"]
    acks: list[float] = []
    statuses: list[int] = []
    page_times: list[float] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, cookies={"studybot_dashboard": cookie}
    ) as http:

        async def command(i: int) -> None:
            fields = fake.slash_command_payload(
                args.command, "", user_id=f"U{i % args.users:05d}", channel_id=CHANNEL
            )
            body = urlencode(fields)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
            sent = time.perf_counter()
            async with http.post(events, data=body.encode(), headers=headers) as resp:
                acks.append(time.perf_counter() - sent)
                statuses.append(resp.status)
                await resp.read()

        async def page(i: int) -> None:
            sent = time.perf_counter()
            async with http.get(pages[i % len(pages)]) as resp:
                await resp.read()
                page_times.append(time.perf_counter() - sent)
                statuses.append(resp.status)

        async def paced(rate: float, call: object, count: int) -> None:
            start = time.perf_counter()
            tasks = []
            for i in range(count):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(call(i)))  # type: ignore[operator]
            await asyncio.gather(*tasks)

        await asyncio.gather(
            paced(args.rate, command, int(args.rate * args.seconds)),
            paced(args.dashboard_rate, page, int(args.dashboard_rate * args.seconds)),
        )
    await fake.stop()
    print(json.dumps({"acks": acks, "pages": page_times, "statuses": statuses}), flush=True)


# --- the bot side ------------------------------------------------------------------------


def timing_middleware(
    times: dict[str, list[float]],
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Records the server time of every dashboard request, by path."""

    @web.middleware
    async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        response = await handler(request)
        if request.path.startswith("/dashboard/g/"):
            times.setdefault(request.path_qs, []).append(time.perf_counter() - started)
        return response

    return timed


async def bot_side(args: argparse.Namespace) -> None:
    members = int(args.members * args.scale)
    checkins = int(args.checkins * args.scale)
    db = await open_database(None)
    started = time.perf_counter()
    group_id, ids = await load(db.engine, members, checkins)
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(Space).values(
                group_id=group_id, platform="slack", external_id=TEAM, name="bench", created_at=NOW
            )
        )
    url = str(db.engine.url)
    await db.engine.dispose()
    print(
        f"loaded {members} members, {checkins} check-ins in {time.perf_counter() - started:.0f}s",
        flush=True,
    )
    slack = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--role=slack",
        *[f"--{k.replace('_', '-')}={v}" for k, v in vars(args).items() if k != "role"],
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert slack.stdin is not None and slack.stdout is not None
    api_url = (await slack.stdout.readline()).decode().strip()
    settings = Settings(
        database_url_override=url,
        data_dir=Path(url.rsplit("/", 1)[-1]).parent,
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=api_url,
        http_host="127.0.0.1",
        dashboard=True,
    )
    clock = FakeClock(NOW)
    app = App(settings=settings, clock=clock, adapter_factories=[create])
    times: dict[str, list[float]] = {}
    # The server is made here (port 0: any free one) so the timing middleware goes in
    # before the routes freeze; the Slack adapter and the dashboard then add theirs to it.
    http = app.ensure_http()
    http.port = 0
    http.app.middlewares.append(timing_middleware(times))
    await app.start()
    freeze_startup_objects()
    try:
        root = f"http://127.0.0.1:{http.bound_port}"
        assert app.dispatcher is not None
        reply = await app.dispatcher.dispatch(
            Invocation(
                platform=Platform.SLACK,
                space=SpaceRef(Platform.SLACK, TEAM),
                actor=Actor("U00000", "moderator", is_admin=True),
                command="admin dashboard",
            )
        )
        link = re.search(r"http\S+", reply.text)
        assert link, reply.text
        parts = urlsplit(link.group(0))
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as client:
            async with client.post(
                f"{root}/dashboard/signin", data={"t": parts.query.split("=", 1)[1]}
            ) as resp:
                assert resp.status == 200, await resp.text()
            cookie = next(c.value for c in jar if c.key == "studybot_dashboard")
            paths = page_paths(f"{root}/dashboard/g/{group_id}", ids[len(ids) // 3])
            for path in paths.values():  # warm-up: statement caches, the day's board figures
                async with client.get(path) as resp:
                    assert resp.status == 200, (path, resp.status, await resp.text())
            times.clear()
            for _ in range(args.runs):
                for name, path in paths.items():
                    if name == "overview":
                        # Past the overview's one-minute cache: time the aggregation itself.
                        clock.advance(timedelta(seconds=61))
                    async with client.get(path) as resp:
                        await resp.read()
        worst_name, worst = "", 0.0
        print(f"page server time over {args.runs} runs each:")
        for name, path in paths.items():
            parts = urlsplit(path)
            ms = [t * 1000 for t in times[parts.path + (f"?{parts.query}" if parts.query else "")]]
            p99 = percentile(ms, 0.99)
            if p99 > worst:
                worst_name, worst = name, p99
            print(f"  {name:22s} p50={percentile(ms, 0.5):6.1f}ms p99={p99:6.1f}ms")
        slack.stdin.write(
            (
                json.dumps(
                    {
                        "events": f"{root}/slack/events",
                        "cookie": cookie,
                        "pages": list(paths.values()),
                    }
                )
                + "\n"
            ).encode()
        )
        await slack.stdin.drain()
        line = await slack.stdout.readline()
    finally:
        await app.stop()
        await slack.wait()
    result = json.loads(line)
    bad = [s for s in result["statuses"] if s != 200]
    acks = [v * 1000 for v in result["acks"]]
    pages = [v * 1000 for v in result["pages"]]
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"under load: {len(acks)} {args.command} at {args.rate}/s, {len(pages)} dashboard pages "
        f"at {args.dashboard_rate}/s for {args.seconds}s; ack p50={percentile(acks, 0.5):.0f}ms "
        f"p99={percentile(acks, 0.99):.0f}ms; page (client) p99={percentile(pages, 0.99):.0f}ms; "
        f"non-200: {len(bad)}; load average {load_avg} on {os.cpu_count()} CPUs"
    )
    print(
        f"dashboard: worst page p99={worst:.0f}ms ({worst_name}); slack ack "
        f"p99={percentile(acks, 0.99):.0f}ms at {args.dashboard_rate:g} dashboard req/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the data size")
    parser.add_argument("--runs", type=int, default=30, help="fetches per page")
    parser.add_argument("--rate", type=float, default=10, help="slash commands per second")
    parser.add_argument("--dashboard-rate", type=float, default=50, help="pages per second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--command", default="/challenge")
    parser.add_argument("--users", type=int, default=200, help=argparse.SUPPRESS)
    parser.add_argument("--role", choices=["bot", "slack"], default="bot", help=argparse.SUPPRESS)
    args = parser.parse_args()
    configure_logging("WARNING")
    if args.role == "slack":
        asyncio.run(slack_side(args))
        return
    asyncio.run(bot_side(args))


if __name__ == "__main__":
    main()
