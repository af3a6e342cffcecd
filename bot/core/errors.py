"""Exceptions that the dispatcher turns into clear replies.

Handlers raise :class:`UserError` (or a subclass) for anything the user can fix; the
message is shown as is. Any other exception is a bug: it is logged with the invocation id
and the user gets a short apology, never a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; ``str(error)`` is shown to them verbatim."""


class UsageError(UserError):
    """The arguments did not fit the command; carries the usage line to show."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage

    def __str__(self) -> str:
        return f"{self.args[0]}\nUsage: `{self.usage}`"


class PermissionDenied(UserError):
    """The caller lacks the role a command needs."""


class UnknownCommand(UserError):
    """No command (or action) has that name."""


class ContentError(Exception):
    """The content directory failed validation; ``report`` lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} content problem(s)")
        self.problems = problems

    def report(self) -> str:
        """Return every problem, one per line."""
        return "\n".join(self.problems)
