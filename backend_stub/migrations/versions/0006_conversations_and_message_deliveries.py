"""conversations and message deliveries

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 06:05:56.377973
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversation',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('holder_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('professional_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('started_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pro_unread', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_holder_pro', ['holder_id', 'professional_id'], unique=False)
        batch_op.create_index('ix_conversation_holder_record', ['holder_id', 'record_id'], unique=True)
        batch_op.create_index('ix_conversation_pro_last', ['professional_id', 'last_at'], unique=False)

    op.create_table('messagedelivery',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('holder_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('messagedelivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_conversation_n', ['conversation_id', 'n'], unique=True)
        batch_op.create_index('ix_delivery_holder_record', ['holder_id', 'record_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('messagedelivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_holder_record')
        batch_op.drop_index('ix_delivery_conversation_n')

    op.drop_table('messagedelivery')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_pro_last')
        batch_op.drop_index('ix_conversation_holder_record')
        batch_op.drop_index('ix_conversation_holder_pro')

    op.drop_table('conversation')
