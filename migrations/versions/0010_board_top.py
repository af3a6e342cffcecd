"""board heads: the first places of every leaderboard, instead of six score indexes

Adds ``board_top`` (each board's first 250 to 500 places, clustered in the board's order)
and ``board_top_state`` (each head's length, whether it is the whole board, its floor),
kept by the check-in writers (see ``bot/db/repositories/board_top.py``), and drops 0002's
six ``ix_member_stats_rank_*`` indexes: every check-in moved its member in all six, which
was most of SQLite's work per check-in (issue 17). ``ix_member_stats_group`` finds a
group's rows for day rolls and pages beyond the heads, ``ix_member_stats_hidden`` (partial)
its hidden members for the dashboard's overview. The heads of every group whose
boards were built (a ``board_state`` row) are filled here from ``member_stats``; other
groups get theirs at their first board view, as they get their score counts.

Revision ID: 0010_board_top
Revises: 0009_progress_summary
Create Date: 2026-12-08 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_board_top"
down_revision: str | None = "0009_progress_summary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of bot.db.repositories.board_top.KEEP and the boards' score columns.
KEEP = 250
BOARDS = {
    "streak": "live_run",
    "longest": "longest",
    "total": "total",
    "recent": "recent",
    "week": "week_n",
    "month": "month_n",
}
RANK_INDEXES = {f"ix_member_stats_rank_{board}": column for board, column in BOARDS.items()}


def upgrade() -> None:
    """Create the heads, fill them for built groups, drop the score indexes."""
    op.create_table(
        "board_top",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("board", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_board_top_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_board_top_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "group_id", "board", "score", "last_day", "member_id", name=op.f("pk_board_top")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "board_top_state",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("board", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("floor_score", sa.Integer(), nullable=True),
        sa.Column("floor_day", sa.Date(), nullable=True),
        sa.Column("floor_member", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_board_top_state_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "board", name=op.f("pk_board_top_state")),
    )
    _fill_heads()
    with op.batch_alter_table("member_stats") as batch_op:
        for index in RANK_INDEXES:
            batch_op.drop_index(index)
        batch_op.create_index("ix_member_stats_group", ["group_id"], unique=False)
        batch_op.create_index(
            "ix_member_stats_hidden",
            ["group_id"],
            unique=False,
            sqlite_where=sa.text("hidden = 1"),
            postgresql_where=sa.text("hidden"),
        )


def _fill_heads() -> None:
    no_day = "'1970-01-01'"  # bot.db.repositories.board_top.NO_DAY
    for board, score in BOARDS.items():
        last = f"COALESCE(s.last_day, {no_day})"
        op.execute(
            "INSERT INTO board_top (group_id, board, score, last_day, member_id) "
            f"SELECT group_id, '{board}', score, last_day, member_id FROM ("
            f"SELECT s.group_id, s.{score} AS score, {last} AS last_day, s.member_id, "
            f"ROW_NUMBER() OVER (PARTITION BY s.group_id ORDER BY s.{score} DESC, {last} DESC, "
            "s.member_id DESC) AS place "
            "FROM member_stats s JOIN board_state g ON g.group_id = s.group_id "
            f"WHERE s.hidden = FALSE AND s.{score} > 0) ranked WHERE place <= {KEEP}"
        )
    boards = " UNION ALL ".join(f"SELECT '{board}' AS board" for board in BOARDS)
    op.execute(
        "INSERT INTO board_top_state (group_id, board, size, complete) "
        f"SELECT g.group_id, b.board, COALESCE(c.n, 0), COALESCE(c.n, 0) < {KEEP} "
        f"FROM board_state g CROSS JOIN ({boards}) b LEFT JOIN ("
        "SELECT group_id, board, count(*) AS n FROM board_top GROUP BY group_id, board) c "
        "ON c.group_id = g.group_id AND c.board = b.board"
    )
    # A full head may not hold the whole board: its floor is its last entry.
    for column in ("score", "last_day", "member_id"):
        target = {"score": "floor_score", "last_day": "floor_day", "member_id": "floor_member"}
        op.execute(
            f"UPDATE board_top_state SET {target[column]} = (SELECT t.{column} FROM board_top t "
            "WHERE t.group_id = board_top_state.group_id AND t.board = board_top_state.board "
            "ORDER BY t.score, t.last_day, t.member_id LIMIT 1) "
            f"WHERE size >= {KEEP}"
        )


def downgrade() -> None:
    """Bring back the score indexes and drop the heads."""
    with op.batch_alter_table("member_stats") as batch_op:
        batch_op.drop_index("ix_member_stats_hidden")
        batch_op.drop_index("ix_member_stats_group")
        for index, column in RANK_INDEXES.items():
            batch_op.create_index(
                index, ["group_id", "hidden", column, "last_day", "member_id"], unique=False
            )
    op.drop_table("board_top_state")
    op.drop_table("board_top")
