"""The adapter contract, as adapters import it.

The contract itself (:class:`Adapter`, :class:`Capability`, :class:`SendError`,
:class:`DirectMessagesClosed`) is a port of the core and lives in :mod:`bot.core.ports`;
this module re-exports it so adapters keep one short import and older imports still work.
"""

from __future__ import annotations

from bot.core.ports import Adapter, Capability, DirectMessagesClosed, SendError

__all__ = ["Adapter", "Capability", "DirectMessagesClosed", "SendError"]
