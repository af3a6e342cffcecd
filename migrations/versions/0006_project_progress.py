"""learning progress: projects, milestones, done challenges, progress summary and counts

Adds ``project_progress``, ``milestone_progress``, ``challenge_done`` (filled from the
challenge ids already recorded on check-ins), ``member_progress`` (a member's summary for
the ``steps`` board and ``/admin progress``) and ``progress_counts``. Additive: existing
rows are untouched; summaries of step progress made before this revision are built the
first time a group's progress is read by a moderator.

Revision ID: 0006_project_progress
Revises: 0004
Create Date: 2026-12-07 01:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = '0006_project_progress'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the tables and record the challenges check-ins already name."""
    op.create_table('project_progress',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('finished_on', sa.Date(), nullable=True),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_project_progress_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_project_progress_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'project_id', name=op.f('pk_project_progress'))
    )
    op.create_index('ix_project_progress_group_status', 'project_progress', ['group_id', 'status'], unique=False)
    op.create_table('milestone_progress',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=80), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_milestone_progress_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'project_id', 'number', name=op.f('pk_milestone_progress')),
    sqlite_with_rowid=False
    )
    op.create_table('challenge_done',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.String(length=80), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_challenge_done_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_challenge_done_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'challenge_id', name=op.f('pk_challenge_done')),
    sqlite_with_rowid=False
    )
    op.create_table('member_progress',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('current_step', sa.String(length=80), nullable=True),
    sa.Column('on_step', sa.Boolean(), nullable=False),
    sa.Column('steps_done', sa.Integer(), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=True),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_member_progress_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_progress_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_member_progress'))
    )
    op.create_index('ix_member_progress_moved', 'member_progress', ['group_id', 'on_step', 'moved_on'], unique=False)
    op.create_index('ix_member_progress_rank_steps', 'member_progress', ['group_id', 'hidden', 'steps_done', 'member_id'], unique=False)
    op.create_table('progress_counts',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_progress_counts_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'kind', 'key', 'score', name=op.f('pk_progress_counts')),
    sqlite_with_rowid=False
    )
    # Challenges done before this revision: the ids check-ins recorded, first day each.
    op.execute(
        "INSERT INTO challenge_done (member_id, challenge_id, group_id, done_on) "
        "SELECT member_id, challenge_id, MIN(group_id), MIN(local_date) FROM checkins "
        "WHERE challenge_id IS NOT NULL GROUP BY member_id, challenge_id"
    )


def downgrade() -> None:
    """Drop the tables (step progress and check-ins are untouched)."""
    op.drop_table('progress_counts')
    op.drop_index('ix_member_progress_rank_steps', table_name='member_progress')
    op.drop_index('ix_member_progress_moved', table_name='member_progress')
    op.drop_table('member_progress')
    op.drop_table('challenge_done')
    op.drop_table('milestone_progress')
    op.drop_index('ix_project_progress_group_status', table_name='project_progress')
    op.drop_table('project_progress')
