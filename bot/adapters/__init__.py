"""Adapters: translate between a chat platform and the platform-neutral core."""
