"""The development outbox: each message a JSON file (a batch of letters: one file holding their
list, as a print queue takes them), listed by the `outbox` command."""

import json
import uuid
from dataclasses import fields
from pathlib import Path
from typing import Any

from backend_stub.notifier.base import OutgoingMessage


class OutboxSender:
    """Writes messages to a folder instead of sending them (also the print queue of letters)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(self, message: OutgoingMessage) -> None:
        self._write(message, json.dumps(_plain(message), ensure_ascii=False, indent=1))

    def deliver_many(self, messages: list[OutgoingMessage]) -> None:
        """A batch of one channel in one file, oldest first, a message a line (enrolment: a file
        per batch of letters)."""
        lines = ",\n".join(json.dumps(_plain(m), ensure_ascii=False) for m in messages)
        self._write(messages[0], f"[\n{lines}\n]\n", "-batch")

    def _write(self, first: OutgoingMessage, text: str, tag: str = "") -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = first.created_at.strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{first.channel}{tag}-{uuid.uuid4().hex[:8]}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)


def _plain(message: OutgoingMessage) -> dict[str, Any]:
    """The message's fields (`asdict` deep-copies them: a third of an enrolment's time)."""
    return {f.name: getattr(message, f.name) for f in FIELDS} | {"created_at": message.created_at.isoformat()}


FIELDS = fields(OutgoingMessage)


def read_outbox(folder: Path, *, to: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The newest messages first, optionally only those for one recipient."""
    if not folder.exists():
        return []
    found: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json"), reverse=True):
        data = json.loads(path.read_text(encoding="utf-8"))
        for message in reversed(data) if isinstance(data, list) else [data]:
            if to is None or message["to"] == to:
                found.append(message)
                if len(found) >= limit:
                    return found
    return found
