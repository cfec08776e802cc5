"""The simulated venue's core: loading its markets, engines and account, and what every
call does first (latency, faults, the market replayed to now), plus the venue's metadata.

Why on its own: :class:`~plugins.exchanges.sim.venue.SimExchange` is assembled from this
core and two families of answers, market data (:mod:`plugins.exchanges.sim._market_data`)
and the account and its orders (:mod:`plugins.exchanges.sim._orders`); both go through
:meth:`SimVenueCore._begin` so that every call costs the same latency, may fail the same
way and sees the same replayed market, whichever family it belongs to.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import Decimal

from fortuna import Component
from plugins.exchanges.sim._account import Account
from plugins.exchanges.sim._args import SimArgs
from plugins.exchanges.sim._engine import MarketEngine
from plugins.exchanges.sim._faults import TIMEOUT, Faults
from plugins.exchanges.sim._ledger import Ledger
from plugins.exchanges.sim._replay_engine import ReplayEngine
from plugins.exchanges.sim._synthetic import MarketSetup, SyntheticParams
from plugins.exchanges.sim._walk import PricePath
from plugins.exchanges.sim.recording import RecordedTrade
from schemas import (
    BadSymbol,
    Exchange,
    ExchangeUnavailable,
    Market,
    OrderRequest,
    OrderType,
    RequestTimeout,
    money,
)

__all__ = ["SimVenueCore"]


def _tape(prices: object, series: str) -> list[RecordedTrade] | None:
    """The recorded trades of ``series`` when the venue replays recorded data."""
    from plugins.exchanges.sim.replay import RecordedPrices

    return prices.tape(series) if isinstance(prices, RecordedPrices) else None

_TWO = Decimal(2)


class SimVenueCore(Component[SimArgs], Exchange):
    """The simulated venue's state and the steps every call takes (not a component alone)."""

    _engines: dict[str, MarketEngine]
    _engine_list: list[MarketEngine]
    _markets: dict[str, Market]
    _account: Account
    _faults: Faults | None
    _latency: float
    _order_latency: float
    _jitter: float

    # --- lifecycle --------------------------------------------------------------------------

    async def load(self) -> None:
        args = self.args
        now = self.clock.time()
        params = SyntheticParams(
            spread=args.spread, depth=args.depth, level_spacing=args.level_spacing,
            trade_rate=args.trade_rate,
        )
        currencies: dict[str, None] = {}
        markets: dict[str, Market] = {}
        for spec in args.markets:
            market = Market(
                symbol=spec.symbol,
                price_increment=spec.price_increment,
                amount_increment=spec.amount_increment,
                min_amount=spec.min_amount,
                max_amount=spec.max_amount,
                min_notional=spec.min_notional,
                maker_fee=spec.maker_fee,
                taker_fee=spec.taker_fee,
            )
            markets[str(spec.symbol)] = market
            currencies[market.base] = None
            currencies[market.quote] = None
            if spec.fee_currency is not None:
                currencies[spec.fee_currency] = None
        ledger = Ledger(args.venue, dict(args.balances), currencies)
        account = Account(args.venue, ledger, args.history)
        for spec in args.markets:
            if spec.fee_currency is not None and spec.fee_price is not None:
                account.fee_tokens[str(spec.symbol)] = (spec.fee_currency, spec.fee_price)
        own_paths: dict[str, PricePath] = {}
        engines: dict[str, MarketEngine] = {}
        for spec in args.markets:
            series = spec.series or str(spec.symbol)
            path = self._path(series, spec.price, spec.price_increment, own_paths, now)
            trade_amount = spec.trade_amount or money.divide_exact(spec.level_amount, _TWO)
            tape = _tape(args.prices, series)
            setup = MarketSetup(
                market=markets[str(spec.symbol)], path=path, offset=args.price_offset,
                params=params, level_amount=spec.level_amount, trade_amount=trade_amount,
                seed=args.seed, venue=args.venue, history=args.history,
            )
            engines[str(spec.symbol)] = (MarketEngine if tape is None else ReplayEngine)(
                setup, account, args.queue_ahead
            )
            if tape is not None:  # recorded trades instead of random arrivals
                engine = engines[str(spec.symbol)]
                assert isinstance(engine, ReplayEngine)
                engine.load_tape(tape)
        self._markets = markets
        self._engines = engines
        self._engine_list = list(engines.values())
        self._account = account
        self._faults = (
            Faults(args.faults, seed=args.seed, venue=args.venue, start=now)
            if args.faults.active else None
        )
        self._latency = args.latency
        self._order_latency = args.order_latency
        self._jitter = args.latency_jitter
        self._jitter_random = random.Random(f"fortuna.sim:{args.seed}:{args.venue}:latency")
        for engine in self._engine_list:
            engine.advance(now)

    def _path(self, series: str, price: Decimal | None, increment: Decimal,
              own: dict[str, PricePath], now: float) -> PricePath:
        args = self.args
        if args.prices is not None:
            try:
                return args.prices.path(series)
            except KeyError as error:
                raise ValueError(f"{self.name}: {error.args[0]}") from None
        path = own.get(series)
        if path is None:
            assert price is not None  # the args validator requires it without a process
            path = own[series] = PricePath(
                name=series, initial=price, increment=increment,
                volatility=float(args.volatility), drift=float(args.drift), step=args.step,
                seed=args.seed, origin=now,
            )
        return path

    # --- every call ---------------------------------------------------------------------------

    def _require_loaded(self) -> None:
        if "_engines" not in self.__dict__:
            raise ExchangeUnavailable(
                f"exchanges.sim {self.name!r} is not loaded: call load() first", venue=self.venue
            )

    async def _begin(self, operation: str, *, mutating: bool = False) -> tuple[float, bool]:
        """Latency, faults, then the market replayed to now. Returns (now, whether the call
        must end in a ``RequestTimeout`` after taking effect)."""
        self._require_loaded()
        delay = self._latency + self._order_latency if mutating else self._latency
        if self._jitter:
            delay += self._jitter * self._jitter_random.random()
        if delay:
            await self.clock.sleep(delay)
        now = self.clock.time()
        late = False
        faults = self._faults
        if faults is not None and faults.draw(operation, now) == TIMEOUT:
            if not (mutating and faults.took_effect()):
                await self.clock.sleep(self.args.faults.timeout)
                raise RequestTimeout(f"{operation}: no answer in time", venue=self.args.venue)
            late = True
        for engine in self._engine_list:
            engine.advance(now)
        return now, late

    async def _timed_out(self, operation: str) -> RequestTimeout:
        await self.clock.sleep(self.args.faults.timeout)
        return RequestTimeout(f"{operation}: no answer in time", venue=self.args.venue)

    def _engine(self, symbol: str) -> MarketEngine:
        self._require_loaded()
        engine = self._engines.get(symbol)
        if engine is None:
            raise BadSymbol(f"no market {symbol}", venue=self.args.venue)
        return engine

    # --- metadata ------------------------------------------------------------------------------

    @property
    def venue(self) -> str:
        return self.args.venue

    async def markets(self) -> Mapping[str, Market]:
        self._require_loaded()
        return self._markets

    async def check_order(
        self, request: OrderRequest, *, reference_price: Decimal | None = None
    ) -> OrderRequest:
        """The request quantized to its market (a market order's minimum notional is valued
        at the current mid unless ``reference_price`` is given), or ``OrderRejected``."""
        engine = self._engine(request.symbol)
        if reference_price is None and request.type is OrderType.MARKET:
            reference_price = self.mid(request.symbol)
        return engine.market.check_order(request, reference_price=reference_price)

    def mid(self, symbol: str) -> Decimal:
        """The synthetic market's mid price now (a rehearsal aid; no latency, no faults)."""
        engine = self._engine(symbol)
        engine.advance(self.clock.time())
        return engine.price_of(engine.mid)
