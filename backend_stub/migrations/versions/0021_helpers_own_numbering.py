"""helpers' own numbering of the feed: what is masked from them leaves no gap (issue #16)

Revision ID: 0021
Revises: 0020

Existing rows: every record the holder sees gets its numbers in the helpers' feeds (dense, in the
order of the holder's own), messages and conversations skipped in `hseq`. A record's data is sealed
and cannot be read here, so an item masked from helpers before this revision keeps a number (it is
still never shown); its next change numbers it as the services do.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

MESSAGING = ("conversation", "message")


def upgrade() -> None:
    with op.batch_alter_table('holder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_hseq', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_hmseq', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hseq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('hmseq', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_record_holder_hseq', ['holder_id', 'hseq'], unique=False)
        batch_op.create_index('ix_record_holder_hmseq', ['holder_id', 'hmseq'], unique=False)
    _number_existing_rows()


def _number_existing_rows() -> None:
    bind = op.get_bind()
    holders = [row[0] for row in bind.execute(sa.text("SELECT id FROM holder WHERE last_vseq > 0"))]
    for holder_id in holders:
        records = bind.execute(
            sa.text("SELECT id, collection FROM record WHERE holder_id = :h AND vseq IS NOT NULL ORDER BY seq"),
            {"h": holder_id},
        ).all()
        h = hm = 0
        for record_id, collection in records:
            hm += 1
            h += 0 if collection in MESSAGING else 1
            bind.execute(
                sa.text("UPDATE record SET hseq = :h, hmseq = :hm WHERE holder_id = :o AND id = :i"),
                {"h": None if collection in MESSAGING else h, "hm": hm, "o": holder_id, "i": record_id},
            )
        bind.execute(
            sa.text("UPDATE holder SET last_hseq = :h, last_hmseq = :hm WHERE id = :o"),
            {"h": h, "hm": hm, "o": holder_id},
        )


def downgrade() -> None:
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_index('ix_record_holder_hmseq')
        batch_op.drop_index('ix_record_holder_hseq')
        batch_op.drop_column('hmseq')
        batch_op.drop_column('hseq')
    with op.batch_alter_table('holder', schema=None) as batch_op:
        batch_op.drop_column('last_hmseq')
        batch_op.drop_column('last_hseq')
