"""The Slack adapter (slack-bolt ``AsyncApp``), over Socket Mode or signed HTTP requests.

Slash commands from the registry, Block Kit replies within Slack's limits, buttons, the App
Home tab, moderators from workspace roles and user groups, paced and de-duplicated posts.
Modules: :mod:`~bot.adapters.slack.factory` (settings to adapter, HTTP route),
:mod:`~bot.adapters.slack.adapter` (lifecycle), :mod:`~bot.adapters.slack.listeners` (ack
first) and :mod:`~bot.adapters.slack.inbound` (the work after it),
:mod:`~bot.adapters.slack.render` (Block Kit), :mod:`~bot.adapters.slack.delivery`
(proactive posts), :mod:`~bot.adapters.slack.manifest` (the app manifest).
"""

from bot.adapters.slack.adapter import SlackAdapter, SlackConfig

__all__ = ["SlackAdapter", "SlackConfig"]
