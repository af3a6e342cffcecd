"""End-to-end and unit tests of the Slack adapter against the loopback fake Slack."""
