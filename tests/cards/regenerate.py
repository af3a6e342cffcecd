"""Rewrite the golden images after an intended change to a card's look.

Run ``python -m tests.cards.regenerate`` from the repository root, look at every PNG in
``tests/cards/golden`` and commit them with the change that explains them.
"""

from __future__ import annotations

from pathlib import Path

from tests.cards.test_golden import CARDS

GOLDEN = Path(__file__).parent / "golden"


def main() -> None:
    """Render every sample card into the golden folder."""
    GOLDEN.mkdir(exist_ok=True)
    for name, (render, model) in CARDS.items():
        (GOLDEN / f"{name}.png").write_bytes(render(model()))
        print(f"wrote {GOLDEN / name}.png")


if __name__ == "__main__":
    main()
