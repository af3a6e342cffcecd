"""learning progress: one row per member and roadmap step

Adds ``step_progress`` (status, local start/finish dates, link, note per member and step)
with an index for the moderators' per-step counts. Additive: existing members simply have
no progress yet ("not started" everywhere).

Revision ID: 0004
Revises: 0005
Create Date: 2026-12-06 19:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = '0004'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``step_progress``."""
    op.create_table('step_progress',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.String(length=80), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('finished_on', sa.Date(), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_step_progress_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_step_progress_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'step_id', name=op.f('pk_step_progress'))
    )
    op.create_index('ix_step_progress_group_step', 'step_progress', ['group_id', 'step_id', 'status'], unique=False)


def downgrade() -> None:
    """Drop ``step_progress``."""
    op.drop_index('ix_step_progress_group_step', table_name='step_progress')
    op.drop_table('step_progress')
