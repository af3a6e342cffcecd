"""``/admin export checkins|leaderboard|progress``: the group's data as a CSV file.

``progress`` is one row per member and roadmap step they started, finished or skipped
(:func:`bot.features.progress.admin.export_reply`).

``checkins`` exports every check-in (optionally since a date) with the member, the local
date, the instant, the timezone, platform, challenge, note and link. ``leaderboard``
exports a whole board (``by``/``period`` as in ``/leaderboard``): rank, member, score;
hidden members are left out, as on the board. Cells that a spreadsheet would run as a
formula are prefixed with ``'``.
"""

from __future__ import annotations

from datetime import date

from bot.core.commands import Param, ParamKind, Role
from bot.core.context import CommandContext
from bot.core.models import FileAttachment, Reply
from bot.core.wording import count
from bot.db.repositories import board_roll, progress_summary
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories.leaderboard import BY, PERIODS, BoardSpec, read_board
from bot.features.checkins.router import router
from bot.features.csv_file import to_csv


@router.command(
    "export",
    "Download the group's check-ins, a leaderboard or roadmap progress as a CSV file.",
    group="admin",
    requires=Role.MODERATOR,
    ephemeral=True,
    params=(
        Param(
            "what",
            ParamKind.CHOICE,
            "checkins, leaderboard or progress",
            required=True,
            choices=("checkins", "leaderboard", "progress"),
        ),
        Param("by", ParamKind.CHOICE, "leaderboard: streak, longest or checkins", choices=BY),
        Param("period", ParamKind.CHOICE, "leaderboard: week, month, 30d or all", choices=PERIODS),
        Param("since", ParamKind.DATE, "checkins: only from this local date on"),
    ),
    examples=(
        "checkins",
        "checkins since:2026-01-01",
        "leaderboard by:checkins period:month",
        "progress",
    ),
)
async def export(
    ctx: CommandContext,
    what: str,
    by: str = "streak",
    period: str = "all",
    since: date | None = None,
) -> Reply:
    """Build the CSV file and attach it."""
    if what == "progress":
        from bot.features.progress.admin import export_reply

        return await export_reply(ctx)
    if what == "checkins":
        rows = await checkins_repo.export_rows(ctx.session, ctx.group.id, since)
        content = to_csv(
            [
                "member",
                "platform_user_id",
                "local_date",
                "checked_at_utc",
                "timezone",
                "platform",
                "challenge_id",
                "note",
                "link",
            ],
            (
                [
                    r.member,
                    r.platform_user_ids,
                    r.local_date.isoformat(),
                    r.checked_at.isoformat(),
                    r.timezone,
                    r.platform,
                    r.challenge_id,
                    r.note,
                    r.link,
                ]
                for r in rows
            ),
        )
        return Reply(
            text=f"{count(len(rows), 'check-in')} exported.",
            file=FileAttachment("checkins.csv", content, "text/csv"),
        )
    today = await ctx.group_today()
    await board_roll.roll(ctx.session, ctx.group.id, today, ctx.now)
    plan = (ctx.services.content.phases, ctx.services.content.steps)
    await progress_summary.ensure_board(ctx.session, plan, ctx.group.id, by, ctx.now)
    spec = BoardSpec(ctx.group.id, by, period, today)
    first = await read_board(ctx.session, spec, None, limit=1)
    board = await read_board(ctx.session, spec, None, limit=max(1, first.size))
    names = await checkins_repo.display_names(
        ctx.session, [m for m, _ in board.entries], ctx.space.id
    )
    ranked: list[list[object]] = []
    rank, previous = 0, None
    for position, (member_id, score) in enumerate(board.entries, start=1):
        if score != previous:
            rank, previous = position, score
        ranked.append([rank, names.get(member_id, ""), score])
    filename = f"leaderboard-{by}-{period}-{today.isoformat()}.csv"
    return Reply(
        text=f"{len(ranked)} ranked members exported ({by}, {period}).",
        file=FileAttachment(filename, to_csv(["rank", "member", by], ranked), "text/csv"),
    )
