"""Running studybot for real: readiness, loop-lag probe, backups, copies, imports, exports.

The runtime pieces are wired by the composition root, :mod:`bot.app`; the command-line
tools (``studybot db backup|restore|copy``, ``studybot export``, ``studybot import``) call
the functions here.
"""
