"""Wire-level helpers for the fake Slack: request signing, ids, payload builders, Block Kit checks.

Everything here is pure (no I/O) so it can be reused by tests that dispatch requests into a
bolt app in-process (``AsyncApp.async_dispatch``) as well as by
:class:`tests.fakes.slack_server.FakeSlack`.

Shapes follow the Slack payloads documented in
``/work/shared/reference/testing-against-fake-platforms.md`` section 4.4 and the fixtures of
bolt-python's own tests.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "BlockCheck",
    "block_errors",
    "dumps",
    "find_block_element",
    "new_envelope_id",
    "new_event_id",
    "new_trigger_id",
    "sign",
    "verify",
]

_counter = itertools.count(1)


def sign(signing_secret: str, body: str | bytes, ts: int | None = None) -> dict[str, str]:
    """Return the ``X-Slack-Request-Timestamp`` / ``X-Slack-Signature`` headers for ``body``.

    Uses Slack's v0 scheme: ``"v0=" + hex(HMAC-SHA256(secret, f"v0:{ts}:{body}"))``. Sign exactly
    the bytes that go on the wire; re-encoding the body after signing breaks the signature.

    Args:
        signing_secret: The app's signing secret.
        body: The raw request body as sent.
        ts: Unix timestamp to sign with; defaults to ``int(time.time())``. Bolt rejects
            timestamps more than 300 s away from its clock.

    Returns:
        The two headers, ready to merge into a request's headers.
    """
    stamp = str(int(time.time()) if ts is None else ts)
    raw = body.decode("utf-8") if isinstance(body, bytes) else body
    digest = hmac.new(
        signing_secret.encode("utf-8"), f"v0:{stamp}:{raw}".encode(), hashlib.sha256
    ).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def verify(
    signing_secret: str, body: str | bytes, headers: Mapping[str, str], *, now: float | None = None
) -> bool:
    """Check a signature the way Slack's SDKs do (used by the self-test of :func:`sign`).

    Args:
        signing_secret: The app's signing secret.
        body: Raw request body.
        headers: Request headers (case-sensitive keys as produced by :func:`sign`).
        now: Clock to compare against; defaults to ``time.time()``.

    Returns:
        True when the signature matches and the timestamp is within 5 minutes.
    """
    stamp = headers.get("X-Slack-Request-Timestamp")
    given = headers.get("X-Slack-Signature")
    if stamp is None or given is None:
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > 300:
        return False
    expected = sign(signing_secret, body, int(stamp))["X-Slack-Signature"]
    return hmac.compare_digest(expected, given)


def new_trigger_id() -> str:
    """Return a trigger id shaped like Slack's (``<n>.<n>.<hex>``)."""
    return f"{next(_counter)}.{int(time.time())}.{uuid.uuid4().hex}"


def new_event_id() -> str:
    """Return a fresh Events API ``event_id`` (``Ev`` + 10 upper-case characters)."""
    return "Ev" + uuid.uuid4().hex[:10].upper()


def new_envelope_id() -> str:
    """Return a fresh Socket Mode ``envelope_id`` (a UUID4 string, like Slack's)."""
    return str(uuid.uuid4())


# --------------------------------------------------------------------------- Block Kit checks

_BLOCK_TYPES = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "table",
    "video",
    "context_actions",
}
_TEXT_TYPES = {"plain_text", "mrkdwn"}


class BlockCheck:
    """Collects Block Kit validation errors in Slack's ``"<message> [json-pointer:<path>]"`` form.

    Only the limits a bot is likely to hit are modelled (block count, section/header/field text
    lengths, element counts, ids, empty text objects); unknown element types are accepted.
    """

    def __init__(self, max_blocks: int) -> None:
        self.max_blocks = max_blocks
        self.errors: list[str] = []

    def _err(self, message: str, path: str) -> None:
        self.errors.append(f"{message} [json-pointer:{path}]")

    def text(self, obj: Any, path: str, *, max_len: int, plain_only: bool = False) -> None:
        """Validate a text composition object."""
        if not isinstance(obj, dict):
            self._err("must be an object", path)
            return
        kind = obj.get("type")
        if kind not in ({"plain_text"} if plain_only else _TEXT_TYPES):
            self._err(f"must be a valid enum value ({kind!r})", f"{path}/type")
        value = obj.get("text")
        if not isinstance(value, str) or not value:
            self._err("must be more than 0 characters", f"{path}/text")
        elif len(value) > max_len:
            self._err(f"must be less than {max_len + 1} characters", f"{path}/text")

    def element(self, el: Any, path: str, action_ids: set[str]) -> None:
        """Validate an interactive element (button, select, ...)."""
        if not isinstance(el, dict) or "type" not in el:
            self._err("missing required field: type", path)
            return
        action_id = el.get("action_id")
        if action_id is not None:
            if not isinstance(action_id, str) or len(action_id) > 255:
                self._err("must be less than 256 characters", f"{path}/action_id")
            elif action_id in action_ids:
                self._err(f"action_id {action_id!r} is already used", f"{path}/action_id")
            else:
                action_ids.add(action_id)
        if el["type"] == "button":
            self.text(el.get("text"), f"{path}/text", max_len=75, plain_only=True)
            value = el.get("value")
            if isinstance(value, str) and len(value) > 2000:
                self._err("must be less than 2001 characters", f"{path}/value")
            url = el.get("url")
            if isinstance(url, str) and len(url) > 3000:
                self._err("must be less than 3001 characters", f"{path}/url")

    def blocks(self, blocks: Any, root: str = "/blocks") -> list[str]:
        """Validate a ``blocks`` array and return the collected errors."""
        if not isinstance(blocks, list):
            self._err("must be an array", root)
            return self.errors
        if len(blocks) > self.max_blocks:
            self._err(f"no more than {self.max_blocks} items allowed", root)
        block_ids: set[str] = set()
        for i, block in enumerate(blocks):
            self.block(block, f"{root}/{i}", block_ids)
        return self.errors

    def block(self, block: Any, path: str, block_ids: set[str]) -> None:
        """Validate one layout block."""
        if not isinstance(block, dict) or "type" not in block:
            self._err("missing required field: type", path)
            return
        kind = block["type"]
        if kind not in _BLOCK_TYPES:
            self._err(f"unsupported type: {kind}", f"{path}/type")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or len(block_id) > 255:
                self._err("must be less than 256 characters", f"{path}/block_id")
            elif block_id in block_ids:
                self._err(f"block_id {block_id!r} is already used", f"{path}/block_id")
            else:
                block_ids.add(block_id)
        action_ids: set[str] = set()
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self._err("must provide either text or fields", path)
            if "text" in block:
                self.text(block["text"], f"{path}/text", max_len=3000)
            fields = block.get("fields")
            if fields is not None:
                if not isinstance(fields, list) or len(fields) > 10:
                    self._err("no more than 10 items allowed", f"{path}/fields")
                else:
                    for j, field in enumerate(fields):
                        self.text(field, f"{path}/fields/{j}", max_len=2000)
            if "accessory" in block:
                self.element(block["accessory"], f"{path}/accessory", action_ids)
        elif kind == "header":
            self.text(block.get("text"), f"{path}/text", max_len=150, plain_only=True)
        elif kind in ("actions", "context"):
            limit = 25 if kind == "actions" else 10
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                self._err("must provide at least 1 item", f"{path}/elements")
            elif len(elements) > limit:
                self._err(f"no more than {limit} items allowed", f"{path}/elements")
            else:
                for j, el in enumerate(elements):
                    if kind == "actions":
                        self.element(el, f"{path}/elements/{j}", action_ids)
                    elif isinstance(el, dict) and el.get("type") in _TEXT_TYPES:
                        self.text(el, f"{path}/elements/{j}", max_len=3000)
        elif kind == "input":
            self.text(block.get("label"), f"{path}/label", max_len=2000, plain_only=True)
            self.element(block.get("element"), f"{path}/element", action_ids)
        elif kind == "image":
            if "image_url" not in block and "slack_file" not in block:
                self._err("must provide either image_url or slack_file", path)
            alt = block.get("alt_text")
            if not isinstance(alt, str) or not alt or len(alt) > 2000:
                self._err("must be 1-2000 characters", f"{path}/alt_text")
        elif kind == "markdown":
            text = block.get("text")
            if not isinstance(text, str) or not text or len(text) > 12000:
                self._err("must be 1-12000 characters", f"{path}/text")


def block_errors(blocks: Any, *, max_blocks: int = 50) -> list[str]:
    """Validate Block Kit ``blocks`` against the limits Slack enforces.

    Args:
        blocks: The decoded ``blocks`` argument.
        max_blocks: 50 for messages, 100 for Home tabs and modals.

    Returns:
        Error strings (empty when valid), formatted like Slack's ``errors`` array.
    """
    return BlockCheck(max_blocks).blocks(blocks)


def _walk_elements(blocks: Any) -> Iterator[tuple[str | None, dict[str, Any]]]:
    if not isinstance(blocks, list):
        return
    for block in blocks:
        if not isinstance(block, dict):
            continue
        candidates: list[Any] = []
        if isinstance(block.get("elements"), list):
            candidates.extend(block["elements"])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for el in candidates:
            if isinstance(el, dict) and "action_id" in el:
                yield block.get("block_id"), el


def find_block_element(blocks: Any, action_id: str) -> tuple[str | None, dict[str, Any]] | None:
    """Find the interactive element with ``action_id`` in ``blocks``.

    Args:
        blocks: A message's or view's ``blocks``.
        action_id: The element's ``action_id``.

    Returns:
        ``(block_id, element)`` or None when no element carries that action id.
    """
    for block_id, el in _walk_elements(blocks):
        if el.get("action_id") == action_id:
            return block_id, el
    return None


def dumps(obj: Any) -> str:
    """Serialise compactly, the way Slack's servers send JSON."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
