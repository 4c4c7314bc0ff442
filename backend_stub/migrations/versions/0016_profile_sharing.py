"""profile sharing: the profile sections the holder lets professionals read

Revision ID: 0016
Revises: 0015

Existing holders have made no choice: they get the access matrix's `shared_by_default`.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('holder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile_sharing', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('holder', schema=None) as batch_op:
        batch_op.drop_column('profile_sharing')
