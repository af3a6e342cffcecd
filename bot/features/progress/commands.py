"""``/roadmap me|start|done|skip|reset``: a member's own place on the plan.

The handlers read and write :mod:`bot.db.repositories.progress` and draw replies from the
pure :func:`bot.progress.plan.progress_view`; they are reached through ``/roadmap``'s step
argument (see :func:`bot.features.roadmap.roadmap`), so every platform gets them with no
new command to register.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import urlparse

from bot.content.render.roadmap import unknown_step
from bot.content.schema import Step, normalise_name
from bot.content.store import ContentStore
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply, ReplyField
from bot.db.repositories import progress as progress_repo
from bot.db.repositories import progress_challenges
from bot.db.repositories import progress_summary as summary_repo
from bot.db.repositories.checkins import Executor
from bot.features.progress.card import with_progress_card
from bot.progress.challenge_steps import challenge_steps
from bot.progress.events import StepFinished, step_finished
from bot.progress.plan import (
    ProgressView,
    Status,
    StepRecord,
    progress_view,
)

VERBS = ("me", "start", "done", "skip", "reset")

_MARK = {
    Status.DONE: "✅",
    Status.SKIPPED: "⏭️",
    Status.IN_PROGRESS: "▶️",
    Status.NOT_STARTED: "▫️",
}


async def load_view(
    db: Executor, store: ContentStore, who: tuple[int, int], today: date
) -> ProgressView:
    """The progress view of member ``who`` (group id, member id): two indexed reads.

    The member's step records (a primary-key range) and their done challenges per step
    with the group's content marker (:func:`progress_challenges.read`); the plan and each
    step's number of challenges come from the in-memory content. A group whose per-step
    counts were not made for this content is recounted first, once.
    """
    group_id, member_id = who
    steps = challenge_steps(store.bundle.challenges)
    records = await progress_repo.load(db, member_id)
    done = await progress_challenges.read(db, group_id, member_id, steps.fingerprint)
    if done is None:
        await progress_challenges.rebuild(db, group_id, steps)
        done = await progress_challenges.read(db, group_id, member_id, steps.fingerprint)
    return progress_view(store.phases, store.steps, records, done or {}, steps.totals, today)


async def member_view(ctx: CommandContext) -> ProgressView:
    """The calling member's progress view (the function a card renderer can use too)."""
    who = (ctx.group.id, ctx.member.id)
    return await load_view(ctx.session, ctx.services.content, who, await ctx.today())


def view_reply(view: ProgressView) -> Reply:
    """Render a :class:`ProgressView` as a chat reply."""
    fields = []
    for phase in view.phases:
        lines = []
        for step in phase.steps:
            challenges = (
                f" · challenges {step.challenges_done}/{step.challenges_total}"
                if step.challenges_total
                else ""
            )
            lines.append(
                f"{_MARK[step.status]} {step.number}. {step.title} (`{step.id}`): "
                f"{step.status.value}{challenges}"
            )
        fields.append(ReplyField(f"Phase {phase.number} · {phase.title}", "\n".join(lines)))
    if view.current is not None:
        where = f"**Now:** {view.position}, {view.current.title}"
        if view.pacing:
            where += f", {view.pacing}" + (
                " (taking longer than planned, that's fine)" if view.behind else ""
            )
        text = f"{where}.\n**Checkpoint:** {view.checkpoint}\n**Next:** {view.next_action}"
    else:
        text = f"**Done:** {view.position}. {view.next_action}"
    return Reply(
        title=f"Your roadmap: {view.finished} of {view.total} steps finished",
        text=text,
        fields=tuple(fields),
        ephemeral=True,
    )


async def _store(
    ctx: CommandContext,
    before: dict[str, StepRecord],
    record: StepRecord,
    *,
    remove: bool = False,
) -> bool:
    """Save (or remove) one step record and refresh the member's summary and counts."""
    after = dict(before)
    if remove:
        removed = await progress_repo.remove(ctx.session, ctx.member.id, record.step_id)
        after.pop(record.step_id, None)
    else:
        await progress_repo.save(ctx.session, ctx.group.id, ctx.member.id, record, ctx.now)
        after[record.step_id] = record
        removed = False
    store = ctx.services.content
    await summary_repo.refresh(
        ctx.session,
        (store.phases, store.steps),
        (ctx.member.id, ctx.group.id, ctx.member.hidden),
        before,
        after,
        ctx.now,
    )
    return removed


def resolve_step(store: ContentStore, typed: str) -> Step:
    """The step ``typed`` names (or a close spelling), else a :class:`UserError`."""
    return _resolve(store, typed)


def _resolve(store: ContentStore, typed: str) -> Step:
    found = store.find_step(typed)
    if found.match is not None:
        return found.match
    raise UserError(unknown_step(store, typed, found.suggestions))


def valid_link(text: str) -> bool:
    """A well-formed http(s) URL with a host."""
    parsed = urlparse(text)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in text


def describe_link(link: str) -> str:
    """A link as shown to members: GitHub and GitLab links are named as such."""
    host = urlparse(link).netloc.lower().removeprefix("www.")
    if host == "github.com":
        return f"GitHub: {link}"
    if host == "gitlab.com":
        return f"GitLab: {link}"
    return link


def _looks_like_link(word: str) -> bool:
    return word.lower().startswith(("http://", "https://", "www."))


def _names(step: Step, typed: str) -> bool:
    """Whether ``typed`` is exactly one of the step's names (not just close to one)."""
    names = [step.id, step.title, str(step.number), *step.aliases]
    return normalise_name(typed) in {normalise_name(n) for n in names}


async def handle(ctx: CommandContext, verb: str, rest: str) -> Reply:
    """Run one ``/roadmap VERB …`` subcommand."""
    if verb == "me":
        view = await member_view(ctx)
        if rest.strip().lower() == "card":
            return await with_progress_card(ctx, view_reply(view), view)
        if rest:
            raise UserError("`/roadmap me` shows your plan; `/roadmap me card` adds a picture.")
        return view_reply(view)
    if not rest:
        raise UserError(
            f"Which step? Usage: `/roadmap {verb} STEP`, e.g. `/roadmap {verb} databases`."
        )
    if verb == "done":
        return await _done(ctx, rest)
    step = _resolve(ctx.services.content, rest)
    records = await progress_repo.load(ctx.session, ctx.member.id)
    record = records.get(step.id)
    today = await ctx.today()
    label = f"step {step.number}, {step.title}"
    if verb == "start":
        if record is not None and record.status is Status.IN_PROGRESS:
            return Reply(f"You are already on {label} (since {record.started_on}).", ephemeral=True)
        if record is not None and record.finished:
            return Reply(
                f"You have {record.status.value} {label} already. "
                f"`/roadmap reset {step.id}` starts it over.",
                ephemeral=True,
            )
        new = StepRecord(step.id, Status.IN_PROGRESS, started_on=today)
        await _store(ctx, records, new)
        return Reply(
            f"Started {label}. Checkpoint to pass:\n{step.checkpoint}\n"
            f"When you pass it: `/roadmap done {step.id} [LINK] [NOTE]`.",
            ephemeral=True,
        )
    if verb == "skip":
        if record is not None and record.status is Status.DONE:
            return Reply(f"You finished {label} already; it stays done.", ephemeral=True)
        base = record or StepRecord(step.id, Status.NOT_STARTED)
        new = replace(base, status=Status.SKIPPED, finished_on=today)
        await _store(ctx, records, new)
        return Reply(f"Skipped {label}: marked as already known.", ephemeral=True)
    # reset
    if record is None or not await _store(ctx, records, record, remove=True):
        return Reply(f"{label.capitalize()} was not started; nothing to reset.", ephemeral=True)
    return Reply(f"Reset {label}: it is not started again.", ephemeral=True)


async def _done(ctx: CommandContext, rest: str) -> Reply:
    store = ctx.services.content
    words = rest.split()
    step: Step | None = None
    tail: list[str] = []
    # The step name may be several words: take the longest leading words that name one
    # exactly (a fuzzy match of "git wrote notes" could land anywhere), else the first word.
    for k in range(len(words), 0, -1):
        if any(_looks_like_link(w) for w in words[:k]):
            continue
        candidate = " ".join(words[:k])
        match = store.find_step(candidate).match
        if match is not None and _names(match, candidate):
            step, tail = match, words[k:]
            break
    if step is None:
        step, tail = _resolve(store, words[0]), words[1:]  # raises with the closest steps
    link = next((w for w in tail if _looks_like_link(w)), None)
    if link is not None and not valid_link(link):
        raise UserError(f"`{link}` is not a well-formed http(s) link.")
    note = " ".join(w for w in tail if w != link) or None
    records = await progress_repo.load(ctx.session, ctx.member.id)
    record = records.get(step.id)
    label = f"step {step.number}, {step.title}"
    if record is not None and record.status is Status.DONE:
        return Reply(
            f"You already finished {label} on {record.finished_on}. It stays counted once. 🎉",
            ephemeral=True,
        )
    today = await ctx.today()
    base = record or StepRecord(step.id, Status.NOT_STARTED)
    new = replace(
        base, status=Status.DONE, finished_on=today, link=link or base.link, note=note or base.note
    )
    await _store(ctx, records, new)
    await step_finished(ctx.session, StepFinished(ctx.group.id, ctx.member.id, step.id, today))
    view = await member_view(ctx)
    fields = [ReplyField("Checkpoint you confirmed", step.checkpoint)]
    if link:
        fields.append(ReplyField("Your work", describe_link(link)))
    if note:
        fields.append(ReplyField("Note", note))
    return Reply(
        title=f"Finished {label} ✅",
        text=f"{view.finished} of {view.total} steps finished. Next: {view.next_action}",
        fields=tuple(fields),
    )


async def next_challenge(ctx: CommandContext) -> Reply:
    """``/challenge next``: a challenge of the member's current step they have not done."""
    from bot.content.render import challenge_reply

    store = ctx.services.content
    view = await member_view(ctx)
    if view.current is None:
        return Reply(
            "You finished every step. Try `/challenge` for the group's one.", ephemeral=True
        )
    done = set(await progress_repo.done_challenges(ctx.session, ctx.member.id))
    for item in store.bundle.challenges:
        if item.step == view.current.id and item.id not in done:
            reply = challenge_reply(item, store, day=await ctx.today())
            return replace(reply, footer=f"From your current step: {view.current.title}")
    return Reply(
        f"You have done every challenge of step {view.current.number}, {view.current.title}. "
        f"Ready for `/roadmap done {view.current.id}`?",
        ephemeral=True,
    )
