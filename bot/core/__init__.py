"""Platform-neutral machinery: value types, command specs, parsing, dispatch, clock.

Nothing in this package imports a chat platform's SDK; adapters translate to and from
these types.
"""
