"""Running studybot for real: readiness, loop-lag probe, backups, copies, imports, exports.

The runtime pieces are installed by :mod:`bot.features.operations`; the command-line
tools (``studybot db backup|restore|copy``, ``studybot export``, ``studybot import``) call
the functions here.
"""
