"""alert settings per channel and the third emergency switch (issue #17)

Revision ID: 0015
Revises: 0014

Existing holders have chosen nothing ("": the former behaviour, first access only on the channel
of their one-time codes) and masked documents stay unreadable in an emergency (off).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('holder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('masked_in_emergency', sa.Boolean(), nullable=False, server_default=sa.false()))
        for name in ('alert_in_app', 'alert_email', 'alert_sms'):
            batch_op.add_column(
                sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default='')
            )


def downgrade() -> None:
    with op.batch_alter_table('holder', schema=None) as batch_op:
        for name in ('alert_sms', 'alert_email', 'alert_in_app', 'masked_in_emergency'):
            batch_op.drop_column(name)
