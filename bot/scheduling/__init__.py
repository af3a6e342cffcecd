"""Scheduled posts: APScheduler as a timer, the post ledger deciding."""
