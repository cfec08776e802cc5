"""``exchanges.sim``: the simulated venue, a real in-process implementation of ``Exchange``.

Every call first waits the configured latency on the component's clock, then may fail as
the fault settings say, then replays the synthetic market up to the clock's ``now`` (price
steps and public trades, filling the mandate's resting orders they reach; see
:mod:`plugins.exchanges.sim._engine`), and only then does its work. Nothing runs in the
background: on the virtual clock a rehearsal costs only the calls it makes.

Orders are checked like a real venue checks them, never silently fixed: a price off the
tick or an amount off the step is refused (``OrderRejected``, code ``precision``), as are
amounts or values under the market's minimums (the codes of ``Market.check_order``). A
client that calls ``check_order`` first gets the quantized request that will pass.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from operator import attrgetter, itemgetter
from typing import TypeVar

from fortuna import Component
from plugins.exchanges.sim._account import Account, FillRecord
from plugins.exchanges.sim._args import SimArgs
from plugins.exchanges.sim._book import SimOrder
from plugins.exchanges.sim._engine import MarketEngine, SyntheticParams
from plugins.exchanges.sim._faults import TIMEOUT, Faults
from plugins.exchanges.sim._ledger import Ledger
from plugins.exchanges.sim._walk import PricePath
from schemas import (
    BadSymbol,
    Balances,
    Candle,
    Exchange,
    ExchangeUnavailable,
    Fill,
    Market,
    Order,
    OrderBook,
    OrderBookLevel,
    OrderNotFound,
    OrderRejected,
    OrderRequest,
    OrderType,
    RequestTimeout,
    Side,
    Ticker,
    Trade,
    money,
    trusted,
)

__all__ = ["SimExchange"]

_ZERO = Decimal(0)
_TWO = Decimal(2)
_TIMEFRAME_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
_DEFAULT_CANDLES = 100

T = TypeVar("T")


def timeframe_seconds(timeframe: str) -> int:
    """Seconds in a ccxt timeframe such as ``"1m"``, ``"15m"``, ``"4h"``, ``"1d"``."""
    count, unit = timeframe[:-1], timeframe[-1:]
    if not count.isdigit() or unit not in _TIMEFRAME_UNITS or int(count) <= 0:
        raise ValueError(
            f"unknown timeframe {timeframe!r}; use a count and a unit, like 1m, 15m, 4h, 1d"
        )
    return int(count) * _TIMEFRAME_UNITS[unit]


def _select(records: Sequence[T], since: datetime | None, limit: int | None,
            time_of: Callable[[T], float]) -> list[T]:
    """From chronological ``records``: those at or after ``since``, the first ``limit`` of
    them; without ``since``, the last ``limit``. Scans from the recent end only."""
    count = len(records)
    if since is None:
        start = 0 if limit is None else max(0, count - max(limit, 0))
        end = count
    else:
        start = count
        while start > 0 and _utc(time_of(records[start - 1])) >= since:
            start -= 1
        end = count if limit is None else min(count, start + max(limit, 0))
    if start >= end:
        return []
    if end - start <= 64:
        return [records[i] for i in range(start, end)]
    return list(islice(records, start, end))


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


class SimExchange(Component[SimArgs], Exchange):
    """In-process simulated venue: seeded synthetic market, matching, fees, latency, faults.

    The mandate's orders are matched in price-time priority against a synthetic book built
    around a seeded price path (its own, or a shared ``exchanges.sim.prices`` process with
    this venue's ``price_offset``) and against synthetic public trades; balances move with
    every fill, net of maker or taker fees charged in quote (or in a market's fee token, a
    third currency, while the account holds enough of it). Orders off the tick or step or
    under the minimums are refused, never rounded. Deterministic for a seed; runs on the
    graph's clock, so a rehearsal on ``clock.virtual`` runs as fast as the CPU allows.
    """

    semantic_checks = ("plugins.exchanges.sim._checks:listed",)

    _engines: dict[str, MarketEngine]
    _engine_list: list[MarketEngine]
    _markets: dict[str, Market]
    _account: Account
    _faults: Faults | None
    _latency: float
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
            engines[str(spec.symbol)] = MarketEngine(
                market=markets[str(spec.symbol)], path=path, offset=args.price_offset,
                params=params, level_amount=spec.level_amount, trade_amount=trade_amount,
                seed=args.seed, venue=args.venue, account=account, history=args.history,
            )
        self._markets = markets
        self._engines = engines
        self._engine_list = list(engines.values())
        self._account = account
        self._faults = (
            Faults(args.faults, seed=args.seed, venue=args.venue, start=now)
            if args.faults.active else None
        )
        self._latency = args.latency
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
        delay = self._latency
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

    # --- market data ---------------------------------------------------------------------------

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        engine = self._engine(symbol)
        now, _ = await self._begin("fetch_order_book")
        count = self.args.depth if limit is None else limit
        sides: list[tuple[OrderBookLevel, ...]] = []
        for synthetic, own, bids in (
            (engine.synthetic_levels(Side.SELL), engine.bids, True),
            (engine.synthetic_levels(Side.BUY), engine.asks, False),
        ):
            totals: dict[int, Decimal] = dict(synthetic)
            for ticks, amount in own.aggregated():
                totals[ticks] = money.add(totals.get(ticks, _ZERO), amount)
            ordered = sorted(totals, reverse=bids)[:count] if count > 0 else []
            sides.append(tuple(
                trusted(OrderBookLevel, price=engine.price_of(t), amount=totals[t])
                for t in ordered
            ))
        return trusted(
            OrderBook, symbol=engine.symbol, bids=sides[0], asks=sides[1], timestamp=_utc(now)
        )

    async def fetch_ticker(self, symbol: str) -> Ticker:
        engine = self._engine(symbol)
        now, _ = await self._begin("fetch_ticker")
        bid_levels = engine.synthetic_levels(Side.SELL)
        ask_levels = engine.synthetic_levels(Side.BUY)
        bids = [t for t, _ in bid_levels[:1]]
        asks = [t for t, _ in ask_levels[:1]]
        own_bid, own_ask = engine.bids.best(), engine.asks.best()
        if own_bid is not None:
            bids.append(own_bid)
        if own_ask is not None:
            asks.append(own_ask)
        last = engine.trades[-1][2] if engine.trades else engine.price_of(engine.mid)
        volume, quote_volume = engine.day_volume(now)
        return trusted(
            Ticker, symbol=engine.symbol,
            bid=engine.price_of(max(bids)) if bids else None,
            ask=engine.price_of(min(asks)) if asks else None,
            last=last, volume=volume, quote_volume=quote_volume, timestamp=_utc(now),
        )

    async def fetch_trades(
        self, symbol: str, since: datetime | None = None, limit: int | None = None
    ) -> list[Trade]:
        engine = self._engine(symbol)
        await self._begin("fetch_trades")
        return [
            trusted(Trade, id=id_, symbol=engine.symbol, side=side, price=price, amount=amount,
                    timestamp=_utc(t))
            for id_, side, price, amount, t in _select(
                engine.trades, since, limit, itemgetter(4))
        ]

    async def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Candle]:
        """Candles of the venue's mid (the price path with the venue's offset); the volume
        is that of the public trades still in the venue's history."""
        engine = self._engine(symbol)
        seconds = timeframe_seconds(timeframe)
        now, _ = await self._begin("fetch_ohlcv")
        last_open = now // seconds * seconds
        count = _DEFAULT_CANDLES if limit is None else limit
        if since is not None:
            first_open = since.timestamp() // seconds * seconds
        else:
            first_open = last_open - (count - 1) * seconds
        path = engine.path
        candles: list[Candle] = []
        opened = first_open
        price = engine.price_of
        while opened <= last_open and len(candles) < count:
            ends = opened + seconds
            first = path.step_at(opened)
            # The last step that began before the candle ends (or before now).
            last = path.step_at(now) if ends > now else path.step_at(ends) - 1
            o, h, lo, c = engine.candle(first, max(first, last))
            candles.append(trusted(
                Candle, timestamp=_utc(opened), open=price(o), high=price(h), low=price(lo),
                close=price(c), volume=engine.volume(opened, ends),
            ))
            opened += seconds
        return candles

    # --- account -------------------------------------------------------------------------------

    async def fetch_balances(self) -> Balances:
        now, _ = await self._begin("fetch_balances")
        return self._account.ledger.snapshot(_utc(now))

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is not None:
            self._engine(symbol)
        await self._begin("fetch_open_orders")
        return [o.snapshot() for o in self._account.open.values()
                if symbol is None or o.symbol == symbol]

    async def fetch_closed_orders(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Order]:
        if symbol is not None:
            self._engine(symbol)
        await self._begin("fetch_closed_orders")
        orders = sorted(
            (o for o in self._account.closed.values() if symbol is None or o.symbol == symbol),
            key=lambda o: o.timestamp,
        )
        return [o.snapshot() for o in _select(orders, since, limit, attrgetter("timestamp"))]

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        self._engine(symbol)
        await self._begin("fetch_order")
        return self._find(order_id, symbol).snapshot()

    def _find(self, order_id: str, symbol: str) -> SimOrder:
        order = self._account.find(order_id)
        if order is None or order.symbol != symbol:
            raise OrderNotFound(f"no order {order_id} on {symbol}", venue=self.args.venue)
        return order

    async def fetch_my_trades(
        self, symbol: str | None = None, since: datetime | None = None, limit: int | None = None
    ) -> list[Fill]:
        if symbol is not None:
            self._engine(symbol)
        await self._begin("fetch_my_trades")
        venue = self.args.venue
        books = self._account.fills
        if symbol is not None:
            fills: Sequence[FillRecord] = books.get(symbol, ())
        elif len(books) == 1:
            (fills,) = books.values()
        else:
            fills = list(heapq.merge(*books.values(), key=attrgetter("t", "seq")))
        return [f.model(venue) for f in _select(fills, since, limit, attrgetter("t"))]

    # --- trading --------------------------------------------------------------------------------

    async def create_order(self, request: OrderRequest) -> Order:
        """Place ``request`` exactly as given: refused (never fixed) when off the tick or
        step or under the minimums; then filled, rested or expired by the engine."""
        engine = self._engine(request.symbol)
        now, late = await self._begin("create_order", mutating=True)
        if not engine.admissible(request):
            # Market.check_order is the authority: it gives the reason and the code.
            market = engine.market
            reference = engine.price_of(engine.mid) if request.type is OrderType.MARKET else None
            checked = market.check_order(request, reference_price=reference)
            if checked is not request and (
                checked.amount != request.amount
                or (request.type is OrderType.LIMIT and checked.price != request.price)
            ):
                raise _precision(request, checked, market, self.args.venue)
        client_id = request.client_order_id
        if client_id is not None and client_id in self._account.client_ids:
            raise OrderRejected(
                f"{request.symbol}: client order id {client_id!r} is already used by open "
                f"order {self._account.client_ids[client_id]}",
                code="duplicate_client_order_id", request=request, venue=self.args.venue,
            )
        order = engine.place(request, now)
        if late:
            raise await self._timed_out("create_order")
        return order.snapshot()

    async def cancel_order(self, order_id: str, symbol: str) -> Order | None:
        engine = self._engine(symbol)
        now, late = await self._begin("cancel_order", mutating=True)
        order = self._find(order_id, symbol)
        if not order.status.is_final:
            engine.cancel(order, now)
        if late:
            raise await self._timed_out("cancel_order")
        return order.snapshot()

    async def cancel_all_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is not None:
            self._engine(symbol)
        now, late = await self._begin("cancel_all_orders", mutating=True)
        cancelled: list[Order] = []
        for order in list(self._account.open.values()):
            if symbol is None or order.symbol == symbol:
                self._engines[order.symbol].cancel(order, now)
                cancelled.append(order.snapshot())
        if late:
            raise await self._timed_out("cancel_all_orders")
        return cancelled


def _precision(request: OrderRequest, checked: OrderRequest, market: Market, venue: str
               ) -> OrderRejected:
    problems = []
    if checked.price != request.price and request.type is OrderType.LIMIT:
        problems.append(
            f"price {request.price} is not a multiple of the tick {market.price_increment}"
        )
    if checked.amount != request.amount:
        problems.append(
            f"amount {request.amount} is not a multiple of the step {market.amount_increment}"
        )
    return OrderRejected(
        f"{request.symbol}: {' and '.join(problems)} (quantize with check_order first)",
        code="precision", request=request, venue=venue,
    )

