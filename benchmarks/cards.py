"""Card figures: render time and PNG size per card, and acks while 50 cards render.

Part one renders each card (streak with a full 26-week history, leaderboard, weekly recap,
roadmap progress) ``--repeat`` times in a row at 1080 px and prints p50/p99 and the PNG
size. Part two runs the Discord and Slack ack benchmarks (``benchmarks/discord_ack.py``,
``benchmarks/slack_ack.py``: the real App and adapter against the loopback fakes in a child
process) while the bot process keeps 50 card renders in flight at once, the way
``/streak card`` renders them (:func:`bot.cards.service.render_image`, off the event loop).

Run: ``.venv/bin/python benchmarks/cards.py [--repeat 60] [--n 50]`` (about a minute).
Targets: render p99 <= 40 ms, PNG <= 150 KB, ack p99 <= 300 ms while cards render.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import discord_ack
import slack_ack

from bot.cards import DayState, StreakCard
from bot.cards.leaderboard import render_leaderboard
from bot.cards.progress import render_progress
from bot.cards.recap import render_recap
from bot.cards.service import render_image
from bot.cards.streak import alt_text, render_streak
from bot.logs import configure_logging
from tests.cards import samples

STATES = (DayState.CHECKED, DayState.CHECKED, DayState.FROZEN, DayState.REST, DayState.MISSED)


def full_streak() -> StreakCard:
    """A streak card with every one of the 182 days filled (the most drawing)."""
    days = {samples.TODAY - timedelta(days=i): STATES[i % len(STATES)] for i in range(182)}
    return StreakCard("A member with a long name", 17, 64, 2, 2, 150, samples.TODAY, days)


CARDS: dict[str, tuple[Callable[[Any], bytes], Callable[[], Any]]] = {
    "streak": (render_streak, full_streak),
    "leaderboard": (render_leaderboard, samples.leaderboard),
    "recap": (render_recap, samples.recap),
    "progress": (render_progress, samples.progress),
}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def render_figures(repeat: int) -> list[str]:
    """Render every card ``repeat`` times; one summary line per card."""
    lines = []
    for name, (render, model) in CARDS.items():
        card = model()
        render(card)  # warm the font cache
        times, size = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            size = len(render(card))
            times.append((time.perf_counter() - start) * 1000)
        lines.append(
            f"card {name}: p50={percentile(times, 50):.1f}ms p99={percentile(times, 99):.1f}ms "
            f"png={size / 1024:.1f}KB n={repeat}"
        )
    return lines


async def with_renders(work: Coroutine[Any, Any, str], cards: int) -> tuple[str, int]:
    """Run ``work`` while ``cards`` renders stay in flight; returns its result, cards done."""
    stop = asyncio.Event()
    done = 0

    async def one() -> None:
        nonlocal done
        card = full_streak()
        while not stop.is_set():
            await render_image(render_streak, alt_text, card, "streak.png")
            done += 1

    renderers = [asyncio.create_task(one()) for _ in range(cards)]
    try:
        return await work, done
    finally:
        stop.set()
        await asyncio.gather(*renderers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60, help="renders per card")
    parser.add_argument("--n", type=int, default=50, help="concurrent commands per platform")
    parser.add_argument("--cards", type=int, default=50, help="card renders kept in flight")
    args = parser.parse_args()
    configure_logging("WARNING")
    for line in render_figures(args.repeat):
        print(line)
    discord, done = asyncio.run(with_renders(discord_ack.run(args.n, "challenge", 5), args.cards))
    print(f"{discord} while {args.cards} cards render ({done} rendered)")
    slack, done = asyncio.run(with_renders(slack_ack.bot_side(args.n, "/challenge", 5), args.cards))
    print(f"{slack} while {args.cards} cards render ({done} rendered)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs (shared with other work)")


if __name__ == "__main__":
    main()
