"""``/admin progress [STEP]`` and its settings, driven through the console harness."""

from __future__ import annotations

from datetime import timedelta

from tests.support.harness import BotHarness


async def test_members_per_step_phase_and_idle_members(bot: BotHarness) -> None:
    await bot.cmd("/roadmap start web-basics", user="ann")
    await bot.cmd("/roadmap start web-basics", user="bob")
    await bot.cmd("/roadmap skip web-basics", user="cy")
    await bot.cmd("/roadmap start language", user="cy")
    bot.clock.advance(timedelta(weeks=4))
    await bot.cmd("/roadmap done web-basics", user="bob")  # bob moved; ann has not
    report = await bot.cmd("/admin progress", user="mod")
    assert report.title == "Roadmap progress · 3 members on the plan"
    fields = {f.name: f.value for f in report.fields}
    steps = fields["On each step (their current step)"]
    assert "1. How the web works — 1 member" in steps  # ann
    assert "2. Learn one backend language well — 2 members" in steps  # bob (next) and cy
    assert "Phase 1 · " in fields["Finished per phase"]
    idle = fields["Not moved for 3+ weeks (2)"]
    assert "ann: step 1 How the web works" in idle and "cy: step 2" in idle
    assert "bob" not in idle

    changed = await bot.cmd("/admin settings progress.stale_weeks 5", user="mod")
    assert "progress.stale_weeks" in changed.text
    later = await bot.cmd("/admin progress", user="mod")
    assert "Not moved for 5+ weeks (0)" in {f.name for f in later.fields}
    bad = await bot.cmd("/admin settings progress.stale_weeks 0", user="mod")
    assert "Pick a number from 1 to 52" in bad.text

    one = await bot.cmd("/admin progress web basics", user="mod")
    assert one.title == "Step 1 · How the web works"
    assert "In progress: 1" in one.text and "Done: 1" in one.text and "Skipped" in one.text
    unknown = await bot.cmd("/admin progress quantum knitting", user="mod")
    assert "I don't know a step" in unknown.text
    denied = await bot.cmd("/admin progress", user="ann")
    assert "moderator" in denied.text.lower()


async def test_whole_phase_finished_is_counted_and_reset_moves_counts(bot: BotHarness) -> None:
    store = bot.services.content
    first_phase = store.phases[0]
    for step in [s for s in store.steps if s.phase == first_phase.id]:
        await bot.cmd(f"/roadmap done {step.id}", user="ann")
    report = await bot.cmd("/admin progress", user="mod")
    phases = {f.name: f.value for f in report.fields}["Finished per phase"]
    assert f"Phase 1 · {first_phase.title} — 1 member" in phases
    first_step = next(s for s in store.steps if s.phase == first_phase.id)
    await bot.cmd(f"/roadmap reset {first_step.id}", user="ann")
    report = await bot.cmd("/admin progress", user="mod")
    fields = {f.name: f.value for f in report.fields}
    assert f"Phase 1 · {first_phase.title} — 0 members" in fields["Finished per phase"]
    assert (
        f"{first_step.number}. {first_step.title} — 1 member"
        in fields["On each step (their current step)"]
    )


async def test_the_weekly_recap_names_steps_finished_this_week(bot: BotHarness) -> None:
    from tests.scheduling.helpers import runtime

    for name in ("ann", "bob", "cy"):
        await bot.cmd("/roadmap done databases", user=name)
    await bot.cmd("/roadmap done git", user="ann")
    await bot.cmd("/roadmap skip language", user="bob")  # skipped is not "finished"
    await bot.cmd("/admin post recap", user="mod")
    await runtime(bot.services).settle()
    # Badges (issue 15) may celebrate the finished steps in the channel too.
    [post] = [p for p in bot.adapter.posts() if (p.reply.title or "").startswith("Weekly recap")]
    fields = {f.name: f.value for f in post.reply.fields}
    assert fields["Roadmap"].splitlines() == [
        "- 3 members finished Databases and SQL this week",
        "- 1 member finished Git and GitHub this week",
    ]


async def test_export_progress_is_a_csv_of_step_records(bot: BotHarness) -> None:
    await bot.cmd("/roadmap done git https://github.com/ann/dots", user="ann")
    await bot.cmd("/roadmap start databases", user="bob")
    reply = await bot.cmd("/admin export progress", user="mod")
    assert reply.file is not None and reply.file.filename == "progress.csv"
    lines = reply.file.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "member,step_number,step,status,started_on,finished_on,link"
    assert len(lines) == 3
    assert any(
        line.startswith("ann,3,git,done,,") and "github.com/ann/dots" in line for line in lines
    )
    assert any(line.startswith("bob,5,databases,in progress,") for line in lines)
