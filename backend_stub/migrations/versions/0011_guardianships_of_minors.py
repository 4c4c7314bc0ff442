"""guardianships of minors

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table('guardianship',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('child_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('guardian_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['holder.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['guardian_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('guardianship', schema=None) as batch_op:
        batch_op.create_index('ix_guardianship_child', ['child_id', 'ended_at'], unique=False)
        batch_op.create_index('ix_guardianship_guardian', ['guardian_id', 'ended_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('guardianship', schema=None) as batch_op:
        batch_op.drop_index('ix_guardianship_guardian')
        batch_op.drop_index('ix_guardianship_child')

    op.drop_table('guardianship')
