"""Database tables of the server (SQLModel), one module per area. Times are stored in UTC.

Health content is sealed at rest with its holder's key (`core/sealed_columns.py`): the records'
`data`, notifications' `params`, the care, professional and label of reimbursements, the title and
detail of access-log entries. What the rules, the feed and the indexes need stays clear: ids,
collection, versions, sequences, flags of the row, dates, amounts, authors.

Every query of a request names a holder or an indexed digest; the scheduled jobs walk
`(status, objection_deadline)` and `purge_after` through their indexes, in batches.

Importing this package registers every table (Alembic's `env.py`, `db.create_all`); code imports
a table from its area module, e.g. `from backend_stub.models.accounts import Holder`.
"""

from backend_stub.models import (  # noqa: F401  (registers the tables)
    access_log,
    accounts,
    administrative,
    apps,
    children,
    helpers,
    keys,
    messages,
    notifications,
    professionals,
    record,
    rights,
    security,
    shares,
)
