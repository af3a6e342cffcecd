"""The dashboard's pages: overview, leaderboards, member, schedule, audit, settings, exports.

Every page runs through :meth:`Guard.run` (session, group, moderator rule) and reuses
what the chat commands use: the leaderboard repository, ``/admin schedule``'s report,
``/admin settings``' validation and audit, ``/admin export``'s files.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.db.repositories import board_roll, progress_summary
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import dashboard_figures as figures
from bot.db.repositories.leaderboard import BY, PERIODS, BoardSpec, rank_of, read_board
from bot.features.admin_settings import admin_settings
from bot.features.checkins.export import export
from bot.features.schedule.status import admin_schedule
from bot.web.dashboard import charts
from bot.web.dashboard.guard import Guard, Refused, Viewer
from bot.web.dashboard.markup import reply_html
from bot.web.dashboard.security import csrf_ok

BOARD_PAGE = 50
AUDIT_PAGE = 50
OVERVIEW_TTL = timedelta(minutes=1)
BOARD_TITLES = {
    "streak": "Current streak",
    "longest": "Longest streak",
    "checkins": "Check-ins",
    "consistency": "Consistency (days of the last 30)",
    "steps": "Roadmap steps done",
}
PERIOD_TITLES = {
    "week": "This week",
    "month": "This month",
    "30d": "Last 30 days",
    "all": "All time",
}


def _int(value: str | None, default: int, low: int = 1, high: int = 10**6) -> int:
    try:
        return min(high, max(low, int(value or default)))
    except ValueError:
        return default


class Pages:
    """Handlers of the signed-in pages."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        # The overview aggregates up to 90 days of check-ins (~60 ms at 1M check-ins on
        # SQLite): kept for a minute per group and day, so reloads and several moderators
        # cost one aggregation a minute.
        self._overviews: dict[tuple[int, date], tuple[datetime, figures.Overview]] = {}

    def routes(self, app: web.Application) -> None:
        """Register the routes."""
        base = "/dashboard/g/{group}"
        app.router.add_get(base + "/", self.overview)
        app.router.add_get(base + "/leaderboard", self.leaderboard)
        app.router.add_get(base + "/members/{member}", self.member)
        app.router.add_get(base + "/schedule", self.schedule)
        app.router.add_get(base + "/audit", self.audit)
        app.router.add_get(base + "/settings", self.settings)
        app.router.add_post(base + "/settings", self.change_setting)
        app.router.add_get(base + "/exports", self.exports)
        app.router.add_get(base + "/exports/{what}.{fmt}", self.download)

    def _render(
        self, request: web.Request, template: str, ctx: CommandContext, viewer: Viewer, **data: Any
    ) -> web.Response:
        data.update(
            group=ctx.group,
            me=ctx.member,
            csrf=viewer.csrf,
            base=f"/dashboard/g/{ctx.group.id}",
            path=request.path,
        )
        return aiohttp_jinja2.render_template(template, request, data)

    async def overview(self, request: web.Request) -> web.Response:
        """Members, activity, check-ins per day (90 days), streak distribution."""

        async def page(ctx: CommandContext, viewer: Viewer) -> web.Response:
            today = await ctx.group_today()
            await board_roll.roll(ctx.session, ctx.group.id, today, ctx.now)
            key = (ctx.group.id, today)
            cached = self._overviews.get(key)
            if cached is not None and ctx.now - cached[0] < OVERVIEW_TTL:
                view = cached[1]
            else:
                view = await figures.overview(ctx.session, ctx.group.id, today)
                if len(self._overviews) > 1000:
                    self._overviews.clear()
                self._overviews[key] = (ctx.now, view)
            per_day = charts.bar_chart(
                [(f"{d:%b %d}", n) for d, n in view.per_day],
                title="Check-ins per day, last 90 days",
                label_every=15,
            )
            streaks = charts.bar_chart(
                view.streaks, title="Members by current streak length (days)", height=160
            )
            return self._render(
                request,
                "overview.html",
                ctx,
                viewer,
                title="Overview",
                view=view,
                today=today,
                per_day_chart=per_day,
                streak_chart=streaks,
            )

        return await self.guard.run(request, page)

    async def leaderboard(self, request: web.Request) -> web.Response:
        """Any board and period, paged, sortable; hidden members are never listed."""
        by = request.query.get("by", "streak")
        period = request.query.get("period", "all")
        if by not in BY or period not in PERIODS:
            raise Refused(404, "No such leaderboard.")
        page_no = _int(request.query.get("page"), 1)
        sort = request.query.get("sort", "rank")
        descending = request.query.get("dir", "asc") == "desc"

        async def page(ctx: CommandContext, viewer: Viewer) -> web.Response:
            today = await ctx.group_today()
            await board_roll.roll(ctx.session, ctx.group.id, today, ctx.now)
            plan = (ctx.services.content.phases, ctx.services.content.steps)
            await progress_summary.ensure_board(ctx.session, plan, ctx.group.id, by, ctx.now)
            spec = BoardSpec(ctx.group.id, by, period, today)
            offset = (page_no - 1) * BOARD_PAGE
            board = await read_board(ctx.session, spec, None, limit=BOARD_PAGE, offset=offset)
            names = await checkins_repo.display_names(
                ctx.session, [m for m, _ in board.entries], ctx.space.id
            )
            rows: list[dict[str, Any]] = []
            rank, previous = 0, None
            for index, (member_id, score) in enumerate(board.entries):
                if score != previous:
                    # Ties share a rank; a page may start inside a tie.
                    rank = (
                        offset + index + 1
                        if index or page_no == 1
                        else await rank_of(ctx.session, spec, score)
                    )
                    previous = score
                rows.append(
                    {
                        "rank": rank,
                        "id": member_id,
                        "name": names.get(member_id, "?"),
                        "score": score,
                    }
                )
            if sort in ("name", "score", "rank"):
                key = (lambda r: r["name"].lower()) if sort == "name" else (lambda r: r[sort])
                rows.sort(key=key, reverse=descending)
            return self._render(
                request,
                "leaderboard.html",
                ctx,
                viewer,
                title="Leaderboards",
                rows=rows,
                by=by,
                period=period,
                sort=sort,
                descending=descending,
                page_no=page_no,
                size=board.size,
                pages=max(1, (board.size + BOARD_PAGE - 1) // BOARD_PAGE),
                boards=BOARD_TITLES,
                periods=PERIOD_TITLES,
                activity_filtered=spec.activity_filtered,
            )

        return await self.guard.run(request, page)

    async def member(self, request: web.Request) -> web.Response:
        """One member: streak figures, calendar, audit entries about or by them."""
        member_id = _int(request.match_info.get("member"), 0, low=0)

        async def page(ctx: CommandContext, viewer: Viewer) -> web.Response:
            found = await figures.member_figures(ctx.session, ctx.group.id, member_id)
            if found is None:
                raise Refused(404, "No such member in this group.")
            today = await ctx.group_today()
            first = today - timedelta(weeks=26)
            days = await checkins_repo.days_between(ctx.session, member_id, first, today)
            entries, _more = await figures.audit_page(
                ctx.session,
                ctx.group.id,
                figures.AuditFilter(member_id=member_id),
                limit=20,
                offset=0,
            )
            return self._render(
                request,
                "member.html",
                ctx,
                viewer,
                title=found.member.display_name,
                found=found,
                calendar=charts.calendar(days, today),
                days_shown=len(days),
                entries=entries,
            )

        return await self.guard.run(request, page)

    async def schedule(self, request: web.Request) -> web.Response:
        """What ``/admin schedule`` reports: next runs, recent posts, misses and failures."""

        async def page(ctx: CommandContext, viewer: Viewer) -> web.Response:
            reply = await admin_schedule(ctx)
            return self._render(
                request,
                "schedule.html",
                ctx,
                viewer,
                title="Schedule health",
                heading=reply.title,
                body=reply_html(reply),
            )

        return await self.guard.run(request, page)

    async def audit(self, request: web.Request) -> web.Response:
        """The audit log, newest first, filtered and paged."""
        where = figures.AuditFilter(
            action=request.query.get("action", "")[:80],
            actor=request.query.get("actor", "")[:80],
            target=request.query.get("target", "")[:80],
        )
        page_no = _int(request.query.get("page"), 1)

        async def page(ctx: CommandContext, viewer: Viewer) -> web.Response:
            entries, more = await figures.audit_page(
                ctx.session,
                ctx.group.id,
                where,
                limit=AUDIT_PAGE,
                offset=(page_no - 1) * AUDIT_PAGE,
            )
            return self._render(
                request,
                "audit.html",
                ctx,
                viewer,
                title="Audit log",
                entries=entries,
                more=more,
                page_no=page_no,
                where=where,
                actions=await figures.audit_actions(ctx.session, ctx.group.id),
            )

        return await self.guard.run(request, page)

    async def _settings_page(
        self, request: web.Request, message: str | None = None, error: str | None = None
    ) -> web.Response:
        async def page(ctx: CommandContext, viewer: Viewer) -> web.Response:
            current = await ctx.settings()
            rows = [
                {"key": key, "value": spec.show(current[key]), "description": spec.description}
                for key, spec in ctx.services.setting_specs.items()
            ]
            return self._render(
                request,
                "settings.html",
                ctx,
                viewer,
                title="Settings",
                rows=rows,
                message=message,
                error=error,
            )

        response = await self.guard.run(request, page)
        if error:
            response.set_status(400)
        return response

    async def settings(self, request: web.Request) -> web.Response:
        """The group's settings, each with a form."""
        return await self._settings_page(request)

    async def change_setting(self, request: web.Request) -> web.Response:
        """Change one setting through ``/admin settings``' own code (validated, audited)."""
        viewer = await self.guard.viewer(request)
        form = await request.post()
        if not csrf_ok(viewer.csrf, form.get("csrf")):
            raise Refused(403, "The form was missing its security token; reload and retry.")
        key, value = form.get("key"), form.get("value")
        if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
            return await self._settings_page(request, error="Give the setting a value.")

        async def change(ctx: CommandContext, _viewer: Viewer) -> str:
            reply = await admin_settings(ctx, key, value.strip())
            return reply.plain_text()

        try:
            message = await self.guard.run(request, change)
        except UserError as exc:
            return await self._settings_page(request, error=str(exc))
        return await self._settings_page(request, message=message)

    async def exports(self, request: web.Request) -> web.Response:
        """Links to the downloads."""

        async def page(ctx: CommandContext, viewer: Viewer) -> web.Response:
            return self._render(
                request,
                "exports.html",
                ctx,
                viewer,
                title="Exports",
                boards=BOARD_TITLES,
                periods=PERIOD_TITLES,
            )

        return await self.guard.run(request, page)

    async def download(self, request: web.Request) -> web.Response:
        """A CSV (as ``/admin export`` attaches it) or the same rows as JSON."""
        what, fmt = request.match_info["what"], request.match_info["fmt"]
        by = request.query.get("by", "streak")
        period = request.query.get("period", "all")
        if what not in ("checkins", "leaderboard") or fmt not in ("csv", "json"):
            raise Refused(404, "No such export.")
        if by not in BY or period not in PERIODS:
            raise Refused(404, "No such leaderboard.")

        async def page(ctx: CommandContext, _viewer: Viewer) -> tuple[str, bytes]:
            reply = await export(ctx, what, by=by, period=period)
            assert reply.file is not None  # /admin export always attaches its file
            return reply.file.filename, reply.file.content

        filename, data = await self.guard.run(request, page)
        if fmt == "json":
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
            data = json.dumps(rows, ensure_ascii=False, indent=1).encode()
            filename = filename.rsplit(".", 1)[0] + ".json"
        content_type = "application/json" if fmt == "json" else "text/csv"
        return web.Response(
            body=data,
            content_type=content_type,
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
