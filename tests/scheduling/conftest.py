"""Fixtures of the scheduling tests: a clock that tests may start at any instant."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.clock import FakeClock
from tests.conftest import DEFAULT_START


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> FakeClock:
    """The fake clock; ``@pytest.mark.parametrize("clock", [instant], indirect=True)`` moves
    its start (DST tests start next to a transition)."""
    start: datetime = getattr(request, "param", DEFAULT_START)
    return FakeClock(start)
