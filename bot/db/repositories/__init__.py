"""Repositories: every query the features need, grouped by table family."""
