"""Runtime settings: command-line flags over ``FORTUNA_*`` environment variables over defaults."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
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

    http: str | None = Field(
        default=None,
        description="HOST:PORT to serve /healthz, /readyz and /metrics on; off when unset",
    )
    lease: SecretStr | None = Field(
        default=None,
        description="PostgreSQL DSN of the lease that keeps one runner per mandate; off when "
        "unset",
    )
    lease_key: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="the mandate's identity in the lease table (default: the file's name "
        "without .yaml)",
    )
    lease_ttl: Annotated[Duration, Field(ge=0.5, le=3600)] = Field(
        default=15.0,
        description="a lease not renewed for this long may be taken over; renewed every third",
    )
    lease_wait: bool = Field(
        default=False, description="wait for a held lease instead of refusing to start"
    )

    @field_validator("http")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None:
            from fortuna._internal.status import parse_address

            parse_address(value)
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @classmethod
    def resolve(cls, **flags: Any) -> Settings:
        """Settings from flags (``None`` means not given), then the environment, then defaults."""
        return cls(**{key: value for key, value in flags.items() if value is not None})
