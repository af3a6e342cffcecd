"""Render a card off the event loop, turning any failure into "no picture" (logged).

A card is an extra: the reply's text is always complete, so a render that raises (or a
group that switched cards off) leaves the member with the text reply, never an error.
Rendering runs in one dedicated worker thread, not on the event loop. One worker, not the
default pool: drawing holds the GIL most of the time, and several drawing threads at once
starve the event loop (measured: Discord ack p99 rose above 300 ms with the default pool
while 50 cards rendered); with one worker the loop keeps about half the interpreter, and
cards queue up instead (each takes about 20 ms).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bot.core.models import ImageAttachment

log = logging.getLogger(__name__)

Model = TypeVar("Model")

# Created on first use; threads of a ThreadPoolExecutor are daemon-like and end with the
# interpreter, so the pool needs no lifecycle of its own.
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="card-render")
    return _pool


async def render_image(
    render: Callable[[Model], bytes],
    alt: Callable[[Model], str],
    model: Model,
    filename: str,
) -> ImageAttachment | None:
    """``render(model)`` in a worker thread as an :class:`ImageAttachment`, else ``None``."""
    try:
        loop = asyncio.get_running_loop()
        content = await loop.run_in_executor(_executor(), render, model)
        return ImageAttachment(filename, content, alt(model))
    except Exception:
        log.exception("could not render card %s; answering with text", filename)
        return None
