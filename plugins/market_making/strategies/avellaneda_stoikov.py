"""``market_making.strategies.avellaneda_stoikov``: inventory-aware optimal spread
(reservation price and spread from risk aversion, liquidity and volatility).

The model (Avellaneda and Stoikov, 2008), with a rolling horizon ``tau`` (``horizon``, s):

- reservation price ``r = s - q * gamma * sigma^2 * tau``: ``s`` the reference, ``q``
  inventory minus ``target`` (base), ``gamma`` ``risk_aversion``, ``sigma`` ``volatility``
  (quote per base per sqrt second: the standard deviation of the price's change over 1 s);
- optimal spread ``delta = gamma * sigma^2 * tau + (2 / gamma) * ln(1 + gamma / kappa)``:
  ``kappa`` ``liquidity`` (per quote-per-base: how fast fills thin out away from the mid);
- quotes ``r - delta/2`` and ``r + delta/2``, ``delta`` held between ``min_spread`` and
  ``max_spread`` (fractions of ``s``).

Estimates. ``sigma`` comes from a ``candles`` feed when one is given:
``sigma^2 = mean((c[i] - c[i-1])^2) / dt`` over the closes of the last ``window`` candles,
``dt`` their spacing in seconds. ``kappa`` comes from an ``order_book`` feed when one is
given: ``kappa = 1 / d_mean``, ``d_mean`` the amount-weighted mean distance from the mid of
the first ``book_levels`` levels a side (the maximum-likelihood fit of an exponential depth
profile). Each estimate is logged with its inputs whenever the feed brings a new reading.
All of it is Decimal, in the one context of
:mod:`plugins.market_making.strategies._model_math`.

Warm-up: while a feed has no fresh reading, fewer than three candles or closes that never
moved (no information, not a volatility of zero), the given
``volatility`` / ``liquidity`` are used (and logged as ``warm-up``): the strategy quotes from
the first tick, never waits "calculating". Without feeds the given values are used always.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, NamedTuple, Self

from pydantic import Field, model_validator

from fortuna import Component, ComponentArgs, Duration, ExactDecimal
from plugins.market_making.strategies._args import Fraction, PositiveDecimal
from plugins.market_making.strategies._model_math import (
    MODEL,
    ModelMathError,
    ln,
    mean_square_step,
    product,
    quotient,
    sqrt,
)
from schemas import OrderBook, Side, money
from schemas.feeds import CandlesFeed, FeedUnavailable, OrderBookFeed
from schemas.market_making import DesiredQuote, QuoteContext, Strategy

__all__ = ["AvellanedaStoikovArgs", "AvellanedaStoikovStrategy", "Estimate", "ModelQuote"]

_TWO = Decimal(2)
_ONE = Decimal(1)
_MICROSECOND = timedelta(microseconds=1)


class AvellanedaStoikovArgs(ComponentArgs):
    risk_aversion: PositiveDecimal = Field(
        description="gamma: how strongly inventory is penalised; higher skews quotes harder "
        "against inventory and widens them with volatility (per quote currency)"
    )
    volatility: PositiveDecimal = Field(
        description="sigma, quote per base per sqrt second: the volatility used when no "
        "candles feed is given, and during warm-up when one is"
    )
    liquidity: PositiveDecimal = Field(
        description="kappa, per quote-per-base: the order-book liquidity used when no order_book "
        "feed is given, and during warm-up when one is (larger: tighter quotes)"
    )
    horizon: Annotated[Duration, Field(gt=0)] = Field(
        description='tau: the rolling horizon inventory risk is priced over, e.g. "5m"'
    )
    amount: PositiveDecimal = Field(description="size of each quote, in base currency")
    target: Annotated[ExactDecimal, Field(ge=0)] = Field(
        default=Decimal(0), description="the base inventory the mandate aims to hold (q = 0)"
    )
    min_spread: Fraction = Field(
        default=Decimal(0), description="narrowest full spread, as a fraction of the reference"
    )
    max_spread: Annotated[ExactDecimal, Field(gt=0, le=1)] = Field(
        description="widest full spread, as a fraction of the reference (0.02 = 2 %)"
    )
    candles: CandlesFeed | None = Field(
        default=None, description="a listeners.ohlcv to estimate volatility from (closes)"
    )
    window: int = Field(default=30, ge=3, le=10_000,
                        description="how many of the latest candles the volatility is taken over")
    order_book: OrderBookFeed | None = Field(
        default=None, description="a listeners.order_book to estimate liquidity from"
    )
    book_levels: int = Field(default=10, ge=1, le=1000,
                             description="levels a side the liquidity is estimated over")

    @model_validator(mode="after")
    def _bounds_ordered(self) -> Self:
        if self.min_spread > self.max_spread:
            raise ValueError(f"min_spread {self.min_spread} is above max_spread {self.max_spread}")
        return self


class Estimate(NamedTuple):
    """A model input, where it came from (given, warm-up, candles, order book), and from what."""

    value: Decimal
    source: str
    inputs: str = ""


class ModelQuote(NamedTuple):
    reservation: Decimal
    spread: Decimal
    bid: Decimal
    ask: Decimal


class AvellanedaStoikovStrategy(Component[AvellanedaStoikovArgs], Strategy):
    """Quotes around an inventory-adjusted reservation price at the A-S optimal spread."""

    _sigma: Estimate | None = None
    _sigma_seen: int | None = None
    _kappa: Estimate | None = None
    _kappa_seen: int | None = None

    # --- estimates ------------------------------------------------------------------

    def volatility(self) -> Estimate:
        """sigma now: from the candles feed, or the given value (warm-up / no feed)."""
        args = self.args
        if args.candles is None:
            return Estimate(args.volatility, "given")
        try:
            reading = args.candles.reading()
        except FeedUnavailable:
            return self._settle("volatility", Estimate(args.volatility, "warm-up",
                                                       "no fresh candles"), None)
        if reading.sequence == self._sigma_seen and self._sigma is not None:
            return self._sigma
        candles = list(reading.value)[-args.window:]
        estimate = Estimate(args.volatility, "warm-up", f"{len(candles)} candles (need 3)")
        if len(candles) >= 3:
            span = (candles[-1].timestamp - candles[0].timestamp) // _MICROSECOND
            spacing = quotient(Decimal(span).scaleb(-6), Decimal(len(candles) - 1))
            if spacing > 0:
                variance = quotient(mean_square_step([c.close for c in candles]), spacing)
                estimate = Estimate(args.volatility, "warm-up",
                                    f"{len(candles)} closes did not move") if variance == 0 \
                    else Estimate(
                    sqrt(variance), "candles",
                    f"{len(candles)} closes {candles[0].close}..{candles[-1].close} from "
                    f"{candles[0].timestamp.isoformat()} to {candles[-1].timestamp.isoformat()}, "
                    f"{spacing.normalize():f} s apart",
                )
        return self._settle("volatility", estimate, reading.sequence)

    def liquidity(self) -> Estimate:
        """kappa now: from the order-book feed, or the given value (warm-up / no feed)."""
        args = self.args
        if args.order_book is None:
            return Estimate(args.liquidity, "given")
        try:
            reading = args.order_book.reading()
        except FeedUnavailable:
            return self._settle("liquidity", Estimate(args.liquidity, "warm-up",
                                                      "no fresh book"), None)
        if reading.sequence == self._kappa_seen and self._kappa is not None:
            return self._kappa
        estimate = self._book_liquidity(reading.value)
        return self._settle("liquidity", estimate, reading.sequence)

    def _book_liquidity(self, book: OrderBook) -> Estimate:
        levels = self.args.book_levels
        bids, asks = book.bids[:levels], book.asks[:levels]
        if not bids or not asks:
            return Estimate(self.args.liquidity, "warm-up", "one side of the book is empty")
        middle = money.mid(bids[0].price, asks[0].price)
        weighted = money.total(money.multiply(abs(money.subtract(level.price, middle)),
                                              level.amount) for level in bids + asks)
        volume = money.total(level.amount for level in bids + asks)
        if weighted <= 0 or volume <= 0:
            return Estimate(self.args.liquidity, "warm-up", "book has no depth off the mid")
        mean_distance = quotient(weighted, volume)
        return Estimate(quotient(_ONE, mean_distance), "order book",
                        f"{len(bids)}+{len(asks)} levels around mid {middle}, amount "
                        f"{volume}, mean distance {mean_distance}")

    def _settle(self, name: str, estimate: Estimate, sequence: int | None) -> Estimate:
        previous = self._sigma if name == "volatility" else self._kappa
        if previous != estimate:
            self.log.info(f"{name} estimate", value=estimate.value, source=estimate.source,
                          inputs=estimate.inputs)
        if name == "volatility":
            self._sigma, self._sigma_seen = estimate, sequence
        else:
            self._kappa, self._kappa_seen = estimate, sequence
        return estimate

    # --- the model ------------------------------------------------------------------

    def model(self, reference: Decimal, inventory: Decimal | None) -> ModelQuote:
        """Reservation price, spread and the two quote prices for ``inventory`` (base held;
        None: taken as the target)."""
        args = self.args
        gamma = args.risk_aversion
        sigma = self.volatility().value
        kappa = self.liquidity().value
        q = Decimal(0) if inventory is None else money.subtract(inventory, args.target)
        # tau: the horizon's seconds as written (a Duration is parsed to a float; its
        # shortest repr is the operator's figure, e.g. 300.0 or 0.5).
        risk = product(gamma, sigma, sigma, Decimal(repr(args.horizon)))
        reservation = MODEL.subtract(reference, product(q, risk))
        spread = MODEL.add(risk, product(quotient(_TWO, gamma),
                                         ln(MODEL.add(_ONE, quotient(gamma, kappa)))))
        spread = min(max(spread, product(args.min_spread, reference)),
                     product(args.max_spread, reference))
        half = quotient(spread, _TWO)
        return ModelQuote(reservation, spread, MODEL.subtract(reservation, half),
                          MODEL.add(reservation, half))

    def quotes(self, context: QuoteContext) -> list[DesiredQuote]:
        try:
            model = self.model(context.reference, context.inventory())
        except ModelMathError as exc:
            self.log.warning("model out of its domain: no quotes", error=str(exc))
            return []
        amount = self.args.amount
        return [DesiredQuote(Side.BUY, model.bid, amount, "as:bid"),
                DesiredQuote(Side.SELL, model.ask, amount, "as:ask")]
