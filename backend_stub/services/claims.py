"""A check and its write in one statement, for rules that requests sent at once must not both pass."""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session


def claim(session: Session, model: type[Any], *where: Any, **values: Any) -> bool:
    """UPDATE `model` SET `values` WHERE `where`: True when it changed one row. Two server processes
    (or a script's parallel requests) cannot both read the old state and both write: the second
    waits for the first's row lock, then finds the condition false."""
    result = session.execute(
        update(model).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
