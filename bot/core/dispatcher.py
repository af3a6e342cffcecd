"""The dispatcher: from an :class:`Invocation` to a :class:`Reply`.

Resolves the command, parses and validates its arguments, resolves who is asking,
checks their role on our side, and runs the handler in one database transaction that
commits on success and rolls back on any error. A :class:`UserError` becomes a clear
private reply; anything else is logged with the invocation id and answered with a short
apology, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from bot import metrics
from bot.core.args import convert_typed, parse_text, split_subcommand
from bot.core.commands import CommandSpec, Role
from bot.core.context import CommandContext, GroupSettings
from bot.core.errors import PermissionDenied, UnknownCommand, UsageError, UserError
from bot.core.models import Invocation, InvocationKind, Reply
from bot.core.services import Services

log = logging.getLogger(__name__)

T = TypeVar("T")

SORRY = (
    "Sorry, something went wrong on my side while doing that. Nothing was changed. "
    "The moderators can find the details in the logs under id `{id}`."
)
RESTARTING = (
    "I'm restarting right now, so I did not run that and nothing was changed. "
    "Please try again in a minute."
)
KEPT = (
    "I'm restarting right now. I have kept your command and will run it and answer you "
    "here as soon as I am back, in a minute or so."
)
# Returned for an inbox entry another run already processed: nothing is sent for it.
DUPLICATE = Reply(text="")
# Returned for an inbox entry whose run hit a passing database failure (a lock held too
# long, a dropped connection): nothing is sent, nothing was changed, and the recovery sweep
# runs it again once its lease ends; the member gets that run's answer.
RETRY_LATER = Reply(text="")
_TRANSIENT = (OperationalError, InterfaceError, SQLAlchemyTimeoutError, OSError, TimeoutError)


class _AlreadyProcessed(Exception):
    """Another run moved this invocation's inbox entry first; this run's effects roll back."""


class Responder(Protocol):
    """How an adapter answers one invocation (built per inbound event)."""

    async def send(self, reply: Reply) -> None:
        """Deliver ``reply`` to the user who asked."""
        ...


class Dispatcher:
    """Routes invocations to handlers; the single entry point for every adapter."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._draining = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def draining(self) -> bool:
        """Whether shutdown has begun (new invocations are turned away politely)."""
        return self._draining

    async def drain(self, timeout: float) -> bool:  # noqa: ASYNC109 (reports, not raises)
        """Stop taking invocations and wait up to ``timeout`` s for in-flight ones.

        Returns:
            ``True`` when every in-flight invocation finished (its reply sent, for
            :meth:`handle`), ``False`` when the timeout ran out first.
        """
        self._draining = True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    @contextmanager
    def _tracked(self) -> Iterator[None]:
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def handle(self, invocation: Invocation, responder: Responder) -> Reply:
        """Dispatch and send the reply through ``responder``."""
        # Tracked until the reply is out, so draining waits for the answer too.
        with self._tracked():
            reply = await self.dispatch(invocation)
            if reply is DUPLICATE:
                return reply
            if reply is RETRY_LATER:
                inbox = self.services.inbox
                if inbox is not None and invocation.inbox_key:
                    inbox.release(invocation.inbox_key)
                return reply
            inbox = self.services.inbox
            key = invocation.inbox_key if inbox is not None and reply.text != KEPT else None
            # Claimed before it is sent, so a crash mid-send is never answered twice.
            if inbox is not None and key is not None and not await inbox.answering(key):
                log.info("the answer of %s is already out; not sending it again", invocation.id)
                return DUPLICATE
            await responder.send(reply)
            if inbox is not None and key is not None:
                inbox.answered(key)
        return reply

    async def dispatch(self, invocation: Invocation) -> Reply:
        """Run one invocation and return its reply; never raises for user-facing errors.

        Once :meth:`drain` has begun, new invocations get a polite "restarting" reply
        and nothing runs.
        """
        if self._draining:
            metrics.COMMANDS.labels(command=invocation.command, outcome="draining").inc()
            # A stored command stays pending: the next start runs and answers it.
            return Reply(text=KEPT if invocation.inbox_key else RESTARTING, ephemeral=True)
        with self._tracked():
            return await self._dispatch(invocation)

    async def _dispatch(self, invocation: Invocation) -> Reply:
        started = time.perf_counter()
        name = invocation.command
        outcome = "ok"
        try:
            if invocation.kind is InvocationKind.ACTION:
                reply = await self._run_action(invocation)
            else:
                spec, parse_args = self._resolve(invocation)
                name = spec.full_name
                reply = await self._run_command(invocation, spec, parse_args)
        except _AlreadyProcessed:
            outcome = "duplicate"
            log.info("inbox entry of %s was processed by another run", invocation.id)
            reply = DUPLICATE
        except PermissionDenied as exc:
            outcome = "denied"
            reply = Reply(text=str(exc), ephemeral=True)
        except UserError as exc:
            outcome = "user_error"
            reply = Reply(text=str(exc), ephemeral=True)
        except _TRANSIENT as exc:
            if invocation.inbox_key is None:
                outcome = "error"
                log.exception("invocation %s (/%s) failed", invocation.id, name)
                reply = Reply(text=SORRY.format(id=invocation.id), ephemeral=True)
            else:
                outcome = "retry"
                log.warning("invocation %s (/%s) will be retried: %r", invocation.id, name, exc)
                reply = RETRY_LATER
        except Exception:
            outcome = "error"
            log.exception("invocation %s (/%s) failed", invocation.id, name)
            reply = Reply(text=SORRY.format(id=invocation.id), ephemeral=True)
        if outcome in ("denied", "user_error", "error") and invocation.inbox_key:
            await self._settle(invocation, reply)
        elapsed = time.perf_counter() - started
        metrics.COMMANDS.labels(command=name, outcome=outcome).inc()
        metrics.COMMAND_SECONDS.labels(command=name).observe(elapsed)
        log.info(
            "invocation %s platform=%s user=%s command=/%s outcome=%s ms=%.1f",
            invocation.id,
            invocation.platform.value,
            invocation.actor.user_id,
            name,
            outcome,
            elapsed * 1000,
        )
        return reply

    def _resolve(self, invocation: Invocation) -> tuple[CommandSpec, Callable[[], dict[str, Any]]]:
        """The command spec and a parser for its arguments, run after the permission check."""
        registry = self.services.registry
        name = invocation.command.strip().lstrip("/").lower()
        text = invocation.text
        if registry.is_group(name) and " " not in name:
            sub, rest = split_subcommand(text or "")
            if not sub and invocation.args is None:
                raise UserError(self._group_help(name))
            if sub:
                name, text = f"{name} {sub}", rest
        spec = registry.get(name)
        if spec is None:
            group = name.split(" ")[0]
            if registry.is_group(group):
                raise UnknownCommand(f"`/{name}` is not a command.\n{self._group_help(group)}")
            raise UnknownCommand(f"`/{name}` is not a command I know. Try `/help`.")
        if text is not None:
            return spec, partial(parse_text, spec, text)
        return spec, partial(convert_typed, spec, invocation.args or {})

    def _group_help(self, group: str) -> str:
        lines = [f"`/{group}` needs a subcommand:"]
        for spec in self.services.registry.group_commands(group):
            lines.append(f"- `{spec.usage()}`: {spec.description}")
        return "\n".join(lines)

    async def _run_command(
        self,
        invocation: Invocation,
        spec: CommandSpec,
        parse_args: Callable[[], dict[str, Any]],
    ) -> Reply:
        async def call(ctx: CommandContext) -> Reply:
            # Permission first: a member's malformed moderator command gets the refusal,
            # and no argument of a command they may not run is ever interpreted.
            if spec.requires is Role.MODERATOR and not ctx.is_moderator:
                raise PermissionDenied(
                    f"`/{spec.full_name}` is for moderators of this group. "
                    "Ask a moderator, or an admin can add your role with "
                    "`/admin settings moderator_roles ...`."
                )
            reply = await spec.handler(ctx, **parse_args())
            if spec.ephemeral and not reply.ephemeral:
                reply = _with_ephemeral(reply)
            return reply

        return await self.in_transaction(invocation, call)

    async def _run_action(self, invocation: Invocation) -> Reply:
        action = self.services.registry.action(invocation.command)
        if action is None:
            raise UnknownCommand("That button no longer does anything.")
        value = str((invocation.args or {}).get("value", ""))

        async def call(ctx: CommandContext) -> Reply:
            if action.requires is Role.MODERATOR and not ctx.is_moderator:
                raise PermissionDenied("That button is for moderators of this group.")
            reply = await action.handler(ctx, value)
            return (
                _with_ephemeral(reply) if action.ephemeral and not reply.update_original else reply
            )

        return await self.in_transaction(invocation, call)

    async def in_transaction(
        self, invocation: Invocation, call: Callable[[CommandContext], Awaitable[T]]
    ) -> T:
        """Run ``call`` with a context in one transaction; commit, then after-commit hooks."""
        async with self.services.sessions() as session:
            async with session.begin():
                store = self.services.store
                membership = await store.resolve(
                    session, invocation.space, invocation.actor, self.services.clock.now()
                )
                # Loaded once per command: the moderator check and the handler share them.
                stored = await store.load_settings(session, membership.group.id)
                ctx = CommandContext(
                    invocation=invocation,
                    services=self.services,
                    session=session,
                    group=membership.group,
                    space=membership.space,
                    member=membership.member,
                    identity=membership.identity,
                    is_moderator=_is_moderator(invocation, stored),
                    _settings=GroupSettings(stored, self.services),
                )
                result = await call(ctx)
                key = invocation.inbox_key
                if key is not None and isinstance(result, Reply):
                    # Same transaction as the command's effects: both commit, or neither.
                    now = self.services.clock.now()
                    if not await store.mark_done(session, key, result.plain_text(), now):
                        raise _AlreadyProcessed(key)
            for callback in ctx._after_commit:
                try:
                    await callback()
                except Exception:
                    log.exception("after-commit hook of %s failed", invocation.id)
        return result

    async def _settle(self, invocation: Invocation, reply: Reply) -> None:
        """Mark a refused or failed invocation's inbox entry done (nothing was changed)."""
        assert invocation.inbox_key is not None
        try:
            async with self.services.sessions() as session, session.begin():
                await self.services.store.mark_done(
                    session, invocation.inbox_key, reply.plain_text(), self.services.clock.now()
                )
        except Exception:
            # Left pending: the recovery sweep answers it again later.
            log.warning("could not mark inbox entry of %s done", invocation.id, exc_info=True)

    async def complete(self, invocation: Invocation, completer: str, prefix: str) -> list[str]:
        """Autocomplete values for a parameter; errors give no suggestions, not a crash."""
        fn = self.services.registry.completer(completer)
        if fn is None:
            return []
        try:
            values = await self.in_transaction(invocation, lambda ctx: fn(ctx, prefix))
        except Exception:
            log.exception("autocomplete %s failed for %s", completer, invocation.id)
            return []
        return values[:25]


def _is_moderator(invocation: Invocation, stored: dict[str, Any]) -> bool:
    """Checked on the server: a platform admin, or a role (or user) the group names."""
    actor = invocation.actor
    if actor.is_admin:
        return True
    allowed = set(stored.get("moderator_roles") or [])
    return bool(allowed & (set(actor.roles) | {actor.user_id}))


def _with_ephemeral(reply: Reply) -> Reply:
    from dataclasses import replace

    return replace(reply, ephemeral=True)


__all__ = ["Dispatcher", "Responder", "UsageError"]
