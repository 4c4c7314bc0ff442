"""delegations to helpers and legal protection measures

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delegation',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('helped_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('helper_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('may_add', sa.Boolean(), nullable=False),
    sa.Column('messages', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['helped_id'], ['holder.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['helper_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index('ix_delegation_helped', ['helped_id', 'status'], unique=False)
        batch_op.create_index('ix_delegation_helper', ['helper_id', 'status'], unique=False)
    op.create_table('legalmeasure',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('protected_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('representative_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['protected_id'], ['holder.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['representative_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('legalmeasure', schema=None) as batch_op:
        batch_op.create_index('ix_measure_protected', ['protected_id', 'ended_at'], unique=False)
        batch_op.create_index('ix_measure_representative', ['representative_id', 'ended_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('legalmeasure', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_representative')
        batch_op.drop_index('ix_measure_protected')
    op.drop_table('legalmeasure')
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_index('ix_delegation_helper')
        batch_op.drop_index('ix_delegation_helped')
    op.drop_table('delegation')
