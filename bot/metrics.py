"""Prometheus metrics of the process (served on ``/metrics`` when the HTTP port is set)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

COMMANDS = Counter(
    "studybot_commands_total",
    "Commands and button presses handled, by name and outcome.",
    ["command", "outcome"],
    registry=REGISTRY,
)
COMMAND_SECONDS = Histogram(
    "studybot_command_seconds",
    "Time from dispatch to reply, by command.",
    ["command"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
CHECKINS = Counter(
    "studybot_checkins_total", "Check-ins counted (first of the day).", registry=REGISTRY
)
POSTS = Counter(
    "studybot_posts_total",
    "Scheduled posts by kind and result (sent, failed, late).",
    ["kind", "result"],
    registry=REGISTRY,
)
SCHEDULER_LATENESS = Histogram(
    "studybot_scheduler_lateness_seconds",
    "How late a scheduled job started after its planned time.",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300),
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "studybot_platform_rate_limited_total",
    "429 responses from a platform.",
    ["platform"],
    registry=REGISTRY,
)
EVENT_LOOP_LAG = Gauge(
    "studybot_event_loop_lag_seconds",
    "How late the last event-loop probe woke up.",
    registry=REGISTRY,
)
