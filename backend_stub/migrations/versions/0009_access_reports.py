"""access reports ("Signaler cet accès")

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_report',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('holder_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('entry_seq', sa.BigInteger(), nullable=False),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('blocked', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('holder_id', 'entry_seq', name='uq_access_report_entry')
    )
    with op.batch_alter_table('access_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_report_holder_id'), ['holder_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('access_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_report_holder_id'))
    op.drop_table('access_report')
