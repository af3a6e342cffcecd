"""dashboard: signing key, used sign-in links, sessions

Three new tables for the moderator web dashboard (issue 16). Additive only.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-06 19:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = '0005'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'dashboard_keys',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('secret', sa.String(length=128), nullable=False),
        sa.Column('created_at', bot.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_dashboard_keys')),
    )
    op.create_table(
        'dashboard_used_tokens',
        sa.Column('token_id', sa.String(length=64), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('used_at', bot.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_dashboard_used_tokens_group_id_groups'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_dashboard_used_tokens_member_id_members'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_id', name=op.f('pk_dashboard_used_tokens')),
    )
    op.create_table(
        'dashboard_sessions',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('space_external_id', sa.String(length=64), nullable=False),
        sa.Column('actor', sa.JSON(), nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('created_at', bot.db.base.UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', bot.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_dashboard_sessions_group_id_groups'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_dashboard_sessions_member_id_members'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_dashboard_sessions')),
    )
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_sessions_group_id'), ['group_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_sessions_group_id'))
    op.drop_table('dashboard_sessions')
    op.drop_table('dashboard_used_tokens')
    op.drop_table('dashboard_keys')
