"""``exchanges.sim.prices``: a seeded price process that several simulated venues share.

Two ``exchanges.sim`` venues that reference the same process (``prices: "@prices"``) see
one price path per series; each venue applies its own relative ``price_offset`` on top, so
an arbitrage between them can be rehearsed with a known, steady gap. Prices are computed
lazily when a venue asks (see :mod:`plugins.exchanges.sim._walk`): no background task, so
a rehearsal on the virtual clock costs nothing while nobody looks.
"""

from __future__ import annotations

import abc
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fortuna import Component, ComponentArgs, Duration, ExactDecimal, Interface
from plugins.exchanges.sim._walk import PricePath
from schemas import Price, money

__all__ = [
    "Drift",
    "PriceProcess",
    "SeriesSpec",
    "SimPriceProcess",
    "SimPricesArgs",
    "Step",
    "Volatility",
    "default_increment",
]

Volatility = Annotated[
    ExactDecimal,
    Field(ge=0, le=100, description="annualised volatility of the price (0.6 = 60 % a year)"),
]
Drift = Annotated[
    ExactDecimal,
    Field(ge=-100, le=100, description="annualised drift of the price (0.1 = +10 % a year)"),
]
Step = Annotated[Duration, Field(gt=0)]


def default_increment(price: Decimal) -> Decimal:
    """A walk granularity of about a millionth of ``price`` (and at least its own digits)."""
    exponent = price.as_tuple().exponent
    own = exponent if isinstance(exponent, int) else 0
    return Decimal(1).scaleb(min(own, price.adjusted() - 6))


class PriceProcess(Interface, abc.ABC):
    """A source of seeded price paths, one per series, that simulated venues share."""

    @abc.abstractmethod
    def path(self, series: str) -> PricePath:
        """The path of ``series``; ``KeyError`` when the process has no such series."""

    @abc.abstractmethod
    def series(self) -> list[str]:
        """The names of the series the process generates."""


class SeriesSpec(BaseModel):
    """One price series: where it starts and its granularity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    price: Price = Field(description="the price at the start of the run, quote per base")
    increment: Price | None = Field(
        default=None,
        description="granularity of the walk; a venue quantizes to its own tick on top "
        "(default: about a millionth of the price)",
    )

    @model_validator(mode="after")
    def _on_increment(self) -> SeriesSpec:
        if self.increment is not None and not money.is_multiple(self.price, self.increment):
            raise ValueError(
                f"the price {self.price} is not a multiple of the increment {self.increment}"
            )
        return self


class SimPricesArgs(ComponentArgs):
    series: dict[str, SeriesSpec] = Field(
        min_length=1,
        description='the series, by name (a venue market picks one with "series", default '
        'its symbol): {"BTC/USDT": {"price": 60000}}',
    )
    seed: int = Field(default=0, description="the random seed: the same seed, the same prices")
    volatility: Volatility = Field(default=Decimal("0.5"))
    drift: Drift = Field(default=Decimal(0))
    step: Step = Field(default=1.0, description='time between price moves, e.g. "1s", "250ms"')


class SimPriceProcess(Component[SimPricesArgs], PriceProcess):
    """Seeded price process (geometric integer-tick walk) shared by simulated venues."""

    _paths: dict[str, PricePath] | None = None

    async def load(self) -> None:
        self._start()

    def _start(self) -> dict[str, PricePath]:
        paths = self._paths
        if paths is None:
            args = self.args
            origin = self.clock.time()
            paths = {
                name: PricePath(
                    name=name,
                    initial=spec.price,
                    increment=spec.increment or default_increment(spec.price),
                    volatility=float(args.volatility),
                    drift=float(args.drift),
                    step=args.step,
                    seed=args.seed,
                    origin=origin,
                )
                for name, spec in args.series.items()
            }
            self._paths = paths
        return paths

    def path(self, series: str) -> PricePath:
        paths = self._start()
        try:
            return paths[series]
        except KeyError:
            raise KeyError(
                f"{self.name}: no price series {series!r} (it has {', '.join(sorted(paths))})"
            ) from None

    def series(self) -> list[str]:
        return list(self.args.series)
