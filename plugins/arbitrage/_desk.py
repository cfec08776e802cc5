"""The arbitrage's order desk: sends what a :class:`~plugins.arbitrage._settlement.Settlement`
asks for and tells it what happened, under one exception policy for every order.

The policy, the same for a leg, a rebalancing order and a lookup:

- An order that returned is what it says it did (a result that contradicts the order, such
  as more filled than asked, is treated as a failure).
- A permanent exchange error (not ``retryable``) raised by ``trade`` is the venue refusing
  the order: by the ``QuoteAdapter`` contract nothing was placed.
- **Anything else** raised after the order left (a retryable error, any other exception,
  a ``CancelledError`` that is not a cancellation of the service itself) may come after the
  order took effect: its outcome is unknown, and the order is looked up by the client order
  id it was sent with, never guessed.
- A lookup that raises is retried after a pause (:data:`LOOKUP_PAUSE` of the graph's clock),
  up to the settlement's ``attempts``; one that can never succeed (``NotSupported``, a
  permanent error) ends the doubt at once. Either way the settlement halts with the
  order's exact figures.
- Before a rebalancing order is sent (quoting and checking it), any exception means nothing
  was sent: the attempt is spent and the next one tries again; the market's rules refusing
  it (``OrderRejected``) end the rebalancing (a residual under the venue's minimum, or a
  halt).
- When the service itself is cancelled (a forced stop) while orders are in flight or in
  doubt, they are cancelled locally, the settlement records them as unknown (halted, with
  their figures) and the cancellation goes on: a forced stop is not delayed by lookups.

Every failure is logged with the order's venue and client order id and reported to the
service (``failed``), which counts it as the tick's failure for the kill switches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from decimal import Decimal
from typing import Any

from fortuna import Clock, Logger
from plugins.arbitrage._decision import limit_price
from plugins.arbitrage._settlement import Settlement
from plugins.arbitrage._settlement_data import (
    Absent,
    Action,
    Event,
    Found,
    Interrupted,
    LookUp,
    LookupFailed,
    NotSent,
    Order,
    Raised,
    Rebalance,
    Role,
    Sending,
    Traded,
    Venue,
)
from schemas import ExchangeError, NotSupported, OrderRejected
from schemas.arbitrage import QuoteAdapter, TradeResult

__all__ = ["LOOKUP_PAUSE", "Desk", "describe"]

LOOKUP_PAUSE = 1.0
"""Seconds of the clock between two lookups of an order whose outcome is unknown."""


def describe(error: BaseException) -> str:
    """``Type: message`` of an exception, as logged and recorded."""
    return f"{type(error).__name__}: {error}"


def _being_cancelled() -> bool:
    """Whether the running task has been asked to stop (a forced stop of the service), as
    opposed to a ``CancelledError`` that a library raised on its own."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Desk:
    """Runs one settlement to its end against the direction's two adapters."""

    def __init__(
        self,
        settlement: Settlement,
        adapters: Mapping[Venue, QuoteAdapter],
        *,
        clock: Clock,
        log: Logger,
        client_order_id: Callable[[str], str],
        recovery_slippage: Decimal,
        failed: Callable[[str, str], None],
    ) -> None:
        self.state = settlement
        self.results: dict[str, TradeResult] = {}
        """The known result of every order, by client order id."""
        self._adapters = adapters
        self._clock = clock
        self._log = log
        self._client_order_id = client_order_id
        self._slippage = recovery_slippage
        self._failed = failed

    def _apply(self, event: Event) -> None:
        self.state = self.state.apply(event)

    def interrupt(self, why: str) -> None:
        """End the settlement where it stands: every order still open becomes unknown (and
        the settlement halts); nothing once it is over."""
        self._apply(Interrupted(why))

    async def run(self) -> Settlement:
        """Send the legs, then look up and rebalance until the settlement is over. On a
        cancellation of the service, the settlement is interrupted (recorded as halted in
        :attr:`state`) and the cancellation propagates."""
        await self._together([self._send(leg) for leg in self.state.legs])
        announced = False
        while not self.state.terminal:
            if self.state.attempt > 0 and not announced:
                announced = True
                self._announce()
            actions = self.state.actions()
            if not actions:
                raise AssertionError(f"settlement waits on nothing: {self.state!r}")
            await self._together([self._act(action) for action in actions])
        return self.state

    def _announce(self) -> None:
        """The log line of an imbalance the policy is about to rebalance."""
        state = self.state
        assert state.venue is not None, "set on entering REBALANCING"
        assert state.side is not None, "set on entering REBALANCING"
        target = self._adapters[state.venue]
        self._log.warning(
            "arbitrage leg imbalance",
            policy=state.policy.value, imbalance=state.legs_imbalance,
            action=f"{state.side.value} {state.legs_imbalance.copy_abs()} on {target.venue} "
            f"{target.symbol}",
        )

    async def _together(self, steps: list[Coroutine[Any, Any, None]]) -> None:
        tasks = [asyncio.ensure_future(step) for step in steps]
        try:
            done, _ = await asyncio.wait(tasks)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            self.interrupt("the service was stopped while the order was open")
            raise
        for task in done:
            task.result()  # a bug in the desk itself surfaces here

    def _act(self, action: Action) -> Coroutine[Any, Any, None]:
        if isinstance(action, LookUp):
            return self._look_up(action)
        return self._rebalance(action)

    # -- sending ---------------------------------------------------------------------------

    async def _send(self, order: Order) -> None:
        adapter = self._adapters[order.venue]
        try:
            result = await adapter.trade(
                order.side, order.amount, limit_price=order.limit_price,
                client_order_id=order.client_order_id,
            )
            mismatch = _mismatch(order, result)
            if mismatch is not None:
                raise ValueError(f"{adapter.venue} answered an order it was not sent: {mismatch}")
        except asyncio.CancelledError as error:
            if _being_cancelled():
                raise
            self._raised(order, error)
        except Exception as error:
            self._raised(order, error)
        else:
            self.results[order.client_order_id] = result
            self._apply(Traded(order.client_order_id, result.filled))

    def _raised(self, order: Order, error: BaseException) -> None:
        refused = isinstance(error, ExchangeError) and not error.retryable
        adapter = self._adapters[order.venue]
        event = (
            "arbitrage rebalance failed" if order.role is Role.REBALANCE
            else "arbitrage leg failed"
        )
        self._failed(event, describe(error))
        self._log.error(
            event, error=describe(error), leg=order.role.value, venue=adapter.venue,
            client_order_id=order.client_order_id, refused=refused,
            attempt=order.attempt or None,
        )
        self._apply(Raised(order.client_order_id, describe(error), refused))

    # -- looking up ------------------------------------------------------------------------

    async def _look_up(self, action: LookUp) -> None:
        order = self.state.order(action.client_order_id)
        adapter = self._adapters[order.venue]
        if action.attempt > 1:
            await self._clock.sleep(LOOKUP_PAUSE)
        final = False
        try:
            found = await adapter.find_trade(
                order.side, order.amount, limit_price=order.limit_price,
                client_order_id=order.client_order_id,
            )
            if found is not None and (mismatch := _mismatch(order, found)) is not None:
                final = True
                raise ValueError(f"{adapter.venue} found an order that does not match: {mismatch}")
        except asyncio.CancelledError as error:
            if _being_cancelled():
                raise
            self._lookup_failed(order, action, error, final=False)
            return
        except NotSupported as error:
            self._lookup_failed(order, action, error, final=True, why="cannot look it up")
            return
        except Exception as error:
            permanent = isinstance(error, ExchangeError) and not error.retryable
            self._lookup_failed(order, action, error, final=final or permanent)
            return
        if found is None:
            self._log.warning(
                "arbitrage order not placed", leg=order.role.value, venue=adapter.venue,
                client_order_id=order.client_order_id, error=order.error,
            )
            self._apply(Absent(order.client_order_id))
            return
        self._log.warning(
            "arbitrage order found despite error", leg=order.role.value, venue=adapter.venue,
            client_order_id=order.client_order_id, order_id=found.order_id,
            filled=found.filled, price=found.average_price, error=order.error,
        )
        self.results[order.client_order_id] = found
        self._apply(Found(order.client_order_id, found.filled))

    def _lookup_failed(self, order: Order, action: LookUp, error: BaseException, *,
                       final: bool, why: str = "looking it up failed") -> None:
        adapter = self._adapters[order.venue]
        text = describe(error)
        self._failed("arbitrage order lookup failed", text)
        self._log.warning(
            "arbitrage order lookup failed", error=text, attempt=action.attempt,
            venue=adapter.venue, client_order_id=order.client_order_id, final=final,
        )
        self._apply(LookupFailed(order.client_order_id, f"{why}: {text}", final))

    # -- rebalancing -----------------------------------------------------------------------

    async def _rebalance(self, action: Rebalance) -> None:
        adapter = self._adapters[action.venue]
        side, amount = action.side, action.amount
        try:
            quote = await adapter.quote(side, amount)
            limit = limit_price(quote, self._slippage)
            await adapter.check_trade(side, amount, limit)
        except OrderRejected as error:
            self._log.warning(  # the market's rules, not a venue error
                "arbitrage rebalance refused", attempt=action.attempt, amount=amount,
                venue=adapter.venue, reason=error.reason, code=error.code,
            )
            self._apply(NotSent(action.attempt, describe(error), error.code))
            return
        except asyncio.CancelledError as error:
            if _being_cancelled():
                raise
            self._not_sent(action, error)
            return
        except Exception as error:
            self._not_sent(action, error)
            return
        order = Order(
            client_order_id=self._client_order_id("r"), role=Role.REBALANCE,
            venue=action.venue, side=side, amount=amount, limit_price=limit,
            attempt=action.attempt,
        )
        self._apply(Sending(order))
        await self._send(order)
        result = self.results.get(order.client_order_id)
        if result is not None:
            self._log.info(
                "arbitrage rebalance order", attempt=action.attempt, side=side.value,
                venue=adapter.venue, filled=result.filled, price=result.average_price,
                fee=result.fee, fee_currency=result.fee_currency,
                left=self.state.imbalance.copy_abs(),
            )

    def _not_sent(self, action: Rebalance, error: BaseException) -> None:
        text = describe(error)
        self._failed("arbitrage rebalance failed", text)
        self._log.warning(
            "arbitrage rebalance failed", error=text, attempt=action.attempt,
            amount=action.amount, sent=False,
        )
        self._apply(NotSent(action.attempt, text))


def _mismatch(order: Order, result: TradeResult) -> str | None:
    """Why ``result`` cannot be the result of ``order``, or None."""
    if result.side is not order.side:
        return f"a {result.side.value} result for a {order.side.value} order"
    if result.filled > order.amount:
        return f"filled {result.filled} of an order for {order.amount}"
    return None

