"""The args of ``exchanges.sim``: markets, balances, the synthetic market, latency, faults."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fortuna import ComponentArgs, Duration, ExactDecimal
from plugins.exchanges.sim.prices import Drift, PriceProcess, Step, Volatility
from schemas import Amount, Fee, NonNegativeAmount, Price, Rate, Symbol, money

__all__ = ["Outage", "SimArgs", "SimFaults", "SimMarketSpec"]

_SPEC = ConfigDict(frozen=True, extra="forbid")
Probability = Annotated[ExactDecimal, Field(ge=0, le=1)]
Fraction = Annotated[ExactDecimal, Field(ge=0, lt=1)]


class SimMarketSpec(BaseModel):
    """One market of the simulated venue: its rules, fees and synthetic liquidity."""

    model_config = _SPEC

    symbol: Symbol = Field(description="the market, 'BASE/QUOTE'")
    price: Price | None = Field(
        default=None,
        description="the initial price; required unless the venue takes a shared `prices` "
        "process (then the series' price is used)",
    )
    series: str | None = Field(
        default=None,
        description="the series of the shared price process to follow (default: the symbol)",
    )
    price_increment: Price = Field(
        default=Decimal("0.01"), description="tick size: order prices must be multiples of it"
    )
    amount_increment: Amount = Field(
        default=Decimal("0.0001"), description="step size: order amounts must be multiples of it"
    )
    min_amount: NonNegativeAmount = Field(
        default=Decimal(0), description="smallest order amount in base currency"
    )
    max_amount: Amount | None = Field(
        default=None, description="largest order amount in base currency, if limited"
    )
    min_notional: NonNegativeAmount | None = Field(
        default=None, description="smallest order value (amount * price) in quote currency"
    )
    maker_fee: Fee = Field(default=Decimal("0.001"), description="fee rate of resting fills")
    taker_fee: Fee = Field(default=Decimal("0.001"), description="fee rate of aggressive fills")
    fee_currency: str | None = Field(
        default=None, min_length=1,
        description="a third currency fees are paid in while the account holds enough of "
        "it (a venue token, e.g. 'BNB'), valued at fee_price; otherwise, and by default, "
        "fees are charged in the quote currency",
    )
    fee_price: Price | None = Field(
        default=None,
        description="quote currency per unit of fee_currency, to value fees paid in it "
        "(e.g. 600 for BNB in USDT); required with fee_currency",
    )
    level_amount: Amount = Field(
        default=Decimal(1), description="base amount on each level of the synthetic book"
    )
    trade_amount: Amount | None = Field(
        default=None,
        description="mean size of a synthetic public trade in base (default: half a level)",
    )

    @model_validator(mode="after")
    def _price_on_tick(self) -> SimMarketSpec:
        if self.price is not None and not money.is_multiple(self.price, self.price_increment):
            raise ValueError(
                f"{self.symbol}: the initial price {self.price} is not a multiple of the "
                f"price increment {self.price_increment}"
            )
        if self.fee_currency is not None:
            if self.fee_currency in (self.symbol.base, self.symbol.quote):
                raise ValueError(
                    f"{self.symbol}: fee_currency {self.fee_currency} is the base or quote "
                    f"currency; fees are in the quote currency by default, leave it out"
                )
            if self.fee_price is None:
                raise ValueError(
                    f"{self.symbol}: fee_currency {self.fee_currency} needs fee_price, its "
                    f"price in {self.symbol.quote}"
                )
        elif self.fee_price is not None:
            raise ValueError(f"{self.symbol}: fee_price is only used with fee_currency")
        return self


class Outage(BaseModel):
    """A window during which every call fails with ``ExchangeUnavailable``."""

    model_config = _SPEC

    start: Duration = Field(description='when it begins, after the venue loads, e.g. "10m"')
    duration: Annotated[Duration, Field(gt=0)] = Field(description='how long, e.g. "30s"')


class SimFaults(BaseModel):
    """Injected failures, seeded like everything else, for reliability rehearsals."""

    model_config = _SPEC

    error_rate: Probability = Field(
        default=Decimal(0), description="fraction of calls failing with NetworkError"
    )
    timeout_rate: Probability = Field(
        default=Decimal(0),
        description="fraction of calls failing with RequestTimeout; half of the timed-out "
        "order placements and cancels took effect anyway, as on a real venue",
    )
    timeout: Duration = Field(
        default=10.0, description="how long a timed-out call waits before it fails"
    )
    outages: list[Outage] = Field(
        default_factory=list, description="windows during which the venue is unavailable"
    )
    rate_limit: int | None = Field(
        default=None, ge=1,
        description="calls per second the venue answers; more fail with RateLimited "
        "(with retry_after), like an exchange's request weight limit",
    )

    @model_validator(mode="after")
    def _rates(self) -> SimFaults:
        if self.error_rate + self.timeout_rate > 1:
            raise ValueError(
                f"error_rate {self.error_rate} + timeout_rate {self.timeout_rate} exceeds 1"
            )
        return self

    @property
    def active(self) -> bool:
        return bool(
            self.error_rate or self.timeout_rate or self.outages or self.rate_limit is not None
        )


class SimArgs(ComponentArgs):
    venue: str = Field(default="sim", min_length=1, description="the venue's name")
    markets: list[SimMarketSpec] = Field(
        min_length=1, description="the markets the venue lists"
    )
    balances: dict[str, NonNegativeAmount] = Field(
        default_factory=dict,
        description='starting balances by currency: {"USDT": 100000, "BTC": 2}',
    )
    seed: int = Field(
        default=0, description="random seed of prices, trades and faults: same seed, same run"
    )
    prices: PriceProcess | None = Field(
        default=None,
        description='a shared price process ("@prices", exchanges.sim.prices); without one '
        "the venue walks its own prices from each market's `price`",
    )
    price_offset: Rate = Field(
        default=Decimal(0),
        description="relative offset on the price process (0.002 = this venue quotes 0.2 % "
        "higher): two venues on one process with different offsets make an arbitrage",
    )
    volatility: Volatility = Field(
        default=Decimal("0.5"), description="annualised volatility of the venue's own prices"
    )
    drift: Drift = Field(
        default=Decimal(0), description="annualised drift of the venue's own prices"
    )
    step: Step = Field(default=1.0, description='time between price moves of the venue\'s own '
                       'prices, e.g. "1s"')
    spread: Fraction = Field(
        default=Decimal("0.001"),
        description="relative spread of the synthetic book around the mid (0.001 = 0.1 %)",
    )
    depth: int = Field(default=10, ge=1, le=1000, description="synthetic levels on each side")
    level_spacing: Annotated[ExactDecimal, Field(ge=0, lt=1)] = Field(
        default=Decimal("0.0005"),
        description="relative distance between synthetic levels (at least one tick)",
    )
    trade_rate: Annotated[ExactDecimal, Field(ge=0)] = Field(
        default=Decimal("0.5"),
        description="synthetic public trades per second on each market (Poisson arrivals); "
        "they fill the mandate's resting orders they reach",
    )
    latency: Duration = Field(default=0.0, description='delay of every call, e.g. "50ms"')
    latency_jitter: Duration = Field(
        default=0.0, description="extra random delay, uniform between zero and this"
    )
    order_latency: Duration = Field(
        default=0.0,
        description='extra delay of order placements and cancels, e.g. "200ms": they take '
        "effect this long after the call's latency, on the clock, while the market moves",
    )
    queue_ahead: Annotated[ExactDecimal, Field(ge=0, le=1)] = Field(
        default=Decimal(1),
        description="share of the synthetic amount displayed at a resting order's price "
        "that is ahead of it in the queue: 1 = behind all of it (the default), 0 = first",
    )
    faults: SimFaults = Field(default_factory=SimFaults, description="injected failures")
    history: int = Field(
        default=10_000, ge=1, description="closed orders, fills and public trades kept per venue"
    )
    stream: bool = Field(
        default=False,
        description="push updates (book, trades, the account's orders and fills) as a "
        "streaming venue does, so a market_making requote_on rehearses on the clock",
    )
    stream_interval: Annotated[Duration, Field(gt=0, le=60)] = Field(
        default=0.1, description='how often the pushed market is replayed, e.g. "100ms"'
    )

    @model_validator(mode="after")
    def _markets(self) -> SimArgs:
        symbols = [m.symbol for m in self.markets]
        duplicates = sorted({s for s in symbols if symbols.count(s) > 1})
        if duplicates:
            raise ValueError(f"markets listed more than once: {', '.join(duplicates)}")
        if self.prices is None:
            missing = [str(m.symbol) for m in self.markets if m.price is None]
            if missing:
                raise ValueError(
                    f"markets {', '.join(missing)} need an initial `price` (or give the venue "
                    "a shared `prices` process)"
                )
        return self
