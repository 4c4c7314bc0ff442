"""one gate: parents' own numbering, upload audiences, professionals' key life, security log

Revision ID: 0012
Revises: 0011

Existing rows: every record gets its numbers in the holder's and the parents' feeds unless hidden
from them, and every log line not about a hidden item its number in the parents' numbering (dense,
in the order of the holder's own sequence); uploads keep the audience
"" (everyone of the space) and a professional's existing key expires one year from now.
"""
import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('security_event',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('actor_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('space_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index('ix_security_kind_actor_at', ['kind', 'actor_id', 'at'], unique=False)

    with op.batch_alter_table('accessentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gseq', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_access_holder_gseq', ['holder_id', 'gseq'], unique=False)

    with op.batch_alter_table('grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_only', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('holder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_vseq', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_gseq', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('log_gseq', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vseq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('gseq', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_record_holder_vseq', ['holder_id', 'vseq'], unique=False)
        batch_op.create_index('ix_record_holder_gseq', ['holder_id', 'gseq'], unique=False)

    with op.batch_alter_table('share_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))

    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default=''))
        batch_op.drop_index(batch_op.f('ix_upload_holder_sha'))
        batch_op.create_index('ix_upload_holder_sha', ['holder_id', 'sha256', 'audience'], unique=True)

    _number_existing_rows()
    op.execute(
        sa.text("UPDATE professional SET key_expires_at = :until").bindparams(
            until=datetime.now(UTC) + timedelta(days=365)
        )
    )


def _number_existing_rows() -> None:
    """Parents' numbering for what exists: one holder at a time, secret items left without."""
    bind = op.get_bind()
    holders = [row[0] for row in bind.execute(sa.text("SELECT id FROM holder"))]
    for holder_id in holders:
        records = bind.execute(
            sa.text("SELECT id, data FROM record WHERE holder_id = :h ORDER BY seq"), {"h": holder_id}
        ).all()
        secret, v, n = set(), 0, 0  # secret: a minor's items, whose log lines parents do not see
        for record_id, data in records:
            data = (json.loads(data) if isinstance(data, str) else data) or {}
            if data.get("hidden_from_guardians"):
                secret.add(record_id)
            if data.get("hidden_from_patient"):
                continue
            v += 1
            if record_id not in secret:
                n += 1
            bind.execute(
                sa.text("UPDATE record SET vseq = :v, gseq = :n WHERE holder_id = :h AND id = :i"),
                {"v": v, "n": None if record_id in secret else n, "h": holder_id, "i": record_id},
            )
        entries = bind.execute(
            sa.text("SELECT seq, target FROM accessentry WHERE holder_id = :h ORDER BY seq"), {"h": holder_id}
        ).all()
        g = 0
        for seq, target in entries:
            if target in secret:
                continue
            g += 1
            bind.execute(
                sa.text("UPDATE accessentry SET gseq = :g WHERE holder_id = :h AND seq = :s"),
                {"g": g, "h": holder_id, "s": seq},
            )
        bind.execute(
            sa.text("UPDATE holder SET last_vseq = :v, last_gseq = :n, log_gseq = :g WHERE id = :h"),
            {"v": v, "n": n, "g": g, "h": holder_id},
        )


def downgrade() -> None:
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.drop_index('ix_upload_holder_sha')
        batch_op.create_index(batch_op.f('ix_upload_holder_sha'), ['holder_id', 'sha256'], unique=True)
        batch_op.drop_column('audience')

    with op.batch_alter_table('share_link', schema=None) as batch_op:
        batch_op.drop_column('created_by')

    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_index('ix_record_holder_gseq')
        batch_op.drop_index('ix_record_holder_vseq')
        batch_op.drop_column('gseq')
        batch_op.drop_column('vseq')

    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('key_expires_at')

    with op.batch_alter_table('holder', schema=None) as batch_op:
        batch_op.drop_column('log_gseq')
        batch_op.drop_column('last_gseq')
        batch_op.drop_column('last_vseq')

    with op.batch_alter_table('grant', schema=None) as batch_op:
        batch_op.drop_column('secret_only')

    with op.batch_alter_table('accessentry', schema=None) as batch_op:
        batch_op.drop_index('ix_access_holder_gseq')
        batch_op.drop_column('gseq')

    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index('ix_security_kind_actor_at')

    op.drop_table('security_event')
