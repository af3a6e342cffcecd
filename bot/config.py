"""Process settings from the environment (and an optional ``.env`` file).

Platform secrets keep the names people already know (``DATABASE_URL``, ``DISCORD_TOKEN``,
``SLACK_BOT_TOKEN``, ``SLACK_APP_TOKEN``, ``SLACK_SIGNING_SECRET``); everything else is
``STUDYBOT_…``. Secrets are :class:`~pydantic.SecretStr`, so they never print in logs or
reprs. Per-group settings that moderators change from chat live in the database instead.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.resources import content_dir

# The source checkout's root (only meaningful there; tests read repository files from it).
PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_CONTENT_DIR = content_dir()


class AdapterChoice(StrEnum):
    """Which adapters ``studybot run`` starts."""

    AUTO = "auto"
    CONSOLE = "console"
    DISCORD = "discord"
    SLACK = "slack"
    ALL = "all"


class LogFormat(StrEnum):
    """How log lines are written."""

    TEXT = "text"
    JSON = "json"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, f"STUDYBOT_{name}")


class Settings(BaseSettings):
    """Every setting studybot reads; the README's settings table documents each one."""

    model_config = SettingsConfigDict(
        env_prefix="STUDYBOT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(Path("data"), description="Folder for the SQLite file and backups.")
    database_url_override: str | None = Field(
        None,
        validation_alias=_env("DATABASE_URL"),
        description="SQLAlchemy URL; default is SQLite in the data folder.",
    )
    content_dir: Path = Field(BUNDLED_CONTENT_DIR, description="Folder of content YAML files.")
    auto_migrate: bool = Field(True, description="Apply pending migrations on `studybot run`.")
    log_level: str = Field("INFO", description="Logging level name.")
    log_format: LogFormat = Field(LogFormat.TEXT, description="`text` or `json` log lines.")
    http_port: int | None = Field(
        None, description="Port for /healthz, /readyz, /metrics and Slack HTTP mode."
    )
    # Loopback unless told: a laptop run must not expose /metrics or the dashboard to the
    # network. The container images set 0.0.0.0, where the port is published on purpose.
    http_host: str = Field("127.0.0.1", description="Interface the HTTP server binds to.")
    default_timezone: str = Field("UTC", description="Timezone of a new group.")
    instance_id: str | None = Field(None, description="Name of this process in the post ledger.")
    shutdown_timeout: float = Field(20.0, description="Seconds to finish in-flight work on stop.")
    inbox_lease: float = Field(
        30.0,
        gt=0,
        description="Seconds a stored command belongs to the process that took it; after a "
        "crash the next start (or another instance) finishes it once this has passed.",
    )
    inbox_sweep_interval: float = Field(
        10.0, gt=0, description="Seconds between looks for stored commands left unfinished."
    )

    console_user: str = Field("you", description="The console's default member name.")

    dashboard: bool = Field(False, description="Serve the moderator web dashboard.")
    dashboard_url: str | None = Field(
        None, description="Public base URL of the dashboard, used in sign-in links."
    )
    dashboard_secret: SecretStr | None = Field(
        None, description="Key that signs sign-in links (default: one kept in the database)."
    )

    discord_token: SecretStr | None = Field(None, validation_alias=_env("DISCORD_TOKEN"))
    discord_api_base_url: str = Field(
        "https://discord.com/api/v10", validation_alias=_env("DISCORD_API_BASE_URL")
    )
    discord_gateway_url: str = Field(
        "wss://gateway.discord.gg/", validation_alias=_env("DISCORD_GATEWAY_URL")
    )
    discord_application_id: str | None = Field(None, description="Application id for invite URLs.")
    discord_shards: int | None = Field(None, description="Total shard count (several processes).")
    discord_shard_ids: str | None = Field(None, description="Comma-separated shard ids to run.")

    slack_bot_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_app_token: SecretStr | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))
    slack_moderators: str = Field(
        "", description="Comma-separated Slack user ids or user-group ids allowed to moderate."
    )

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        return value.upper()

    @property
    def database_url(self) -> str:
        """The database URL in use: ``DATABASE_URL`` or SQLite under ``data_dir``."""
        if self.database_url_override:
            return self.database_url_override
        return f"sqlite+aiosqlite:///{(self.data_dir / 'studybot.db').as_posix()}"

    @property
    def discord_configured(self) -> bool:
        """Whether a Discord token is set."""
        return self.discord_token is not None and bool(self.discord_token.get_secret_value())

    @property
    def slack_configured(self) -> bool:
        """Whether Slack can start (a bot token plus an app token or signing secret)."""
        return self.slack_bot_token is not None and (
            self.slack_app_token is not None or self.slack_signing_secret is not None
        )


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword overrides win (tests use them)."""
    return Settings(**overrides)  # type: ignore[arg-type]
