"""holder sex (from the NIR's first digit) for the prevention reminders

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 06:40:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('holder', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False, server_default='')
        )


def downgrade() -> None:
    with op.batch_alter_table('holder', schema=None) as batch_op:
        batch_op.drop_column('sex')
