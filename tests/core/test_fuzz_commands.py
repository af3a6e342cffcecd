"""Fuzzing every command spec (and every button) through the real dispatcher.

The specs are read from the registry, so a command added later is fuzzed without touching
this file. Each is run as a member and as a moderator with generated argument text (unicode,
huge strings, ``%`` and ``_``, quotes, numbers far out of range, ``__pycache__``, mentions,
``name:value`` pairs, nothing at all) as Slack and the console send it, and with generated
typed options as Discord sends them. Every run must get a reply that is not the generic
"something went wrong" apology, and a command the caller may not run must change nothing in
the database (a dump of every table before and after).

The app runs once for the module on a loop of its own thread (a real migrated SQLite file,
the real dispatcher and features); hypothesis drives it synchronously. Examples per case
are bounded (``STUDYBOT_FUZZ_EXAMPLES``, 6 by default) so the suite stays quick; a deeper
run: ``STUDYBOT_FUZZ_EXAMPLES=300 pytest tests/core/test_fuzz_commands.py``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.config import BUNDLED_CONTENT_DIR, Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.commands import CommandSpec, ParamKind, Registry, Role
from bot.core.dispatcher import SORRY
from bot.core.models import InvocationKind, Platform, Reply
from bot.features import all_routers
from tests.conftest import DEFAULT_START
from tests.support.fake_adapter import FakeAdapter
from tests.support.harness import BotHarness

T = TypeVar("T")
REGISTRY = Registry(all_routers())
SPECS = REGISTRY.commands
ACTIONS = sorted(REGISTRY._actions)
EXAMPLES = int(os.environ.get("STUDYBOT_FUZZ_EXAMPLES", "6"))
APOLOGY = SORRY.split(" Nothing")[0]
# Bits adversarial users type; combined below with arbitrary unicode.
TOKENS = [
    "%",
    "_",
    "%_%",
    "'",
    '"',
    '"unclosed',
    "\\",
    "99999999999",
    "-99999999999",
    "1e309",
    "0",
    "-1",
    "__pycache__",
    "../../etc/passwd",
    "<@U1ANN>",
    "<@U1ANN|ann>",
    "<@!123456789012345678>",
    "<#C1GENERAL|general>",
    "@ann",
    "@mod",
    "ann",
    "name:value",
    "timezone:Europe/Berlin",
    "timezone:" + "A" * 300,
    "day:yesterday",
    "yesterday",
    "tz:",
    ":",
    "2026-02-30",
    "25:99",
    "https://example.com/x?y=%25",
    "http://",
    "🔥",
    "\u202e",
    "\x00",
    "\n",
    "on",
    "off",
    "reset",
    "show",
    "set",
]
words = st.one_of(st.sampled_from(TOKENS), st.text(max_size=12))
texts = st.one_of(
    st.just(""),
    st.lists(words, max_size=6).map(" ".join),
    st.text(max_size=80),
    st.sampled_from(["x" * 70_000, "% " * 30_000, "<@U1ANN> " * 5_000]),
)


def typed_value(kind: ParamKind) -> st.SearchStrategy[Any]:
    """What Discord could send for an option of ``kind`` (and some it should not)."""
    odd = st.one_of(st.sampled_from(TOKENS), st.text(max_size=30))
    if kind is ParamKind.INTEGER:
        return st.one_of(st.integers(-(10**12), 10**12), odd)
    if kind is ParamKind.BOOLEAN:
        return st.one_of(st.booleans(), odd)
    return odd


@dataclass
class Running:
    """The app on its own loop, and the SQLite file it writes."""

    loop: asyncio.AbstractEventLoop
    bot: BotHarness
    db_path: Path

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=60)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (a second connection reads the committed state)."""
        with sqlite3.connect(self.db_path) as db:
            names = [
                r[0]
                for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if r[0] != "alembic_version"
            ]
            return {n: sorted(map(tuple, db.execute(f'SELECT * FROM "{n}"'))) for n in names}


@pytest.fixture(scope="module")
def running(
    migrated_template: Path, tmp_path_factory: pytest.TempPathFactory, content_store: ContentStore
) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("fuzz")
    db_path = folder / "studybot.db"
    shutil.copy(migrated_template, db_path)
    app_settings = Settings(
        database_url_override=f"sqlite+aiosqlite:///{db_path}",
        data_dir=folder,
        auto_migrate=False,
        content_dir=BUNDLED_CONTENT_DIR,
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fuzz-app", daemon=True)
    thread.start()
    clock = FakeClock(DEFAULT_START)
    adapters = {p: FakeAdapter(p) for p in Platform}
    app = App(
        settings=app_settings,
        clock=clock,
        content=content_store,
        adapter_factories=[lambda _app, a=a: a for a in adapters.values()],
    )
    state = Running(loop, BotHarness(app=app, clock=clock, adapters=adapters), db_path)
    state.run(app.start())
    try:
        # A little history, so commands have members, check-ins and settings to act on.
        for line, user in (("/done first", "ann"), ("/done hi", "mod"), ("/streak", "bob")):
            state.run(state.bot.cmd(line, user=user))
        yield state
    finally:
        state.run(app.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def check(running: Running, spec_name: str, reply: Reply, refused: bool, before: Any) -> None:
    assert isinstance(reply, Reply)
    assert reply.plain_text().strip() or reply.image or reply.file, f"/{spec_name}: no reply"
    assert APOLOGY not in reply.text, f"/{spec_name} crashed: {reply.text}"
    if refused:
        assert "for moderators" in reply.text, f"/{spec_name}: not refused: {reply.text[:200]}"
        assert running.snapshot() == before, f"/{spec_name}: a refused command changed state"


@pytest.mark.parametrize("moderator", [False, True], ids=["member", "moderator"])
@pytest.mark.parametrize("spec", SPECS, ids=[s.full_name.replace(" ", "-") for s in SPECS])
def test_every_command_with_generated_text(
    running: Running, spec: CommandSpec, moderator: bool
) -> None:
    refused = spec.requires is Role.MODERATOR and not moderator
    command, prefix = (spec.group, spec.name + " ") if spec.group else (spec.name, "")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=texts)
    def run_text(text: str) -> None:
        before = running.snapshot() if refused else None
        invocation = running.bot.invocation(
            command, prefix + text, user="mod" if moderator else "ann", moderator=moderator
        )
        assert running.bot.app.dispatcher is not None
        reply = running.run(running.bot.app.dispatcher.dispatch(invocation))
        check(running, spec.full_name, reply, refused, before)

    run_text()


@pytest.mark.parametrize("moderator", [False, True], ids=["member", "moderator"])
@pytest.mark.parametrize("spec", SPECS, ids=[s.full_name.replace(" ", "-") for s in SPECS])
def test_every_command_with_generated_typed_options(
    running: Running, spec: CommandSpec, moderator: bool
) -> None:
    refused = spec.requires is Role.MODERATOR and not moderator
    options = st.fixed_dictionaries(
        {},
        optional={p.name: typed_value(p.kind) for p in spec.params},
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(args=options)
    def run_typed(args: dict[str, Any]) -> None:
        before = running.snapshot() if refused else None
        invocation = running.bot.invocation(
            spec.full_name,
            None,
            user="mod" if moderator else "ann",
            moderator=moderator,
            platform=Platform.DISCORD,
            args=args,
        )
        assert running.bot.app.dispatcher is not None
        reply = running.run(running.bot.app.dispatcher.dispatch(invocation))
        check(running, spec.full_name, reply, refused, before)

    run_typed()


@pytest.mark.parametrize("action", ACTIONS)
def test_every_button_with_generated_values(running: Running, action: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(value=texts, moderator=st.booleans())
    def press(value: str, moderator: bool) -> None:
        invocation = running.bot.invocation(
            action,
            None,
            user="mod" if moderator else "ann",
            moderator=moderator,
            args={"value": value},
            kind=InvocationKind.ACTION,
            platform=Platform.SLACK,
        )
        assert running.bot.app.dispatcher is not None
        reply = running.run(running.bot.app.dispatcher.dispatch(invocation))
        assert APOLOGY not in reply.text, f"{action} crashed on {value[:80]!r}: {reply.text}"
        assert reply.plain_text().strip() or reply.image or reply.buttons

    press()
