"""The recovery sweep: each claimed entry goes to its platform's adapter, failures are
contained, an entry that keeps failing is given up on, and old entries are pruned."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.core.clock import FakeClock
from bot.core.inbox import InboxEntry, InboxStatus, PendingEntry
from bot.core.inbox_recovery import CLAIM_BATCH, MAX_ATTEMPTS, InboxRecovery
from bot.core.models import Platform

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def pending(key: str, platform: Platform = Platform.SLACK, attempts: int = 1) -> PendingEntry:
    entry = InboxEntry(key, platform, "command", {}, f"/done {key}", NOW)
    return PendingEntry(entry, InboxStatus.PENDING, None, attempts)


class FakeInbox:
    """Hands out prepared batches; records answers and prunes."""

    def __init__(self, batches: list[list[PendingEntry]]) -> None:
        self.batches = batches
        self.answered_keys: list[str] = []
        self.prunes = 0

    async def accept(self, entry: InboxEntry) -> bool:
        return True

    async def answering(self, key: str, *, uncertain: bool = False) -> bool:
        return True

    def answered(self, key: str) -> None:
        self.answered_keys.append(key)

    def release(self, key: str) -> None:
        pass

    async def claim_due(self, now: datetime, limit: int) -> list[PendingEntry]:
        return self.batches.pop(0) if self.batches else []

    async def prune(self) -> int:
        self.prunes += 1
        return 0


class Recorder:
    def __init__(self, fail: frozenset[str] = frozenset()) -> None:
        self.fail = fail
        self.seen: list[str] = []
        self.items: list[PendingEntry] = []

    async def replay(self, item: PendingEntry) -> None:
        self.seen.append(item.entry.key)
        self.items.append(item)
        if item.entry.key in self.fail:
            raise RuntimeError("boom")


async def test_entries_go_to_their_platform_and_failures_stay_contained() -> None:
    slack, discord = Recorder(fail=frozenset({"s2"})), Recorder()
    full = [pending(f"s{i}") for i in range(CLAIM_BATCH)]
    inbox = FakeInbox([full, [pending("d1", Platform.DISCORD), pending("c1", Platform.CONSOLE)]])
    recovery = InboxRecovery(
        inbox, FakeClock(NOW), {Platform.SLACK: slack, Platform.DISCORD: discord}
    )
    assert await recovery.sweep() == CLAIM_BATCH + 2
    assert len(slack.seen) == CLAIM_BATCH and discord.seen == ["d1"]
    assert recovery.finished == CLAIM_BATCH  # s2 failed, c1 has no adapter here
    assert inbox.answered_keys == []


async def test_an_entry_that_keeps_failing_is_given_up_on_and_the_member_told() -> None:
    slack = Recorder()
    inbox = FakeInbox([[pending("s1", attempts=MAX_ATTEMPTS + 1), pending("s2")]])
    recovery = InboxRecovery(inbox, FakeClock(NOW), {Platform.SLACK: slack})
    await recovery.sweep()
    gave_up, normal = slack.items
    # Handed over as answered-with-an-apology: the adapter only delivers the text.
    assert gave_up.status is InboxStatus.DONE and gave_up.reply is not None
    assert "could not run `/done s1`" in gave_up.reply and "nothing was changed" in gave_up.reply
    assert normal.status is InboxStatus.PENDING


async def test_the_loop_sweeps_at_start_and_prunes() -> None:
    inbox = FakeInbox([[pending("s1")]])
    slack = Recorder()
    recovery = InboxRecovery(inbox, FakeClock(NOW), {Platform.SLACK: slack}, interval=3600)
    await recovery.start()
    await asyncio.wait_for(recovery.first_sweep.wait(), 5)
    await recovery.stop()
    assert slack.seen == ["s1"] and inbox.prunes == 1
