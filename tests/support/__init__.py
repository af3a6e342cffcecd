"""Test support: the fake adapter, the harness and database helpers."""
