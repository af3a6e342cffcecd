"""The process's HTTP server: health, readiness, metrics, and Slack's HTTP mode."""
