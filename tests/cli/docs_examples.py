"""Collect the examples the README and docs/ show, so tests can run every one of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
# A command in a table cell or the text: `/name ...` up to the closing backtick.
_INLINE_COMMAND = re.compile(r"`(/[a-z][^`\n]*)`")
# Placeholders and alternatives mark a template, not something to type as is.
_TEMPLATE = re.compile(r"[A-Z]{2,}|[\[\]|…]|\.\.\.|\$")


@dataclass(frozen=True)
class Session:
    """A scripted console session shown in a document, and the paragraph after it."""

    doc: Path
    script: str
    after: str

    @property
    def name(self) -> str:
        """A short id for test reports."""
        first = self.script.strip().splitlines()[0][:40]
        return f"{self.doc.name}:{first}"


def sessions() -> list[Session]:
    """Every shell block that pipes or redirects lines into ``studybot run``."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            body = match.group(2)
            if "studybot run" not in body or not re.search(r"\|\s*\S*studybot run|< \S", body):
                continue
            if "printf" not in body and "<" not in body:
                continue
            after = text[match.end() :].lstrip("\n").split("\n\n", 1)[0]
            found.append(Session(doc, body.strip(), after))
    return found


def quoted_promises(paragraph: str) -> list[str]:
    """What a paragraph promises the output holds: "quoted" phrases and `>>> ` marker lines."""
    phrases = re.findall(r'"([^"\n]+)"', paragraph)
    phrases += re.findall(r"`(>>> [^`]+)`", paragraph)
    # "…" stands for what varies (a time): the text before it is the promise.
    return [phrase.split("…", 1)[0].rstrip(" ·") for phrase in phrases]


def command_examples(doc: Path) -> list[str]:
    """Commands written out in full in ``doc`` (no placeholders), e.g. `/roadmap caching`."""
    text = _BLOCK.sub("", doc.read_text(encoding="utf-8"))
    commands = []
    for command in _INLINE_COMMAND.findall(text):
        command = command.strip()
        if _TEMPLATE.search(command) or command in commands:
            continue
        commands.append(command)
    return commands


@dataclass(frozen=True)
class Transcript:
    """A ``$ studybot …`` line in a document and the output shown under it."""

    doc: Path
    command: str
    output: list[str]


def transcripts() -> list[Transcript]:
    """Every ``$ studybot ARGS`` shown with its output in a text block."""
    found = []
    for doc in DOCS:
        for match in _BLOCK.finditer(doc.read_text(encoding="utf-8")):
            lines = match.group(2).rstrip("\n").splitlines()
            for i, line in enumerate(lines):
                if not line.startswith("$ studybot "):
                    continue
                output = []
                for following in lines[i + 1 :]:
                    if following.startswith("$ "):
                        break
                    output.append(following)
                found.append(Transcript(doc, line[2:], output))
    return found
