"""Lines of standard input for the console, read without holding up shutdown.

``asyncio.to_thread(sys.stdin.readline)`` would block SIGTERM handling: the default
executor's threads are joined when the event loop closes and again at interpreter exit,
so a read waiting on an open pipe or terminal keeps the process alive after the app has
stopped. A daemon thread calling :func:`os.read` holds no Python-level lock while it
waits (unlike ``sys.stdin``'s buffered reader), so the process can exit under it.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import threading
from collections.abc import AsyncIterator
from contextlib import suppress

_CHUNK = 65536


async def stdin_lines(fd: int = 0) -> AsyncIterator[str]:
    """Yield lines (with their newline) from file descriptor ``fd`` until end of input."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def put(item: str | None) -> None:
        # The loop may already be closed at shutdown; the line is then simply dropped.
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(queue.put_nowait, item)

    def pump() -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        while True:
            try:
                chunk = os.read(fd, _CHUNK)
            except OSError:
                chunk = b""
            pending += decoder.decode(chunk, final=not chunk)
            *lines, pending = pending.split("\n")
            for line in lines:
                put(line + "\n")
            if not chunk:
                if pending:
                    put(pending)
                put(None)
                return

    threading.Thread(target=pump, name="console-stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line
