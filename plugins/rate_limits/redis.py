"""``rate_limits.redis``: one token bucket per API key in Redis, shared by every process.

Why a token bucket in one Lua script. The bucket of a key holds at most ``burst`` tokens
and gains ``rate`` a second; a request takes one. Reading the bucket, refilling it and
taking the token happen in one script, which Redis runs atomically, so two processes can
never both take the last token. The refill is computed on Redis's clock (``TIME``), the
one clock every process shares, so the machines' clocks need not agree. Over any window of
``t`` seconds the key's requests therefore never exceed ``burst + rate * t``, however many
processes share it.

A caller that finds the bucket empty is told how long until a token is due and sleeps that
long on the graph's clock, then asks again; nothing is queued in Redis, so a process that
dies holds nothing. The bucket's key expires once it would be full anyway.

When Redis cannot be reached, ``acquire`` raises ``schemas.ExchangeUnavailable`` (a
retryable venue error): no request goes out uncounted, and reads are retried by the venue
with backoff as after any outage. The keys are ``<prefix><venue>:<hash of the API key>``
(:func:`schemas.limits.key_identity`): never the key itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, SecretStr

from fortuna import Component, ComponentArgs, Duration
from schemas import ExchangeUnavailable
from schemas.limits import RateBudget

__all__ = ["RedisBudget", "RedisBudgetArgs"]

TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
else
  wait = (cost - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.9f', tokens),
           'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {string.format('%.6f', wait), string.format('%.6f', now)}
"""


class RedisBudgetArgs(ComponentArgs):
    url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"),
        description='the Redis server, e.g. "redis://127.0.0.1:6379/0" or `!env REDIS_URL` '
        "(it may hold a password)",
    )
    rate: Annotated[float, Field(gt=0, le=1_000_000)] = Field(
        description="requests a second the key may send, all processes together, e.g. 20"
    )
    burst: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        default=1,
        description="requests that may go out at once after a quiet spell (the bucket's size)",
    )
    prefix: str = Field(
        default="fortuna:rate:", min_length=1, max_length=100,
        description="prefix of the bucket keys in Redis",
    )
    timeout: Annotated[Duration, Field(gt=0, le=60)] = Field(
        default=2.0, description='how long to wait for Redis, e.g. "2s", before the request '
        "fails as the venue being unavailable",
    )


class RedisBudget(Component[RedisBudgetArgs], RateBudget):
    """A request budget per API key in Redis (token bucket), shared across processes."""

    _client: Any = None
    _script: Any = None
    waits = 0
    """Times a caller found the bucket empty and waited."""
    server_time: float | None = None
    """Redis's clock (Unix seconds) at the last attempt: when the last grant was made."""

    async def load(self) -> None:
        import redis.asyncio as aioredis

        args = self.args
        self._client = aioredis.Redis.from_url(
            args.url.get_secret_value(), socket_timeout=args.timeout,
            socket_connect_timeout=args.timeout)
        self._script = self._client.register_script(TOKEN_BUCKET)
        try:
            await self._client.ping()
        except Exception as error:
            await self._client.aclose()
            self._client = None
            raise ConnectionError(f"Redis unreachable: {type(error).__name__}") from None

    async def unload(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def take(self, key: str, cost: int = 1) -> float:
        """One attempt: 0 if ``cost`` tokens were taken, else the seconds until they are due."""
        if self._script is None:
            raise RuntimeError(f"{self.name}: not loaded")
        args = self.args
        try:
            wait, now = await self._script(keys=[args.prefix + key],
                                           args=[repr(args.rate), args.burst, cost])
        except Exception as error:
            raise ExchangeUnavailable(
                f"rate budget {self.name}: Redis did not answer ({type(error).__name__})"
            ) from None
        self.server_time = float(now)
        return float(wait)

    async def acquire(self, key: str, cost: int = 1) -> None:
        if cost > self.args.burst:
            raise ValueError(f"a request of cost {cost} never fits a bucket of {self.args.burst}")
        while (wait := await self.take(key, cost)) > 0:
            self.waits += 1
            await self.clock.sleep(wait)
