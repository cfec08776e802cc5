"""``market_making``: the tick service that quotes one market for one mandate.

Each tick: check the kill switches (any tripped: halt, cancel every resting order, quote
nothing until an operator resets it); read the reference price, the mandate's resting
orders and the balances concurrently; ask the strategy for the quotes it wants; quantize
them on the market (never more aggressive) and trim them to what the account holds; hand
them to the executor, which passes every order through pre-trade risk before sending.
Starting cancels or adopts the orders an earlier run of the same mandate left (found by
client-order-id prefix); stopping cancels every resting order of the mandate.

When the venue fails, no order is left behind unknowingly:

- a tick that fails is reported to the kill switches that watch ticks, and the switches
  are checked at once, so a ``consecutive_errors`` switch halts quoting (and cancels)
  before the service would give up;
- while halted, cancelling is retried every tick, with backoff (1 s doubling to 60 s of
  the clock) while the venue keeps failing;
- stopping, for any reason (a signal, the duration, too many failed ticks), halts quoting
  and keeps cancelling across an outage with backoff (1 s doubling to 30 s) for up to
  ``cancel_timeout``; if orders may still rest after that, the service ends with
  ``fortuna.LeftBehind`` listing each one exactly (``fortuna run`` logs them and exits 4);
- the venue's rate limit paces the service's calls instead of failing them
  (:mod:`plugins.market_making._pacing`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from fortuna import Component, LeftBehind, Readiness, TickService
from plugins.market_making._concurrency import gather
from plugins.market_making._desired import DesiredQuotes
from plugins.market_making._metrics import MarketMakingStats
from plugins.market_making._pacing import PacedExchange
from plugins.market_making._quoting import quantize_quotes
from plugins.market_making._requote import Requoter
from plugins.market_making._service_args import MarketMakingArgs, tick_error
from plugins.market_making._status import described, log_status
from plugins.market_making._trip import restrict
from plugins.market_making.risk import PreTradeLimits
from schemas import (
    Balances,
    Market,
    Order,
    PriceQuote,
    PriceUnavailable,
)
from schemas.market_making import (
    DesiredQuote,
    ExecutionReport,
    QuoteContext,
    RiskCheck,
)
from schemas.risk import TripAction, TripPolicy, report_tick, strictest, tick_observers
from schemas.streams import UpdateKind, UpdateSource

__all__ = ["MarketMaking", "MarketMakingArgs", "tick_error"]


class MarketMaking(TickService[MarketMakingArgs], Readiness):
    """Quotes one market at the strategy's spread and depth; halts when a kill switch trips."""

    semantic_checks = (
        "plugins.exchanges.ccxt._checks:traded_venue",
        "plugins.market_making._checks:sizes",
        "plugins.market_making._checks:markets",
        "plugins.market_making._checks:venue",
        "plugins.market_making._stream_checks:requote_on",
    )
    book_claims = ("plugins._book:quoting", "plugins._book:names")

    _market: Market | None = None
    _risk: RiskCheck | None = None
    halted = False
    """Whether a kill switch holds trading halted."""
    restriction: TripPolicy | None = None
    """The reduce-only or flatten policy of the tripped switches, while one holds."""
    ticks = 0
    reference: Decimal | None = None
    """The reference price of the last tick that read one (the run summary samples it)."""
    last_report: ExecutionReport | None = None
    dropped = 0
    """Quotes left out by quantization or funding, over the run."""
    left_behind: list[Order] = []
    """Orders that may still rest on the venue after the stop (empty when all cancelled)."""

    _venue: PacedExchange
    _desired: DesiredQuotes
    _requoter: Requoter | None = None
    _quoting: asyncio.Lock | None = None
    _cancel_backoff = 0.0
    _next_cancel = 0.0

    async def load(self) -> None:
        args = self.args
        self._venue = PacedExchange(args.exchange, self.clock, self.log)
        self._market = await self._venue.market(args.symbol)
        self._risk = args.risk if args.risk is not None else PreTradeLimits()
        venue = args.exchange.name if isinstance(args.exchange, Component) else \
            args.exchange.venue
        args.executor.bind(
            exchange=self._venue, market=self._market, prefix=args.mandate, venue=venue
        )
        self._observers = tick_observers(args.kill_switches)
        self.stats = MarketMakingStats(args.mandate, self._market, args.interval)
        self._desired = DesiredQuotes(self._market)
        self._started = self._next_report = self.clock.monotonic()

    @property
    def pacing(self) -> PacedExchange:
        """The venue as the service calls it: paced to its rate limit once it refused."""
        return self._venue

    @property
    def market(self) -> Market:
        if self._market is None:
            raise RuntimeError(f"{self.name}: not loaded")
        return self._market

    async def on_start(self) -> None:
        self._started = self.clock.monotonic()
        self._next_report = self._started
        found = await self._recover()
        self.log.info(
            "market making started",
            mandate=self.args.mandate,
            symbol=str(self.args.symbol),
            earlier_orders=len(found),
            on_start=self.args.on_start,
        )
        self._start_requoter()

    def _start_requoter(self) -> None:
        """Requote on the streamed updates ``requote_on`` names, where the venue has them."""
        wanted = frozenset(UpdateKind(kind) for kind in self.args.requote_on)
        if not wanted:
            return
        exchange = self.args.exchange
        updates = exchange.updates(self.args.symbol, wanted) \
            if isinstance(exchange, UpdateSource) else None
        if updates is None:
            self.log.warning("requote_on ignored: the venue streams none of these updates",
                             requote_on=sorted(wanted))
            return
        self._requoter = Requoter(updates, self._requote, clock=self.clock, log=self.log,
                                  min_interval=self.args.min_requote_interval)
        self._requoter.start()

    async def _requote(self, kinds: list[UpdateKind]) -> None:
        if not self.stop_requested:
            await self.tick()

    @property
    def requotes(self) -> int:
        """Requotes run on streamed updates, over the run."""
        return 0 if self._requoter is None else self._requoter.requotes

    async def _recover(self, attempts: int = 3) -> list[Order]:
        """The executor's recovery of an earlier run's orders, retried after venue errors
        (one second of the clock apart); the last failure is raised."""
        for attempt in range(1, attempts + 1):
            try:
                return await self.args.executor.recover(self.args.on_start)
            except Exception as exc:
                if attempt == attempts:
                    raise
                self.log.warning("recovering earlier orders failed; retrying",
                                 attempt=attempt, error=f"{type(exc).__name__}: {exc}")
                await self.clock.sleep(1.0)
        return []

    async def on_stop(self) -> None:
        if self._requoter is not None:
            await self._requoter.stop()  # a requote in progress finishes first
        remaining = await self._cancel_until_clear()
        self.left_behind = remaining
        self.log.info(
            "market making stopped",
            mandate=self.args.mandate,
            ticks=self.ticks,
            resting_left=len(remaining),
            quotes_left_out=self.dropped,
        )
        if remaining:
            raise LeftBehind(
                self.name,
                [described(order, self.args.exchange) for order in remaining],
                f"the venue did not confirm these orders cancelled within cancel_timeout "
                f"({self.args.cancel_timeout:g} s)",
            )

    async def _cancel_until_clear(self) -> list[Order]:
        """Cancel every resting order of the mandate; while the venue fails, try again
        with backoff until none rests or ``cancel_timeout`` of the clock has passed.
        Returns the orders that may still rest (the executor's last knowledge)."""
        clock, executor = self.clock, self.args.executor
        deadline = clock.monotonic() + self.args.cancel_timeout
        backoff = 1.0
        attempt = 1
        while True:
            remaining = await executor.cancel_all()
            now = clock.monotonic()
            if not remaining or now >= deadline:
                return list(remaining)
            wait = min(backoff, deadline - now)
            self.log.warning(
                "orders still resting; cancelling again",
                attempt=attempt,
                resting=len(remaining),
                retry_in=round(wait, 3),
                gives_up_in=round(deadline - now, 3),
            )
            await clock.sleep(wait)
            backoff = min(backoff * 2, 30.0)
            attempt += 1

    # --- the tick -----------------------------------------------------------------------

    async def tick(self) -> None:
        # a tick and a requote on a streamed update never run at once
        if self._quoting is None:
            self._quoting = asyncio.Lock()
        async with self._quoting:
            await self._quote_once()

    async def _quote_once(self) -> None:
        self.ticks += 1
        try:
            report = await self._tick()
        except Exception as exc:
            self.stats.ticked(None, exc)
            report_tick(self._observers, f"{type(exc).__name__}: {exc}")
            if await self._check_after_failure():
                # A switch halted trading on this failure: the halt (cancel, retried with
                # backoff) is the response, so the tick loop does not count it as a failure.
                self.log.error("tick failed; trading halted by a kill switch",
                               error=f"{type(exc).__name__}: {exc}")
                return
            raise
        self.stats.ticked(report, None)
        await self.stats.read_fills(self.args.executor)
        report_tick(self._observers, tick_error(report))

    def not_ready(self) -> str | None:
        """Not ready while market data is stale (``plugins.market_making._metrics``)."""
        return self.stats.not_ready(self.clock.monotonic())

    def metrics(self) -> Iterable[Any]:
        yield from super().metrics()
        yield from self.stats.families(self.args.executor.resting)

    async def _tick(self) -> ExecutionReport | None:
        args = self.args
        now = self.clock.monotonic()
        if args.duration is not None and now - self._started >= args.duration:
            self.log.info("duration reached", duration=args.duration)
            self.request_stop()
            return None
        if args.kill_switches and await self._halt():
            return None
        executor = args.executor
        try:
            quote, _, balances = await gather(
                args.price.quote(),
                executor.sync(),
                self._balances() if args.respect_balances or
                args.report_every is not None or self.restriction is not None else _none(),
            )
        except PriceUnavailable as exc:
            # No reference, no quotes: pull the resting ones rather than leave them at a
            # price nobody can vouch for; the next tick quotes again once there is one.
            remaining = await executor.cancel_all()
            self.log.warning("no reference price: quotes pulled", error=str(exc),
                             resting_left=len(remaining))
            return ExecutionReport(errors=[f"PriceUnavailable: {exc}"])
        assert isinstance(quote, PriceQuote)
        assert balances is None or isinstance(balances, Balances)
        self.stats.saw(quote.price, balances, now)
        self.reference = quote.price
        desired = self.desired(quote.price, balances, executor.resting)
        if self.restriction is not None:
            inventory = None if balances is None else balances.total(self.market.base)
            desired, _ = quantize_quotes(
                restrict(desired, self.restriction, inventory, quote.price), self.market)
        # The guards were asked before the tick; its reads may have taken long (a slow
        # venue, a pause of the whole process), so they are asked again before it writes:
        # a lease lost meanwhile sends nothing.
        refused = self.refused_by_guard()
        if refused is not None:
            self.log.error("stopping without trading", reason=refused)
            self.request_stop()
            return None
        report = await executor.execute(desired, quote.price, self._risk or PreTradeLimits())
        self.last_report = report
        if args.report_every is not None and now >= self._next_report:
            self._next_report = now + args.report_every
            log_status(self.log, self.market, self.args.executor.resting, quote.price,
                       balances)
        return report

    async def _balances(self) -> Balances:
        """The account: the executor's simulated one (paper trading), else the venue's."""
        simulated = self.args.executor.simulated_balances()
        return simulated if simulated is not None else await self._venue.fetch_balances()

    def desired(
        self, reference: Decimal, balances: Balances | None, resting: Sequence[Order]
    ) -> list[DesiredQuote]:
        """The strategy's quotes, quantized and funded: what the executor should hold."""
        market = self.market
        context = QuoteContext(
            reference=reference,
            market=market,
            now=self.clock.now(),
            resting=resting,
            balances=balances,
        )
        wanted = self.args.strategy.quotes(context)
        if balances is not None and self.args.respect_balances:
            quotes, dropped = self._desired.funded(wanted, balances, resting)
        else:
            quotes, dropped = self._desired.quantized(wanted)
        if dropped:
            self.dropped += len(dropped)
            self.log.debug("quotes left out", count=len(dropped),
                           reasons=sorted({reason for _, reason in dropped}))
        return quotes

    async def _check_after_failure(self) -> bool:
        """A failed tick was just reported to the switches: let them act on it now (a
        ``consecutive_errors`` switch trips and the halt cancels), before the tick loop
        counts the failure towards giving up. True if trading is now halted. A check that
        fails too changes nothing."""
        if not self.args.kill_switches:
            return False
        try:
            return await self._halt()
        except Exception as exc:
            self.log.warning("kill switches not checked after a failed tick",
                             error=f"{type(exc).__name__}: {exc}")
            return False

    async def _halt(self) -> bool:
        switches = self.args.kill_switches
        await gather(*(switch.check() for switch in switches))
        tripped = [switch for switch in switches if switch.tripped]
        if not tripped:
            if self.halted or self.restriction is not None:
                self.halted, self.restriction = False, None
                self.log.warning("kill switches reset; quoting resumes")
            return False
        policy = strictest([switch.policy for switch in tripped])
        if policy.action is not TripAction.HALT:
            if self.restriction != policy:
                self.log.error("kill switch tripped: trading restricted",
                               action=str(policy.action), target=policy.target,
                               reasons=[s.reason for s in tripped])
            self.halted, self.restriction = False, policy
            return False
        self.restriction = None
        if not self.halted:
            self.halted = True
            self.log.error(
                "kill switch tripped: trading halted",
                switches=[getattr(s, "name", type(s).__name__) for s in tripped],
                reasons=[s.reason for s in tripped],
            )
        now = self.clock.monotonic()
        if now >= self._next_cancel:
            remaining = await self.args.executor.cancel_all()
            if remaining:  # the venue is failing: try again later, not on every tick
                self._cancel_backoff = min(max(self._cancel_backoff * 2, 1.0), 60.0)
                self._next_cancel = now + self._cancel_backoff
                self.log.error("halted with orders still resting", count=len(remaining),
                               orders=[o.id for o in remaining],
                               retry_in=self._cancel_backoff)
            else:
                self._cancel_backoff = 0.0
                self._next_cancel = now
        if self.args.on_trip == "stop":
            self.request_stop()
        return True


async def _none() -> None:
    return None
