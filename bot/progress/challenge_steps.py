"""Which step each challenge counts toward, as ``/roadmap me`` needs it (pure).

:func:`challenge_steps` is computed once per content bundle (a reload makes a new
bundle, so a new mapping), not per request. Its :attr:`ChallengeSteps.fingerprint` names
the mapping: the maintained per-step counts (``step_challenges``) are marked with the
fingerprint they were counted under, so content that moves a challenge to another step
makes the next reader recount the group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.content.schema import Challenge


@dataclass(frozen=True)
class ChallengeSteps:
    """Each challenge's step and each step's number of challenges.

    Attributes:
        step_of: Challenge id -> step id.
        totals: Step id -> challenges of that step.
        fingerprint: A short hash of ``step_of`` (16 hex digits).
    """

    step_of: dict[str, str]
    totals: dict[str, int]
    fingerprint: str


_last: tuple[object, ChallengeSteps] | None = None


def of_challenges(challenges: Iterable[Challenge]) -> ChallengeSteps:
    """The :class:`ChallengeSteps` of some challenges (no caching)."""
    step_of = {c.id: c.step for c in challenges}
    totals: dict[str, int] = {}
    for step in step_of.values():
        totals[step] = totals.get(step, 0) + 1
    text = "\n".join(f"{c}={s}" for c, s in sorted(step_of.items()))
    fingerprint = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]
    return ChallengeSteps(step_of, totals, fingerprint)


def challenge_steps(challenges: Sequence[Challenge]) -> ChallengeSteps:
    """:func:`of_challenges`, kept while the content's challenge list is the same object.

    A content reload installs a new bundle with a new list, so the mapping follows it.
    """
    global _last
    if _last is None or _last[0] is not challenges:
        _last = (challenges, of_challenges(challenges))
    return _last[1]
