"""The Discord adapter (discord.py 2.x).

Slash commands built from the registry, embeds, persistent buttons, autocomplete and
idempotent posts.

Modules: :mod:`.commands` (specs to application commands), :mod:`.interactions`
(interactions to invocations, ack first), :mod:`.respond` (answering), :mod:`.render`
(replies to embeds within limits), :mod:`.views` (buttons and custom ids),
:mod:`.sending` (proactive posts), :mod:`.client` (the discord.py client),
:mod:`.sync` and :mod:`.invite` (used by ``studybot discord``).
"""

from bot.adapters.discord.adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]
