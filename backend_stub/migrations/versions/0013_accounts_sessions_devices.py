"""accounts a person can keep: sessions as devices rotating in place, known devices, account codes,
queued messages, token-bucket rate counters

Existing sessions end when their refresh token would have (their tokens predate the
`<session>.<secret>.<mac>` form, so their next refresh asks for a login); rate counters restart.

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('known_device',
    sa.Column('id', _TEXT(length=32), nullable=False),
    sa.Column('holder_id', _TEXT(length=32), nullable=False),
    sa.Column('key_digest', _TEXT(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('forgotten_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_digest')
    )
    with op.batch_alter_table('known_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_known_device_holder_id'), ['holder_id'], unique=False)

    op.create_table('account_challenge',
    sa.Column('id', _TEXT(length=64), nullable=False),
    sa.Column('holder_id', _TEXT(length=32), nullable=True),
    sa.Column('purpose', _TEXT(length=8), nullable=False),
    sa.Column('value', _TEXT(length=320), nullable=False),
    sa.Column('channel', _TEXT(length=8), nullable=False),
    sa.Column('code_digest', _TEXT(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('consumed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('account_challenge', schema=None) as batch_op:
        batch_op.create_index('ix_account_challenge_expires', ['expires_at'], unique=False)

    op.create_table('queued_message',
    sa.Column('id', _TEXT(length=32), nullable=False),
    sa.Column('kind', _TEXT(length=16), nullable=False),
    sa.Column('holder_id', _TEXT(length=32), nullable=True),
    sa.Column('challenge_id', _TEXT(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['holder_id'], ['holder.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('queued_message', schema=None) as batch_op:
        batch_op.create_index('ix_queued_message_created', ['created_at'], unique=False)

    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_reason', _TEXT(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('prev_refresh_digest', _TEXT(length=64), nullable=True))
        batch_op.add_column(sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('grace_used', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('pair_used', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('device_name', _TEXT(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('platform', _TEXT(length=16), nullable=False, server_default='other'))
        batch_op.add_column(sa.Column('known_device_id', _TEXT(length=32), nullable=True))
    op.execute("UPDATE authsession SET ends_at = refresh_expires_at, last_used_at = created_at")
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.alter_column('ends_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('last_used_at', existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table('loginchallenge', schema=None) as batch_op:
        batch_op.add_column(sa.Column('known_device_id', _TEXT(length=32), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('device_name', _TEXT(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('platform', _TEXT(length=16), nullable=False, server_default='other'))

    op.drop_table('ratecounter')
    op.create_table('ratecounter',
    sa.Column('key', _TEXT(length=96), nullable=False),
    sa.Column('tat', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('ratecounter')
    op.create_table('ratecounter',
    sa.Column('key', _TEXT(length=96), nullable=False),
    sa.Column('window_start', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('loginchallenge', schema=None) as batch_op:
        for name in ('platform', 'device_name', 'attempts', 'known_device_id'):
            batch_op.drop_column(name)
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        for name in ('known_device_id', 'platform', 'device_name', 'pair_used', 'grace_used', 'rotated_at',
                     'prev_refresh_digest', 'last_used_at', 'ends_at', 'revoked_reason'):
            batch_op.drop_column(name)
    with op.batch_alter_table('queued_message', schema=None) as batch_op:
        batch_op.drop_index('ix_queued_message_created')
    op.drop_table('queued_message')
    with op.batch_alter_table('account_challenge', schema=None) as batch_op:
        batch_op.drop_index('ix_account_challenge_expires')
    op.drop_table('account_challenge')
    with op.batch_alter_table('known_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_known_device_holder_id'))
    op.drop_table('known_device')
