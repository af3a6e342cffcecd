"""The chaos run in small: two bot processes on one PostgreSQL, crashes, no duplicate, no gap.

The full-size run (3 workers, 10 days x 500 channels) is ``benchmarks/posting_chaos.py``.
"""

from __future__ import annotations

import pytest

from benchmarks.loopback_platform import Faults
from benchmarks.posting_chaos import ChaosConfig, run_chaos

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


async def test_two_processes_with_crashes_post_each_day_exactly_once(postgres_url: str) -> None:
    config = ChaosConfig(
        database_url=postgres_url,
        workers=2,
        days=2,
        channels=24,
        crash=0.08,
        kill=0.0,  # hard kills and restarts: see the benchmark (a restart costs seconds)
        lease=1.0,
        faults=Faults(rate_limit=0.05, error_before_store=0.03, error_after_store=0.05),
        seed=11,
    )
    result = await run_chaos(config)
    # The chaos really happened: posts were abandoned mid-way and taken over.
    assert result.takeovers > 0 and result.injected > 0
    assert result.faults["500-after"] > 0  # the platform stored messages it reported failed
    assert (result.expected, result.delivered) == (48, 48)
    assert result.duplicates == 0 and result.gaps == 0
    assert set(result.statuses) == {"sent"}
