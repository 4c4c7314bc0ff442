"""a person's rights (issue #18): health-data corrections, the research choice, complaints

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('health_correction',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('holder_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('professional_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('note', sa.LargeBinary(), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=False),
    sa.Column('previous', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('health_correction', schema=None) as batch_op:
        batch_op.create_index('ix_health_correction_holder_created', ['holder_id', 'created_at'], unique=False)
        batch_op.create_index('ix_health_correction_pro_holder', ['professional_id', 'holder_id', 'status'], unique=False)
    op.create_table('research_choice',
    sa.Column('holder_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('holder_id', 'seq')
    )
    op.create_table('complaint',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('holder_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('text', sa.LargeBinary(), nullable=False),
    sa.Column('access_seq', sa.BigInteger(), nullable=True),
    sa.Column('authority', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_holder_created', ['holder_id', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_holder_created')
    op.drop_table('complaint')
    op.drop_table('research_choice')
    with op.batch_alter_table('health_correction', schema=None) as batch_op:
        batch_op.drop_index('ix_health_correction_pro_holder')
        batch_op.drop_index('ix_health_correction_holder_created')
    op.drop_table('health_correction')
