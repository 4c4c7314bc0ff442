"""sealed columns, holders' keys, the access log's key id (issue #15)

Revision ID: 0017
Revises: 0016

The schema only: health columns become bytes (their text kept as it is, read as legacy plain
values), `holderkey` holds the holders' wrapped keys, access-log entries get the id of the HMAC
key of their link. Sealing the existing rows and re-linking the existing logs needs the keys,
which are not in the database: `python -m backend_stub seal-existing` does it, in batches.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# (table, column, type before) of every column sealed from now on.
SEALED = [
    ('record', 'data', sa.JSON()),
    ('notification', 'params', sa.JSON()),
    ('reimbursement', 'care', sqlmodel.sql.sqltypes.AutoString(length=200)),
    ('reimbursement', 'professional', sqlmodel.sql.sqltypes.AutoString(length=200)),
    ('reimbursement', 'label', sqlmodel.sql.sqltypes.AutoString(length=200)),
    ('accessentry', 'target_title', sqlmodel.sql.sqltypes.AutoString(length=200)),
    ('accessentry', 'detail', sqlmodel.sql.sqltypes.AutoString(length=500)),
]


def upgrade() -> None:
    op.create_table('holderkey',
    sa.Column('holder_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('gen', sa.Integer(), nullable=False),
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('wrapped', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('holder_id', 'gen')
    )
    with op.batch_alter_table('accessentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table, column, before in SEALED:
        if postgres:  # a text default (the label's '') cannot become bytes: rows keep their value
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=before,
                type_=sa.LargeBinary(),
                existing_nullable=False,
                postgresql_using=f"convert_to({column}::text, 'UTF8')" if postgres else None,
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for table, column, before in reversed(SEALED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            using = f"convert_from({column}, 'UTF8')" + ('::json' if isinstance(before, sa.JSON) else '')
            batch_op.alter_column(
                column,
                existing_type=sa.LargeBinary(),
                type_=before,
                existing_nullable=False,
                postgresql_using=using if postgres else None,
            )
    with op.batch_alter_table('accessentry', schema=None) as batch_op:
        batch_op.drop_column('kid')
    op.drop_table('holderkey')
