"""The development outbox: each message a JSON file, listed by the `outbox` command."""

import json
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from backend_stub.notifier.base import OutgoingMessage


class OutboxSender:
    """Writes messages to a folder instead of sending them (also the print queue of letters)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(self, message: OutgoingMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = message.created_at.strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{message.channel}-{uuid.uuid4().hex[:8]}.json"
        data = asdict(message) | {"created_at": message.created_at.isoformat()}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)


def read_outbox(folder: Path, *, to: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The newest messages first, optionally only those for one recipient."""
    if not folder.exists():
        return []
    found: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json"), reverse=True):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if to is None or data["to"] == to:
            found.append(data)
            if len(found) >= limit:
                break
    return found
