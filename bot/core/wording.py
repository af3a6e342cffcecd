"""Small pieces of English that replies share: counted nouns and possessives.

Replies read as people write, never "1 check-ins", "0 day(s)" or "you's streak".
"""

from __future__ import annotations


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 check-in``, ``2 check-ins``, ``0 days``, ``3 freezes`` (with ``plural``)."""
    noun = singular if number == 1 else (plural or f"{singular}s")
    return f"{number:,} {noun}"


def possessive(name: str, *, start: bool = False) -> str:
    """``Ann's``, ``James's``; the console's default member ``you`` becomes ``your``.

    Args:
        name: A display name.
        start: The word opens a sentence (``Your`` rather than ``your``).
    """
    if name.strip().lower() == "you":
        return "Your" if start else "your"
    return f"{name}'s"
