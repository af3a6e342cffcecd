"""``/leaderboard [by] [period] [limit]``, with **Previous**/**Next** page buttons.

``by``: ``streak`` (current streaks), ``longest``, ``checkins``, ``consistency``
(check-in days in the last 30, shown "24/30") or ``steps`` (roadmap steps done);
``period``: ``week`` (Monday to Sunday), ``month``, ``30d`` or ``all``, in the group's
local days (``consistency`` is always the last 30 days, ``steps`` all time). ``checkins``
counts check-ins in the period; for ``streak`` and ``longest`` the period lists the
members who checked in during it. Hidden members are never ranked; ties share a rank.
Everyone may look; the reply also shows the caller's own rank.
"""

from __future__ import annotations

from dataclasses import replace

from bot.cards import BoardRow, LeaderboardCard
from bot.cards.leaderboard import alt_text, render_leaderboard
from bot.cards.service import render_image
from bot.content.render.text import day_label
from bot.core.commands import Param, ParamKind
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Button, Reply
from bot.db.repositories import board_roll, progress_summary
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories.leaderboard import BY, PERIODS, BoardPage, BoardSpec, rank_of, read_board
from bot.features.cards import VIEWS, cards_enabled
from bot.features.checkins.router import router

PAGE_ACTION = "leaderboard.page"
_TITLES = {
    "streak": "current streaks",
    "longest": "longest streaks",
    "checkins": "check-ins",
    "consistency": "consistency",
    "steps": "roadmap steps done",
}


@router.command(
    "leaderboard",
    "The group's leaderboard: current streaks, longest streaks or check-ins.",
    params=(
        Param(
            "by",
            ParamKind.CHOICE,
            "streak (current, default), longest, checkins, consistency or steps",
            choices=BY,
        ),
        Param("period", ParamKind.CHOICE, "week, month, 30d or all (default)", choices=PERIODS),
        Param(
            "limit", ParamKind.INTEGER, "How many to list (default 10)", min_value=1, max_value=25
        ),
        Param("view", ParamKind.CHOICE, "text (default) or card: a picture", choices=VIEWS),
    ),
    examples=(
        "",
        "by:checkins period:week",
        "longest month 20",
        "checkins week card",
        "consistency",
        "steps",
    ),
)
async def leaderboard(
    ctx: CommandContext,
    by: str = "streak",
    period: str = "all",
    limit: int = 10,
    view: str = "text",
) -> Reply:
    """Show the first page of a board and the caller's rank (as a card with ``view:card``)."""
    card = view == "card" and await cards_enabled(ctx)
    return await board_reply(ctx, by, period, limit, 1, card=card)


@router.action(PAGE_ACTION)
async def leaderboard_page(ctx: CommandContext, value: str) -> Reply:
    """Another page of a board, replacing the message the button was on."""
    try:
        fields = dict(part.split("=", 1) for part in value.split(";"))
        by, period = fields["by"], fields["period"]
        limit, page = int(fields["limit"]), int(fields["page"])
    except (KeyError, ValueError):
        raise UserError("That button is out of date; run `/leaderboard` again.") from None
    if by not in BY or period not in PERIODS or not 1 <= limit <= 25 or page < 1:
        raise UserError("That button is out of date; run `/leaderboard` again.")
    return replace(await board_reply(ctx, by, period, limit, page), update_original=True)


def _unit(by: str, score: int) -> str:
    if by == "consistency":
        return f"{score}/30"
    if by == "steps":
        return f"{score} step" if score == 1 else f"{score} steps"
    if by == "checkins":
        return f"{score} check-in" if score == 1 else f"{score} check-ins"
    return f"{score} day" if score == 1 else f"{score} days"


def _period_label(spec: BoardSpec) -> str:
    if spec.period == "week" and spec.start is not None:
        return f"this week (from {day_label(spec.start)})"
    return {"month": "this month", "30d": "the last 30 days"}.get(spec.period, "all time")


async def board_reply(
    ctx: CommandContext, by: str, period: str, limit: int, page: int, *, card: bool = False
) -> Reply:
    """One page of a board as a reply (paging buttons included), with a card if asked."""
    today = await ctx.group_today()
    # First view of a new group day: move the day-dependent figures (cheap otherwise).
    await board_roll.roll(ctx.session, ctx.group.id, today, ctx.now)
    plan = (ctx.services.content.phases, ctx.services.content.steps)
    await progress_summary.ensure_board(ctx.session, plan, ctx.group.id, by, ctx.now)
    spec = BoardSpec(ctx.group.id, by, period, today)
    board = await read_board(
        ctx.session, spec, ctx.member.id, limit=limit, offset=(page - 1) * limit
    )
    if not board.entries and page > 1 and board.size:
        page = (board.size + limit - 1) // limit
        board = await read_board(
            ctx.session, spec, ctx.member.id, limit=limit, offset=(page - 1) * limit
        )
    lines, rows = await _lines(ctx, spec, board, page, limit)
    title = f"Leaderboard · {_TITLES[by]} · {_period_label(spec)}"
    who = "members who checked in during it" if spec.activity_filtered else None
    footer = "Ties share a rank. Days follow the group's timezone."
    if who:
        footer = f"Lists {who}. {footer}"
    buttons: list[Button] = []
    value = f"by={by};period={spec.period};limit={limit};page="
    if page > 1:
        buttons.append(Button("Previous", action_id=PAGE_ACTION, value=f"{value}{page - 1}"))
    if page * limit < board.size:
        buttons.append(Button("Next", action_id=PAGE_ACTION, value=f"{value}{page + 1}"))
    reply = Reply(title=title, text="\n".join(lines), footer=footer, buttons=tuple(buttons))
    if not card:
        return reply
    me = board.me
    mine = None
    if me is not None and not me.hidden and me.rank is not None:
        mine = BoardRow(me.rank, ctx.member.display_name, _unit(by, me.score), is_me=True)
    model = LeaderboardCard(
        title=f"Leaderboard · {_TITLES[by]}", subtitle=_period_label(spec), rows=rows[:10], me=mine
    )
    image = await render_image(render_leaderboard, alt_text, model, "leaderboard.png")
    return replace(reply, image=image)


async def _lines(
    ctx: CommandContext, spec: BoardSpec, board: BoardPage, page: int, limit: int
) -> tuple[list[str], tuple[BoardRow, ...]]:
    names = await checkins_repo.display_names(
        ctx.session, [m for m, _ in board.entries], ctx.space.id
    )
    lines: list[str] = []
    rows: list[BoardRow] = []
    if not board.entries:
        lines.append(
            "No one is on this board yet. Finish a step with `/roadmap done STEP` to be the first!"
            if spec.by == "steps"
            else "No one is on this board yet. Check in with `/done` to be the first!"
        )
    rank, previous = 0, None
    for index, (member_id, score) in enumerate(board.entries):
        if score != previous:
            position = (page - 1) * limit + index + 1
            rank = position if index or page == 1 else await rank_of(ctx.session, spec, score)
            previous = score
        lines.append(f"{rank}. {names.get(member_id, '?')} — {_unit(spec.by, score)}")
        name = names.get(member_id, "?")
        rows.append(BoardRow(rank, name, _unit(spec.by, score), member_id == ctx.member.id))
    me = board.me
    lines.append("")
    if me is not None and me.hidden:
        lines.append("You are hidden from leaderboards (`/settings leaderboard:show` to appear).")
    elif me is None or me.rank is None:
        how = "finish a step with `/roadmap done STEP`" if spec.by == "steps" else "check in"
        lines.append(f"You are not on this board yet: {how}.")
    else:
        lines.append(f"You: **#{me.rank}** of {board.size} · {_unit(spec.by, me.score)}")
    return lines, tuple(rows)
