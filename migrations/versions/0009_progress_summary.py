"""progress summary: per-step done-challenge counts for /roadmap me

Adds ``step_challenges`` (member, step -> distinct challenges of that step done), kept in
step with ``challenge_done`` by the writers. Additive: existing rows are untouched. The
counts of challenges done before this revision are made by the first reader of each
group (one ``INSERT … SELECT … GROUP BY`` over ``challenge_done``), because which step a
challenge counts toward is content, not schema: the group's ``progress_counts`` marker
(kind ``challenges``) records the content fingerprint they were counted under.

Revision ID: 0009_progress_summary
Revises: 0008_inbox
Create Date: 2026-12-07 08:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_progress_summary"
down_revision: str | None = "0008_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``step_challenges``."""
    op.create_table(
        "step_challenges",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=80), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_step_challenges_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_step_challenges_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "step_id", name=op.f("pk_step_challenges")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    """Drop ``step_challenges`` and the markers saying groups' counts were made."""
    op.drop_table("step_challenges")
    op.execute("DELETE FROM progress_counts WHERE kind = 'challenges'")
