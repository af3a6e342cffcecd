"""Slack ack latency: 200 concurrent signed slash commands against the real HTTP endpoint.

The real App (migrations, content, dispatcher, SQLite) runs with the real Slack adapter in HTTP
mode in this process. A loopback fake Slack (Web API, ``response_url`` sink) and the load
generator run in a child process, the way Slack is a separate party (a thread would share the
GIL and bill the load generator's work to the bot). Each request is signed like Slack signs
it; latency is measured from just before the request is sent to the HTTP 200 arriving. Every
command's delayed answer is awaited too, so the work after the ack really happens while the
acks are measured.

Run: ``.venv/bin/python benchmarks/slack_ack.py [--n 200] [--command /challenge]``.
The last line is the summary, e.g. ``slack ack: p50=20ms p99=150ms n=200``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.adapters.slack.factory import create
from bot.app import App, freeze_startup_objects
from bot.config import Settings
from bot.logs import configure_logging
from tests.fakes.slack_payloads import sign
from tests.fakes.slack_server import FakeSlack

SECRET = "benchmark-signing-secret"
BOT_TOKEN = "xoxb-benchmark"
CHANNEL = "C0BENCH"


async def slack_side(users: int, n: int, warmup: int, command: str) -> None:
    """The "Slack" process: fake Web API + response_url sink, and the load generator.

    Talks to the bot process over stdin/stdout: prints the Web API URL, reads the bot's
    ``/slack/events`` URL, runs the warm-up and the measured burst, waits for every delayed
    answer, then prints the results as JSON.
    """
    fake = FakeSlack(bot_token=BOT_TOKEN)
    await fake.start()
    for i in range(users):
        fake.add_user(f"U{i:05d}", f"member{i}", is_admin=i == 0)
    fake.add_channel(CHANNEL, "general")
    print(fake.api_url, flush=True)
    url = (await asyncio.to_thread(sys.stdin.readline)).strip()
    try:
        _, warm = await burst(fake, url, warmup, command, 0, users)
        await fake.wait_for_response_post(count=warmup, timeout=60)
        latencies, statuses = await burst(fake, url, n, command, warmup, users)
        await fake.wait_for_response_post(count=warmup + n, timeout=120)
        answered = len([p for p in fake.response_posts() if p.status == 200]) - warmup
    finally:
        await fake.stop()
    print(json.dumps({"latencies": latencies, "statuses": statuses + warm, "answered": answered}))


async def burst(
    fake: FakeSlack, url: str, n: int, command: str, offset: int, users: int
) -> tuple[list[float], list[int]]:
    """Send ``n`` signed commands at once; return ack latencies (s) and statuses."""
    bodies = []
    for i in range(n):
        fields = fake.slash_command_payload(
            command, "", user_id=f"U{(offset + i) % users:05d}", channel_id=CHANNEL
        )
        body = urlencode(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        bodies.append((body, headers))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        start_line = asyncio.Event()

        async def one(body: str, headers: dict[str, str]) -> tuple[float, int]:
            await start_line.wait()
            sent = time.perf_counter()
            async with session.post(url, data=body.encode(), headers=headers) as resp:
                elapsed = time.perf_counter() - sent
                await resp.read()
                return elapsed, resp.status

        tasks = [asyncio.create_task(one(b, h)) for b, h in bodies]
        await asyncio.sleep(0)
        start_line.set()
        results = await asyncio.gather(*tasks)
    return [r[0] for r in results], [r[1] for r in results]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


async def bot_side(n: int, command: str, warmup: int) -> str:
    """The bot process: the real App with the Slack adapter in HTTP mode."""
    users = max(n, 1)
    slack = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--role=slack",
        f"--n={n}",
        f"--warmup={warmup}",
        f"--command={command}",
        f"--users={users}",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert slack.stdin is not None and slack.stdout is not None
    api_url = (await slack.stdout.readline()).decode().strip()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            slack_bot_token=SecretStr(BOT_TOKEN),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=api_url,
            http_port=0,
            http_host="127.0.0.1",
        )
        app = App(settings=settings, adapter_factories=[create])
        await app.start()
        freeze_startup_objects()  # as `studybot run` does once started
        try:
            assert app.http is not None
            slack.stdin.write(f"http://127.0.0.1:{app.http.bound_port}/slack/events\n".encode())
            await slack.stdin.drain()
            line = await slack.stdout.readline()
        finally:
            await app.stop()
            await slack.wait()
    if not line:
        raise SystemExit("the Slack side failed; see its error output above")
    result = json.loads(line)
    bad = [s for s in result["statuses"] if s != 200]
    if bad:
        raise SystemExit(
            f"{len(bad)} request(s) were not acknowledged with 200: {sorted(set(bad))}"
        )
    ms = [v * 1000 for v in result["latencies"]]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{command}: {n} concurrent, {result['answered']} answered via response_url; "
        f"ack min={min(ms):.1f}ms mean={statistics.fmean(ms):.1f}ms max={max(ms):.1f}ms; "
        f"load average {load} on {os.cpu_count()} CPUs"
    )
    return f"slack ack: p50={percentile(ms, 50):.0f}ms p99={percentile(ms, 99):.0f}ms n={n}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="concurrent slash commands")
    parser.add_argument("--command", default="/challenge", help="the slash command to send")
    parser.add_argument("--warmup", type=int, default=10, help="commands sent first, unmeasured")
    parser.add_argument("--role", choices=["bot", "slack"], default="bot", help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=200, help=argparse.SUPPRESS)
    args = parser.parse_args()
    configure_logging("WARNING")
    if args.role == "slack":
        asyncio.run(slack_side(args.users, args.n, args.warmup, args.command))
        return
    print(asyncio.run(bot_side(args.n, args.command, args.warmup)))


if __name__ == "__main__":
    main()
