"""Letters and codes sent after the answer: the sender of `queued_message`.

Routes that must answer the same whoever they concern (a new provisional code, a password reset)
only add a row, matched or not (services/activation.py, services/accounts.py). Each server process
runs a `QueueSender` thread (started with the app), woken after such a request and every
`queue_drain_seconds`; `python -m backend_stub send-queued` does the same once. A row is claimed by
one statement (`claimed_until`), so two processes never send it twice; one whose sending failed is
tried again after the claim lapses, `MAX_ATTEMPTS` times at most.
"""

import logging
import threading
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, delete, or_, select

from backend_stub.context import Context
from backend_stub.models.accounts import Holder, QueuedMessage
from backend_stub.services import accounts, activation

log = logging.getLogger(__name__)
CLAIM_SECONDS = 60
MAX_ATTEMPTS = 5


def _send(session: Session, ctx: Context, item: QueuedMessage) -> None:
    """One queued message; nothing when it matched nobody (it is only dropped)."""
    if item.holder_id is None:
        return
    if item.kind == accounts.RESET_CODE and item.challenge_id:
        accounts.send_reset_code(session=session, ctx=ctx, challenge_id=item.challenge_id)
    elif item.kind == activation.NEW_CODE:
        holder = session.get(Holder, item.holder_id)
        if holder is not None:
            activation.send_new_letter(session=session, ctx=ctx, holder=holder)


def drain(*, ctx: Context, batch: int = 100) -> int:
    """Send what is queued (oldest first, one batch); the number of rows done."""
    now = ctx.clock.now()
    done = 0
    with Session(ctx.engine, expire_on_commit=False) as session:
        ids = session.exec(
            select(QueuedMessage.id)
            .where(
                or_(col(QueuedMessage.claimed_until).is_(None), col(QueuedMessage.claimed_until) < now),
                col(QueuedMessage.attempts) < MAX_ATTEMPTS,
            )
            .order_by(col(QueuedMessage.created_at))
            .limit(batch)
        ).all()
        for item_id in ids:
            claimed = session.execute(
                update(QueuedMessage)
                .where(
                    col(QueuedMessage.id) == item_id,
                    or_(col(QueuedMessage.claimed_until).is_(None), col(QueuedMessage.claimed_until) < now),
                )
                .values(
                    claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=QueuedMessage.attempts + 1
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()
            if not claimed.rowcount:  # type: ignore[attr-defined]
                continue  # another process has it
            item = session.get(QueuedMessage, item_id)
            if item is None:
                continue
            try:
                _send(session, ctx, item)
            except Exception as exc:  # kept for a later try; the notifier logged the channel
                session.rollback()
                log.warning("queued %s not sent: %s", item.kind, type(exc).__name__)
                continue
            session.execute(delete(QueuedMessage).where(col(QueuedMessage.id) == item_id))
            session.commit()
            done += 1
    return done


class QueueSender:
    """A thread of one server process that drains the queue when woken, and every few seconds."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="queue-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.ctx.settings.queue_drain_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                drain(ctx=self.ctx)
            except Exception as exc:  # the database away for a moment: the next round tries again
                log.warning("queue sender: %s", type(exc).__name__)
