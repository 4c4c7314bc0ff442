"""the requests waiting for a professional across patients, newest first, on an index (issue #18)

Revision ID: 0022
Revises: 0021
"""
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('health_correction', schema=None) as batch_op:
        batch_op.create_index(
            'ix_health_correction_pro_status_created', ['professional_id', 'status', 'created_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('health_correction', schema=None) as batch_op:
        batch_op.drop_index('ix_health_correction_pro_status_created')
