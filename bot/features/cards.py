"""The ``cards`` group setting: whether replies that can carry a picture card do.

``/streak … card``, ``/leaderboard … card`` and the weekly recap add an image
(:mod:`bot.cards`) when this is on; ``/admin settings cards off`` keeps every reply text.
"""

from __future__ import annotations

from bot.core.context import CommandContext
from bot.core.settings_specs import SettingSpec, parse_bool

CARDS = "cards"
VIEWS = ("text", "card")

SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        CARDS,
        "Whether /streak card, /leaderboard card, /roadmap me card and the weekly recap "
        "include a picture.",
        True,
        parse_bool,
        lambda value: "on" if value else "off",
    ),
)


async def cards_enabled(ctx: CommandContext) -> bool:
    """Whether the caller's group allows picture cards."""
    return bool((await ctx.settings())[CARDS])
