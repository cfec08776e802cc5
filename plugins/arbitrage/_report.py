"""What an arbitrage did, from its finished settlement: the :class:`Execution` record, the
reason trading halts (if it does), and their log lines.

The record is read off the settlement and the results the desk collected; nothing here
decides anything. Realised figures value every trade at the rate of its venue's quote
currency (:func:`~plugins.arbitrage._decision.realised`). A halt names every order whose
outcome is unknown with its venue, side, amount, limit and client order id, and the range
the base position lies in (the known imbalance, widened by what each unknown order may have
filled), so an operator can reconcile the venues.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fortuna import Logger
from plugins.arbitrage._decision import Execution, Opportunity, realised
from plugins.arbitrage._settlement import Settlement
from plugins.arbitrage._settlement_data import (
    Fate,
    Order,
    Phase,
    Venue,
)
from schemas.arbitrage import ConversionRate, QuoteAdapter, TradeResult

__all__ = ["execution", "halt_reason", "log_execution", "log_halt", "order_figures"]

_ZERO = Decimal(0)


def execution(
    opportunity: Opportunity,
    settlement: Settlement,
    results: Mapping[str, TradeResult],
    adapters: Mapping[Venue, QuoteAdapter],
) -> Execution:
    """The record of a finished (or interrupted) settlement."""
    buy_leg, sell_leg = settlement.legs
    buy, sell = results.get(buy_leg.client_order_id), results.get(sell_leg.client_order_id)
    rates: dict[Venue, ConversionRate] = {
        Venue.BUYER: opportunity.buy_rate, Venue.SELLER: opportunity.sell_rate,
    }
    corrections = [
        (results[o.client_order_id], rates[o.venue])
        for o in settlement.rebalancing_orders
        if o.fate is Fate.FILLED
    ]
    trades = [(trade, rate) for trade, rate in
              ((buy, opportunity.buy_rate), (sell, opportunity.sell_rate)) if trade is not None]
    cost, proceeds, fees, unvalued = realised([*trades, *corrections])
    settled = settlement.phase is Phase.SETTLED
    return Execution(
        opportunity=opportunity,
        amount=buy_leg.amount,
        buy=buy,
        sell=sell,
        buy_error=buy_leg.error,
        sell_error=sell_leg.error,
        policy=settlement.policy.value if settlement.attempt > 0 else None,
        imbalance=settlement.legs_imbalance,
        unknown=tuple(describe(o, adapters) for o in settlement.unknown),
        corrections=tuple(trade for trade, _ in corrections),
        residual=_ZERO if settled else settlement.imbalance,
        realised_cost=cost,
        realised_proceeds=proceeds,
        realised_fees=fees,
        fees_unvalued=unvalued,
    )


def describe(order: Order, adapters: Mapping[Venue, QuoteAdapter]) -> str:
    """One line naming an unknown order and why it is unknown."""
    adapter = adapters[order.venue]
    return (
        f"{order.role.value} order {order.client_order_id} on {adapter.venue} "
        f"({order.side.value} {order.amount} {adapter.symbol} limit {order.limit_price}): "
        f"{order.error}; {order.doubt}"
    )


def order_figures(order: Order, adapters: Mapping[Venue, QuoteAdapter]) -> dict[str, Any]:
    adapter = adapters[order.venue]
    return {
        "leg": order.role.value, "venue": adapter.venue, "symbol": str(adapter.symbol),
        "side": order.side.value, "amount": order.amount, "limit_price": order.limit_price,
        "client_order_id": order.client_order_id, "error": order.error, "doubt": order.doubt,
    }


def halt_reason(settlement: Settlement, adapters: Mapping[Venue, QuoteAdapter]) -> str | None:
    """Why trading halts after ``settlement``, or None when it does not."""
    if settlement.phase is Phase.HALTED_UNKNOWN:
        return "outcome unknown of " + "; ".join(
            describe(o, adapters) for o in settlement.unknown
        ) + ": reconcile the venues' balances, then restart the service"
    if settlement.phase is Phase.HALTED_IMBALANCE:
        assert settlement.venue is not None
        adapter = adapters[settlement.venue]
        how = (f"stopped: {settlement.stop}" if settlement.stop is not None
               else f"after {settlement.attempt} {settlement.policy.value} attempts")
        return (
            f"unresolved leg imbalance of {settlement.imbalance} {adapter.symbol.base} "
            "(bought minus sold) "
            f"on {adapter.venue} ({how}): reconcile the venues' balances, then restart the "
            "service"
        )
    return None


def log_halt(log: Logger, settlement: Settlement, reason: str,
             adapters: Mapping[Venue, QuoteAdapter]) -> None:
    """The error line of a halt, with the exact exposure."""
    low, high = settlement.exposure
    exposure = {"bought": settlement.bought, "sold": settlement.sold,
                "imbalance_known": settlement.imbalance,
                "imbalance_low": low, "imbalance_high": high}
    if settlement.phase is Phase.HALTED_UNKNOWN:
        log.error(
            "arbitrage halted outcome unknown", reason=reason,
            orders=[order_figures(o, adapters) for o in settlement.unknown], **exposure,
        )
    else:
        log.error("arbitrage halted", reason=reason, residual=settlement.imbalance, **exposure)


def log_execution(log: Logger, execution: Execution) -> None:
    opportunity = execution.opportunity
    figures: dict[str, Any] = {
        "direction": opportunity.direction.value,
        "currency": opportunity.currency,
        "amount": execution.amount,
        "quoted_buy_price": opportunity.buy.price,
        "quoted_sell_price": opportunity.sell.price,
        "quoted_profit": opportunity.profit,
        "quoted_fees": opportunity.fees,
        "bought": execution.buy.filled if execution.buy else _ZERO,
        "buy_price": execution.buy.average_price if execution.buy else None,
        "sold": execution.sell.filled if execution.sell else _ZERO,
        "sell_price": execution.sell.average_price if execution.sell else None,
        "realised_cost": execution.realised_cost,
        "realised_proceeds": execution.realised_proceeds,
        "realised_fees": execution.realised_fees,
        "realised_profit": execution.realised_profit,
    }
    if execution.complete:
        log.info("arbitrage executed", **figures)
    else:
        log.warning(
            "arbitrage executed with imbalance", **figures,
            policy=execution.policy, imbalance=execution.imbalance,
            corrections=len(execution.corrections), residual=execution.residual,
            buy_error=execution.buy_error, sell_error=execution.sell_error,
            unknown=list(execution.unknown) or None, fees_unvalued=execution.fees_unvalued,
        )
