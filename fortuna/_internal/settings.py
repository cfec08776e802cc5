"""Runtime settings: command-line flags over ``FORTUNA_*`` environment variables over defaults."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fortuna._internal.types import Duration

__all__ = ["Settings"]

LogLevel = Literal["debug", "info", "warning", "error", "critical"]
LogFormat = Literal["auto", "console", "json"]


class Settings(BaseSettings):
    """How ``fortuna run`` logs and stops; ``FORTUNA_LOG_LEVEL=debug`` and so on."""

    model_config = SettingsConfigDict(env_prefix="FORTUNA_", extra="ignore", frozen=True)

    log_level: LogLevel = Field(default="info", description="the lowest level logged")
    log_format: LogFormat = Field(
        default="auto",
        description="console (for people), json (for machines), auto: console on a terminal",
    )
    unload_timeout: Duration = Field(
        default=10.0, description="how long one component may take to unload"
    )
    force_unload_timeout: Duration = Field(
        default=1.0, description="the same after a second signal forced the stop"
    )

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @classmethod
    def resolve(cls, **flags: Any) -> Settings:
        """Settings from flags (``None`` means not given), then the environment, then defaults."""
        return cls(**{key: value for key, value in flags.items() if value is not None})
