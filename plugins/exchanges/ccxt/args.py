"""The args every ``exchanges.ccxt.<id>`` component takes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, SecretStr

from fortuna import ComponentArgs, Duration
from plugins.exchanges.ccxt.streams.settings import StreamSettings
from schemas import Symbol
from schemas.limits import RateBudget

__all__ = ["CcxtArgs"]


class CcxtArgs(ComponentArgs):
    api_key: SecretStr | None = Field(
        default=None, description="API key, typically `!env BINANCE_API_KEY`"
    )
    secret: SecretStr | None = Field(
        default=None, description="API secret, typically `!env BINANCE_SECRET`"
    )
    password: SecretStr | None = Field(
        default=None, description="API passphrase, for venues that have one (okx, kucoin ...)"
    )
    uid: SecretStr | None = Field(
        default=None, description="account or user id, for venues that sign with one"
    )
    sandbox: bool = Field(
        default=False, description="use the venue's testnet / sandbox endpoints"
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="ccxt `options` passed through (merged over the tuned venue's defaults)",
    )
    enable_rate_limit: bool = Field(
        default=True, description="let ccxt space requests by the venue's rate limit"
    )
    rate_limit: Duration | None = Field(
        default=None,
        description="minimum time between requests, overriding ccxt's value for the venue",
    )
    timeout: Duration = Field(default=10.0, description="timeout of one HTTP request")
    retries: int = Field(
        default=3, ge=0, le=10,
        description="retries of a read after a retryable error (never of an order creation)",
    )
    retry_backoff: Duration = Field(
        default=0.5, description="wait before the first retry; doubles on each next one"
    )
    client_order_id_prefix: str = Field(
        default="fortuna", min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$",
        description="prefix of the client order ids generated for orders that have none",
    )
    remembered_client_ids: int = Field(
        default=10_000, ge=1, le=1_000_000,
        description="client order ids of this session's orders remembered, to restore them "
        "on orders and fills a venue reports without (least recently used forgotten first)",
    )
    symbols: list[Symbol] = Field(
        default_factory=list,
        description="markets to cover when an all-markets call is emulated per symbol "
        "(besides those this component traded)",
    )
    rate_budget: RateBudget | None = Field(
        default=None,
        description='a request budget shared with every process using the same API key '
        '(rate_limits.redis), e.g. "@binance_budget"; every REST request takes one from it '
        '(after ccxt\'s own pacing, which it turns on)',
    )
    api_url: str | None = Field(
        default=None, pattern=r"^https?://[^/]+/?$",
        description="send every REST call to this origin instead of the venue's, paths kept "
        "(a relay, or a local stand-in in tests)",
    )
    stream: StreamSettings = Field(
        default_factory=StreamSettings,
        description="which data comes from the venue's websocket streams instead of REST "
        "(order_book, trades, ticker, orders), with REST as the fallback; see docs/streams.md",
    )

    def ccxt_config(self, default_options: Mapping[str, Any]) -> dict[str, Any]:
        """The ccxt constructor's config: ``options`` over a venue's ``default_options``,
        the rate limit and timeout in ccxt's milliseconds, the credentials revealed only
        here, into ccxt."""
        config: dict[str, Any] = {
            # a shared budget is taken in ccxt's throttle, which runs only when enabled
            "enableRateLimit": self.enable_rate_limit or self.rate_budget is not None,
            "timeout": int(self.timeout * 1000),
            "options": {**default_options, **self.options},
        }
        if self.rate_limit is not None:
            config["rateLimit"] = self.rate_limit * 1000
        for key, secret in (("apiKey", self.api_key), ("secret", self.secret),
                            ("password", self.password), ("uid", self.uid)):
            if secret is not None:
                config[key] = secret.get_secret_value()
        return config
