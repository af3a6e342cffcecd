"""Pacing and the retry policy above the adapters (no real sleeping: clocks are injected)."""

from __future__ import annotations

import pytest

from bot.adapters.base import DirectMessagesClosed, SendError
from bot.core.models import Destination, Platform, Reply
from bot.scheduling.delivery import Delivery, LostClaim, RetryPolicy
from bot.scheduling.pacing import Pacer, PacingPolicy, Rate
from tests.scheduling.helpers import RecordingSleep
from tests.support.fake_adapter import FakeAdapter

DISCORD = Destination(Platform.DISCORD, "g", channel_id="1")


class Ticker:
    """A monotonic clock that only moves when the recorded sleep says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_discord_fan_out_is_spaced_at_forty_per_second() -> None:
    ticker = Ticker()
    pacer = Pacer(monotonic=ticker, sleep=ticker.sleep)
    starts = []
    for n in range(120):
        await pacer.acquire(Destination(Platform.DISCORD, "g", channel_id=str(n)))
        starts.append(ticker.now)
    assert starts[0] == 0.0
    # Never more than 40 sends in any one-second window; 120 sends take 119/40 s.
    window = 1 - 1e-6  # float sums of 1/40 land a hair off the exact second
    assert max(sum(1 for s in starts if t <= s < t + window) for t in starts) == 40
    assert starts[-1] == pytest.approx(119 / 40)


async def test_slack_paces_per_channel_and_per_workspace() -> None:
    ticker = Ticker()
    pacer = Pacer(PacingPolicy(slack_workspace=Rate(10.0)), monotonic=ticker, sleep=ticker.sleep)
    one = Destination(Platform.SLACK, "T1", channel_id="C1")
    waits = [await pacer.acquire(one) for _ in range(3)]
    assert waits == [0.0, pytest.approx(1.0), pytest.approx(1.0)]  # 1 message/s per channel
    # Other channels of the workspace fill in at up to 10/s; another workspace is free.
    others = [
        await pacer.acquire(Destination(Platform.SLACK, "T1", channel_id=f"C{n}"))
        for n in range(2, 12)
    ]
    assert others == [pytest.approx(0.1)] * 10  # the workspace cap: 10 per second
    assert await pacer.acquire(Destination(Platform.SLACK, "T2", channel_id="C1")) == 0.0
    assert await pacer.acquire(Destination(Platform.CONSOLE, "c", channel_id="general")) == 0.0


def _delivery(adapter: FakeAdapter, sleep: RecordingSleep, **policy: float) -> Delivery:
    pacer = Pacer(PacingPolicy(discord_global=Rate(1e9)))
    return Delivery(
        adapter,
        pacer,
        RetryPolicy(**policy),
        sleep=sleep,
        jitter=lambda: 0.5,  # type: ignore[arg-type]
    )


class Scripted(FakeAdapter):
    """Fails with the scripted errors first, then delivers."""

    def __init__(self, errors: list[SendError]) -> None:
        super().__init__(Platform.DISCORD)
        self.errors = errors
        self.attempts = 0

    async def send(self, destination, reply, *, idempotency_key=None):  # type: ignore[no-untyped-def]
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        return await super().send(destination, reply, idempotency_key=idempotency_key)


async def test_retry_after_is_waited_out_exactly_and_not_counted_as_maybe_sent() -> None:
    adapter = Scripted([SendError("slow down", code="429", retry_after=7.5)])
    sleep = RecordingSleep()
    ref = await _delivery(adapter, sleep).send(DISCORD, Reply(text="hi"), key="k1")
    assert ref.message_id == "1" and adapter.attempts == 2
    assert sleep.waits == [7.5]
    assert [m.idempotency_key for m in adapter.sent] == ["k1"]


async def test_server_errors_back_off_exponentially_with_the_same_key() -> None:
    adapter = Scripted([SendError("502", code="502") for _ in range(3)])
    sleep = RecordingSleep()
    await _delivery(adapter, sleep, base_delay=1.0).send(DISCORD, Reply(text="hi"), key="k2")
    # Equal jitter at 0.5: three quarters of 1, 2, 4 seconds.
    assert sleep.waits == [0.75, 1.5, 3.0]
    assert adapter.attempts == 4


async def test_giving_up_reports_whether_the_message_may_exist() -> None:
    # Answered server errors did not create the message...
    adapter = Scripted([SendError("500", code="500") for _ in range(5)])
    with pytest.raises(SendError) as failed:
        await _delivery(adapter, RecordingSleep(), max_attempts=3).send(
            DISCORD, Reply(text="hi"), key="k"
        )
    assert not failed.value.permanent and not failed.value.maybe_delivered
    assert adapter.attempts == 3
    # ...but a request that was never answered (a timeout) may have.
    adapter = Scripted([SendError("500", code="500"), SendError("timed out", code="network")])
    with pytest.raises(SendError) as failed:
        await _delivery(adapter, RecordingSleep(), max_attempts=2).send(
            DISCORD, Reply(text="hi"), key="k"
        )
    assert failed.value.maybe_delivered


async def test_long_retry_after_is_handed_back_instead_of_held() -> None:
    adapter = Scripted([SendError("429", code="429", retry_after=600)])
    with pytest.raises(SendError) as failed:
        await _delivery(adapter, RecordingSleep()).send(DISCORD, Reply(text="hi"), key="k")
    assert failed.value.retry_after == 600 and not failed.value.maybe_delivered


async def test_permanent_errors_stop_at_once_and_closed_dms_pass_through() -> None:
    adapter = FakeAdapter(Platform.DISCORD)
    adapter.forbidden_channels.add("1")
    sleep = RecordingSleep()
    with pytest.raises(SendError) as failed:
        await _delivery(adapter, sleep).send(DISCORD, Reply(text="hi"), key="k")
    assert failed.value.permanent and failed.value.code == "forbidden" and sleep.waits == []
    adapter.closed_dms.add("u1")
    with pytest.raises(DirectMessagesClosed):
        await _delivery(adapter, sleep).send(
            Destination(Platform.DISCORD, "g", user_id="u1"), Reply(text="hi"), key="k"
        )


async def test_a_lost_claim_stops_before_the_attempt() -> None:
    adapter = FakeAdapter(Platform.DISCORD)

    async def lost(_attempt: int) -> bool:
        return False

    with pytest.raises(LostClaim):
        await _delivery(adapter, RecordingSleep()).send(
            DISCORD, Reply(text="hi"), key="k", before_attempt=lost
        )
    assert adapter.sent == []
