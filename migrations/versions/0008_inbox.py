"""durable inbox: acknowledged Slack and Discord commands until they are answered

Adds ``inbox`` (idempotency key, payload, status, lease, stored reply) with an index for
the recovery sweep. Additive: nothing existing changes.

Revision ID: 0008_inbox
Revises: 0007_recognition
Create Date: 2026-12-07 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = '0008_inbox'
down_revision: str | None = '0007_recognition'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``inbox``."""
    op.create_table('inbox',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('done_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_inbox'))
    )
    op.create_index('ix_inbox_status_lease', 'inbox', ['status', 'lease_until'], unique=False)


def downgrade() -> None:
    """Drop ``inbox``."""
    op.drop_index('ix_inbox_status_lease', table_name='inbox')
    op.drop_table('inbox')
