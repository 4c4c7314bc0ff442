"""reimbursements' kind and label, for "Mon histoire de santé" (issue #17)

Revision ID: 0014
Revises: 0013

Existing rows were imported without a kind: they are acts, with no label.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reimbursement', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='act')
        )
        batch_op.add_column(
            sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default='')
        )


def downgrade() -> None:
    with op.batch_alter_table('reimbursement', schema=None) as batch_op:
        batch_op.drop_column('label')
        batch_op.drop_column('kind')
