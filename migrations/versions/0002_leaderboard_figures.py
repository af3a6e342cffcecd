"""leaderboard figures: score counts, board day, windowed counts, period history

Adds what lets leaderboards over 100k members answer from indexes (see
``bot/db/repositories/leaderboard.py``): ``board_counts`` (members per score, so a rank is
a short sum), ``board_state`` (the group day the figures are kept for), five
``member_stats`` columns with their board indexes, and ``checkin_counts`` (check-ins per
member for past weeks and months). 0001's three ``ix_member_stats_board_*`` indexes are
replaced by the ``ix_member_stats_rank_*`` ones (each index costs every check-in an
update). Existing rows get ``last_day``/``live_run`` from their check-ins and the period
history is filled; the day-dependent figures are built on the first leaderboard view, as
on every new group day.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-20 23:05:22.119467
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RANK_INDEXES = {
    'ix_member_stats_rank_streak': 'live_run',
    'ix_member_stats_rank_longest': 'longest',
    'ix_member_stats_rank_total': 'total',
    'ix_member_stats_rank_recent': 'recent',
    'ix_member_stats_rank_week': 'week_n',
    'ix_member_stats_rank_month': 'month_n',
}


def upgrade() -> None:
    op.create_table('board_counts',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('board', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_board_counts_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'board', 'day', 'score', name=op.f('pk_board_counts')),
    sqlite_with_rowid=False,
    )
    op.create_table('board_state',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_board_state_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', name=op.f('pk_board_state'))
    )
    op.create_table('checkin_counts',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('checkins', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_checkin_counts_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_checkin_counts_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'period', 'start', name=op.f('pk_checkin_counts')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('member_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_member_stats_board_total')
        batch_op.drop_index('ix_member_stats_board_run')
        batch_op.drop_index('ix_member_stats_board_longest')
        batch_op.add_column(sa.Column('last_day', sa.Date(), nullable=True))
        for name in ('live_run', 'recent', 'week_n', 'month_n'):
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default='0', nullable=False))
        for index, score in _RANK_INDEXES.items():
            batch_op.create_index(
                index, ['group_id', 'hidden', score, 'last_day', 'member_id'], unique=False
            )
    _fill_from_checkins()


def _fill_from_checkins() -> None:
    """Derive the new figures of existing members from their check-ins."""
    op.execute(
        "UPDATE member_stats SET live_run = run, last_day = "
        "(SELECT max(c.local_date) FROM checkins c WHERE c.member_id = member_stats.member_id)"
    )
    if op.get_bind().dialect.name == "postgresql":
        starts = {
            "week": "date_trunc('week', c.local_date)::date",
            "month": "date_trunc('month', c.local_date)::date",
        }
    else:
        starts = {
            # SQLite: %w is 0 for Sunday; weeks start on Monday.
            "week": "date(c.local_date, '-' || ((CAST(strftime('%w', c.local_date) AS INTEGER) + 6) % 7) || ' days')",
            "month": "strftime('%Y-%m-01', c.local_date)",
        }
    for period, start in starts.items():
        op.execute(
            "INSERT INTO checkin_counts (member_id, period, start, group_id, checkins, hidden) "
            f"SELECT c.member_id, '{period}', {start}, c.group_id, count(*), m.hidden "
            "FROM checkins c JOIN members m ON m.id = c.member_id "
            f"GROUP BY c.member_id, {start}, c.group_id, m.hidden"
        )


def downgrade() -> None:
    with op.batch_alter_table('member_stats', schema=None) as batch_op:
        for index in reversed(list(_RANK_INDEXES)):
            batch_op.drop_index(index)
        for name in ('month_n', 'week_n', 'recent', 'live_run', 'last_day'):
            batch_op.drop_column(name)
        batch_op.create_index('ix_member_stats_board_longest', ['group_id', 'longest'], unique=False)
        batch_op.create_index('ix_member_stats_board_run', ['group_id', 'run', 'alive_until'], unique=False)
        batch_op.create_index('ix_member_stats_board_total', ['group_id', 'total'], unique=False)

    op.drop_table('checkin_counts')
    op.drop_table('board_state')
    op.drop_table('board_counts')
