"""recognition: awards and role rewards

Adds ``awards`` (one row per member and milestone, with how it was earned and the posts
ledger row that announces it) and ``reward_roles`` (a Discord role per space and
milestone). Additive only: existing members hold no badges until they cross a threshold.

Revision ID: 0007_recognition
Revises: 0006_project_progress
Create Date: 2026-12-07 01:44:39.062955
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = '0007_recognition'
down_revision: str | None = '0006_project_progress'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``awards`` and ``reward_roles``."""
    op.create_table('reward_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('milestone', sa.String(length=40), nullable=False),
    sa.Column('role_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('error_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_reward_roles_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_reward_roles_space_id_spaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_roles')),
    sa.UniqueConstraint('space_id', 'milestone', name=op.f('uq_reward_roles_space_id_milestone'))
    )
    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('milestone', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('earned_on', sa.Date(), nullable=False),
    sa.Column('earned_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('announce', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('roles', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_awards_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_awards_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_awards_post_id_posts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_awards_space_id_spaces'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('member_id', 'milestone', name=op.f('uq_awards_member_id_milestone'))
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index('ix_awards_group_state', ['group_id', 'state'], unique=False)
        batch_op.create_index('ix_awards_post', ['post_id'], unique=False)



def downgrade() -> None:
    """Drop ``awards`` and ``reward_roles``."""
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index('ix_awards_post')
        batch_op.drop_index('ix_awards_group_state')

    op.drop_table('awards')
    op.drop_table('reward_roles')
