"""studybot: a study-group bot for backend learners on Discord, Slack and the console."""

from importlib.metadata import PackageNotFoundError, version

try:
    # Single source: the version in pyproject.toml, as recorded in the installed metadata.
    __version__ = version("studybot")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
