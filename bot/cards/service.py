"""Render a card off the event loop, turning any failure into "no picture" (logged).

A card is an extra: the reply's text is always complete, so a render that raises (or a
group that switched cards off) leaves the member with the text reply, never an error.
Rendering runs in the default thread pool (``asyncio.to_thread``): Pillow releases the GIL
while it encodes, and an ack on the event loop never waits for a picture.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from bot.core.models import ImageAttachment

log = logging.getLogger(__name__)

Model = TypeVar("Model")


async def render_image(
    render: Callable[[Model], bytes],
    alt: Callable[[Model], str],
    model: Model,
    filename: str,
) -> ImageAttachment | None:
    """``render(model)`` in a worker thread as an :class:`ImageAttachment`, else ``None``."""
    try:
        content = await asyncio.to_thread(render, model)
        return ImageAttachment(filename, content, alt(model))
    except Exception:
        log.exception("could not render card %s; answering with text", filename)
        return None
