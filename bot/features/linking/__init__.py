"""Linking: one study group across Discord and Slack, one streak per person.

Moderators link two spaces into one group with ``/admin link-space`` (one-time code on
one side, redeemed on the other); members link their own accounts with ``/link``. See
:mod:`.spaces`, :mod:`.members`, :mod:`.merge` and, for the code rules, :mod:`.codes`.
"""

from __future__ import annotations

from bot.features.linking import members, spaces
from bot.features.linking.router import router

ORDER = 800

__all__ = ["members", "router", "spaces"]
