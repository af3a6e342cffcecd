"""Loopback fakes of the chat platforms studybot talks to, for end-to-end tests."""
