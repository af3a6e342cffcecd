"""Celebrations under crash injection: several instances, 0 duplicates and 0 missing.

The bigger run is ``benchmarks/celebration_chaos.py`` (it prints the figures).
"""

from __future__ import annotations

import pytest

from benchmarks.celebration_chaos import ChaosConfig, ChaosResult, run_chaos


def check(result: ChaosResult, config: ChaosConfig) -> None:
    # The chaos really happened: instances died at every point and were taken over.
    assert set(result.crashes) == {"after-claim", "before-send", "after-store"}, result.crashes
    assert result.takeovers > 0
    # The burst (everyone earns at once, like an amnesty) is one post per group.
    assert result.largest_batch == config.members
    assert result.posts > config.groups  # trickles after the burst make posts of their own
    assert result.duplicates == 0 and result.missing == 0, result.summary()
    assert set(result.statuses) == {"sent"}, result.statuses


async def test_sqlite_three_instances_with_crashes(sqlite_url: str) -> None:
    config = ChaosConfig(
        database_url=sqlite_url, instances=3, groups=3, members=20, waves=3, crash=0.12, seed=3
    )
    check(await run_chaos(config), config)


@pytest.mark.postgres
async def test_postgres_three_instances_with_crashes(postgres_url: str) -> None:
    config = ChaosConfig(
        database_url=postgres_url, instances=3, groups=3, members=20, waves=3, crash=0.12, seed=5
    )
    check(await run_chaos(config), config)
