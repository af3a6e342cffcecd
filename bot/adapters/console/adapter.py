"""A terminal chat: type slash commands as on Slack, see replies and scheduled posts.

When input is not a terminal it reads one command per line and stops at end of input, so
sessions can be scripted (``studybot run < session.txt``). Lines starting with ``:`` are
meta-commands for playing different members and moving a simulated clock.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.adapters.base import Adapter, Capability
from bot.adapters.console.render import render
from bot.adapters.console.stdin import stdin_lines
from bot.core.dispatcher import Dispatcher
from bot.core.models import (
    CONSOLE_SPACE,
    Actor,
    Button,
    Destination,
    Invocation,
    InvocationKind,
    Platform,
    Reply,
    SentRef,
    SpaceRef,
)

log = logging.getLogger(__name__)

CONSOLE_CHANNEL = "general"
META_HELP = """Console meta-commands:
  :as NAME [--mod] [--platform discord|slack]   act as another member (moderator with --mod)
  :advance DURATION    move the simulated clock (e.g. 1d, 90m, 2h30m) and run what falls due
  :now                 show the simulated time
  :press LABEL         press a button of the last message that had one (e.g. :press done)
  $code                in a command: the last code a reply gave (e.g. /link $code)
  :help                this list
  :quit                leave
Type /help for the bot's commands."""

_DURATION = re.compile(r"(\d+)\s*(d|h|m|s)")
_VALUE_REF = re.compile(r"\$([a-z_]+)\b")


def parse_duration(text: str) -> timedelta:
    """Parse ``1d``, ``90m``, ``2h30m`` into a timedelta; raise ValueError otherwise."""
    compact = text.replace(" ", "").lower()
    parts = _DURATION.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"not a duration: {text!r} (try 1d, 90m or 2h30m)")
    units = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
    delta = timedelta()
    for number, unit in parts:
        delta += timedelta(**{units[unit]: int(number)})
    return delta


@dataclass
class TimeControl:
    """The simulated clock's controls, supplied by the app with ``--simulated-clock``."""

    now: Callable[[], datetime]
    advance: Callable[[timedelta], Awaitable[None]]


@dataclass
class ConsoleUser:
    """Who the console is typing as."""

    name: str
    moderator: bool
    platform: Platform = Platform.CONSOLE


class ConsoleAdapter(Adapter):
    """Reads commands from a line source and writes rendered replies to a stream."""

    platform = Platform.CONSOLE
    capabilities = frozenset({Capability.BUTTONS, Capability.FILES})

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        user: str = "you",
        lines: AsyncIterator[str] | None = None,
        output: TextIO | None = None,
        time_control: TimeControl | None = None,
        interactive: bool | None = None,
        image_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self._image_dir = image_dir
        self._dispatcher = dispatcher
        self._user = ConsoleUser(user, moderator=True)
        self._lines = lines
        self._out = output or sys.stdout
        self._time = time_control
        self._interactive = sys.stdin.isatty() if interactive is None else interactive
        self._task: asyncio.Task[None] | None = None
        self._last_buttons: tuple[Button, ...] = ()
        self._values: dict[str, str] = {}
        self._write_lock = asyncio.Lock()

    async def start(self) -> None:
        """Start reading commands in the background."""
        self._task = asyncio.create_task(self._loop(), name="console-input")
        self.ready.set()

    async def stop(self) -> None:
        """Stop reading; the current command finishes first."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        self.closed.set()

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        """Print a proactive post (a scheduled challenge, a reminder) with its channel."""
        where = (
            f"#{destination.channel_id}" if destination.channel_id else f"DM @{destination.user_id}"
        )
        if destination.platform is not Platform.CONSOLE:  # a simulated Discord/Slack space
            where = f"{destination.platform.value} {where}"
        await self._write(f"[{where}]\n{self._render(reply)}")
        if reply.buttons:
            self._last_buttons = reply.buttons
        return SentRef(destination.channel_id or f"dm-{destination.user_id}", idempotency_key or "")

    async def _loop(self) -> None:
        try:
            if self._interactive:
                await self._write(
                    f"studybot console. You are `{self._user.name}` (moderator). "
                    "Type /help, or :help for console commands."
                )
            async for line in self._read_lines():
                if not await self.handle_line(line):
                    break
        except Exception:
            log.exception("console input loop failed")
        finally:
            self.closed.set()

    async def _read_lines(self) -> AsyncIterator[str]:
        if self._lines is not None:
            async for line in self._lines:
                yield line
            return
        stdin = stdin_lines()  # a daemon-thread reader, so SIGTERM is never held up
        while True:
            if self._interactive:
                self._out.write(f"{self._user.name}> ")
                self._out.flush()
            line = await anext(stdin, "")
            if not line:
                return
            yield line

    async def handle_line(self, raw: str) -> bool:
        """Handle one typed line; returns ``False`` when the user asked to quit."""
        line = raw.strip()
        if not line or line.startswith("#"):
            return True
        line = self._expand(line)
        if not self._interactive:
            await self._write(f"{self._user.name}> {line}")
        if line.startswith(":"):
            return await self._meta(line)
        if not line.startswith("/"):
            await self._write("Commands start with / (try /help); console commands with : (:help).")
            return True
        command, _, text = line[1:].partition(" ")
        await self._invoke(command.lower(), text, InvocationKind.COMMAND)
        return True

    def _expand(self, line: str) -> str:
        """Replace ``$name`` with the last value a reply offered under that name.

        This is what makes a scripted session able to redeem a one-time code: ``/link``
        on one simulated platform, then ``/link $code`` on the other.
        """
        return _VALUE_REF.sub(lambda m: self._values.get(m.group(1), m.group(0)), line)

    async def _invoke(self, command: str, text: str, kind: InvocationKind) -> None:
        user = self._user
        platform = user.platform
        space = (
            CONSOLE_SPACE
            if platform is Platform.CONSOLE
            else SpaceRef(platform, f"console-{platform.value}", f"Console {platform.value} space")
        )
        invocation = Invocation(
            platform=platform,
            space=space,
            actor=Actor(user_id=user.name, display_name=user.name, is_admin=user.moderator),
            command=command,
            channel_id=CONSOLE_CHANNEL,
            text=text if kind is InvocationKind.COMMAND else None,
            args={"value": text} if kind is InvocationKind.ACTION else None,
            kind=kind,
        )
        reply = await self._dispatcher.dispatch(invocation)
        if reply.buttons:
            self._last_buttons = reply.buttons
        # Values a reply offers for later lines (a link code), typed back as ``$name``.
        self._values.update(reply.metadata or {})
        prefix = "(only you can see this)\n" if reply.ephemeral else ""
        await self._write(prefix + self._render(reply))

    def _render(self, reply: Reply) -> str:
        """The reply as text; a picture is written under the data folder and its path shown."""
        text = render(reply)
        if reply.image is None or self._image_dir is None:
            return text
        try:
            self._image_dir.mkdir(parents=True, exist_ok=True)
            stem = reply.image.filename.rsplit(".", 1)[0]
            path = self._image_dir / f"{stem}-{uuid.uuid4().hex[:8]}.png"
            path.write_bytes(reply.image.content)
        except OSError as exc:  # a card is an extra: the text already says everything
            log.warning("could not save card %s: %s", reply.image.filename, exc)
            return text
        return f"{text}\n\n(card saved: {path} — {reply.image.alt_text})"

    async def _meta(self, line: str) -> bool:
        words = line[1:].split()
        verb, args = (words[0].lower(), words[1:]) if words else ("help", [])
        if verb in ("quit", "exit", "q"):
            return False
        if verb == "help":
            await self._write(META_HELP)
        elif verb == "as":
            await self._switch_user(args)
        elif verb == "now":
            await self._show_now()
        elif verb == "advance":
            await self._advance(" ".join(args))
        elif verb == "press":
            await self._press(" ".join(args))
        else:
            await self._write(f"Unknown console command :{verb}. Type :help.")
        return True

    async def _switch_user(self, args: list[str]) -> None:
        names = [a for a in args if not a.startswith("--")]
        if not names:
            await self._write("Usage: :as NAME [--mod] [--platform discord|slack]")
            return
        platform = Platform.CONSOLE
        if "--platform" in args:
            index = args.index("--platform")
            value = args[index + 1] if index + 1 < len(args) else ""
            try:
                platform = Platform(value.lower())
            except ValueError:
                await self._write("--platform takes console, discord or slack.")
                return
            names = [n for n in names if n != value]
        self._user = ConsoleUser(names[0], moderator="--mod" in args, platform=platform)
        role = "moderator" if self._user.moderator else "member"
        where = "" if platform is Platform.CONSOLE else f" on {platform.value}"
        await self._write(f"You are now `{self._user.name}` ({role}){where}.")

    async def _show_now(self) -> None:
        if self._time is None:
            await self._write("The clock is real; start with --simulated-clock to move it.")
            return
        now = self._time.now()
        await self._write(f"Simulated time: {now:%Y-%m-%d %H:%M} UTC ({now:%A})")

    async def _advance(self, text: str) -> None:
        if self._time is None:
            await self._write(":advance needs `studybot run --simulated-clock`.")
            return
        try:
            delta = parse_duration(text)
        except ValueError as exc:
            await self._write(str(exc))
            return
        await self._time.advance(delta)
        await self._show_now()

    async def _press(self, label: str) -> None:
        wanted = label.strip().lower()
        for button in self._last_buttons:
            if button.action_id and (not wanted or button.label.lower().startswith(wanted)):
                await self._invoke(button.action_id, button.value, InvocationKind.ACTION)
                return
        await self._write("There is no such button on the last message.")

    async def _write(self, text: str) -> None:
        async with self._write_lock:
            self._out.write(text + "\n\n")
            self._out.flush()
