"""Discord ack latency: 200 concurrent slash interactions through the real gateway client.

The real App (migrations, content, dispatcher, SQLite) runs with the real Discord adapter
(discord.py 2.x) in this process. The loopback fake Discord (REST v10 and the gateway) runs in
a child process, the way Discord is a separate party (in one process the two would share the
GIL and each would slow the other down). The fake dispatches ``--n`` INTERACTION_CREATE events
at once, each from a different member; the latency of one interaction is from the fake
queueing its gateway event to the fake receiving the bot's first callback (the defer), both on
the fake's clock. Every command's final answer is awaited too, so the database work after the
ack really happens while acks are measured.

Run: ``.venv/bin/python benchmarks/discord_ack.py [--n 200] [--command challenge]``.
The last line is the summary, e.g. ``discord ack: p50=40ms p99=180ms n=200``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.adapters.discord.factory import create
from bot.app import App, freeze_startup_objects
from bot.config import Settings
from bot.logs import configure_logging
from tests.fakes.discord_server import FakeDiscord, InteractionHandle

TOKEN = "benchmark-token"


async def _answered(handle: InteractionHandle, seconds: float) -> bool:
    """Whether the interaction got its final answer: an edit of the deferred response, or a
    followup (after an error the "thinking" message is deleted and a private one follows)."""
    waiters = {
        asyncio.create_task(handle.wait_edits(1, seconds)),
        asyncio.create_task(handle.wait_followups(1, seconds)),
    }
    done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        waiter.cancel()
    return any(not w.cancelled() and w.exception() is None for w in done)


async def _serve_fake(conn: Connection, members: int) -> None:
    fake = await FakeDiscord(token=TOKEN).start()
    assert fake.guild_id is not None
    ids = [fake.add_member(fake.guild_id, name=f"member{i}") for i in range(members)]
    conn.send((fake.api_base, fake.gateway_url))
    loop = asyncio.get_running_loop()
    while True:
        message = await loop.run_in_executor(None, conn.recv)
        if message[0] == "stop":
            break
        _, n, command, offset = message
        users = [ids[(offset + i) % len(ids)] for i in range(n)]
        started = time.perf_counter()
        handles = await asyncio.gather(*(fake.slash_command(command, user=u) for u in users))
        done = await asyncio.gather(*(_answered(h, 120) for h in handles))
        elapsed = time.perf_counter() - started
        latencies = [h.ack_latency for h in handles if not h.rejected_callbacks]
        conn.send(([x for x in latencies if x is not None], sum(done), elapsed))
    await fake.stop()


def fake_process(conn: Connection, members: int) -> None:
    """Entry point of the child process that plays Discord."""
    asyncio.run(_serve_fake(conn, members))


class DiscordProcess:
    """The fake Discord in a child process, driven over a pipe."""

    def __init__(self, members: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=fake_process, args=(child, members), daemon=True)

    def start(self) -> tuple[str, str]:
        self.process.start()
        return self.conn.recv()  # type: ignore[no-any-return]

    async def burst(self, n: int, command: str, offset: int) -> tuple[list[float], int, float]:
        """Dispatch ``n`` interactions at once; return ack latencies, answers and seconds."""
        self.conn.send(("burst", n, command, offset))
        return await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.conn.send(("stop",))
        self.process.join(10)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


async def run(n: int, command: str, warmup: int) -> str:
    discord_side = DiscordProcess(members=max(n, 1))
    api_base, gateway_url = discord_side.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            discord_token=SecretStr(TOKEN),
            discord_api_base_url=api_base,
            discord_gateway_url=gateway_url,
        )
        app = App(
            settings=settings,
            adapter_factories=[lambda a: create(a, guild_ready_timeout=0.05)],
        )
        await app.start()
        freeze_startup_objects()  # as `studybot run` does once started
        try:
            await app.adapters[0].publish_commands(app.require_services().registry)
            await discord_side.burst(warmup, command, 0)
            latencies, answered, elapsed = await discord_side.burst(n, command, warmup)
        finally:
            await app.stop()
            discord_side.stop()
    if len(latencies) < n:
        raise SystemExit(f"{n - len(latencies)} interaction(s) were not acknowledged in time")
    ms = [v * 1000 for v in latencies]
    print(
        f"/{command}: {n} concurrent, {answered} answered in {elapsed:.2f}s; "
        f"ack min={min(ms):.1f}ms mean={statistics.fmean(ms):.1f}ms max={max(ms):.1f}ms"
    )
    return f"discord ack: p50={percentile(ms, 50):.0f}ms p99={percentile(ms, 99):.0f}ms n={n}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="concurrent slash interactions")
    parser.add_argument("--command", default="challenge", help="the slash command to send")
    parser.add_argument(
        "--warmup", type=int, default=10, help="interactions sent first, unmeasured"
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    print(asyncio.run(run(args.n, args.command, args.warmup)))


if __name__ == "__main__":
    main()
