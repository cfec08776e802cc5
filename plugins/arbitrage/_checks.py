"""The pre-trade checks of an arbitrage: balances on both venues and both orders' market
rules, concurrently, before anything is sent.

A check that fails returns a :class:`Skip` (an event name and its figures) and the service
sends nothing; a venue error while checking fails the tick. The quote currency the buying
venue needs is ``amount * limit * (1 + taker fee)``, exact (:mod:`schemas.money`) and at the
unrounded limit, which is at least the limit the market will round it to: the check never
asks for less than the order can spend.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from schemas import OrderRejected, Side, money
from schemas.arbitrage import AdapterBalance, QuoteAdapter

__all__ = ["Skip", "pre_trade_checks"]

_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Skip:
    """Why an opportunity is not traded, as logged."""

    event: str
    figures: dict[str, Any] = field(default_factory=dict)


async def pre_trade_checks(
    buyer: QuoteAdapter,
    seller: QuoteAdapter,
    amount: Decimal,
    *,
    buy_limit: Decimal,
    sell_limit: Decimal,
    buy_fee_rate: Decimal,
) -> Skip | None:
    """None when both legs can be sent as they are; else why not."""
    outcomes = await asyncio.gather(
        buyer.balance(),
        seller.balance(),
        buyer.check_trade(Side.BUY, amount, buy_limit),
        seller.check_trade(Side.SELL, amount, sell_limit),
        return_exceptions=True,
    )
    for outcome in outcomes:
        if isinstance(outcome, OrderRejected):
            return Skip(
                "arbitrage skipped order refused",
                {"reason": outcome.reason, "code": outcome.code},
            )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    buy_balance, sell_balance, buy_amount, sell_amount = outcomes
    if buy_amount != amount or sell_amount != amount:
        return Skip(
            "arbitrage skipped amount off step",
            {"trade_amount": amount, "buy_amount": buy_amount, "sell_amount": sell_amount,
             "hint": "set trade_amount to a multiple of both markets' amount steps"},
        )
    assert isinstance(buy_balance, AdapterBalance)
    assert isinstance(sell_balance, AdapterBalance)
    needed_quote = money.multiply(
        money.multiply(amount, buy_limit), money.add(_ONE, buy_fee_rate)
    )
    short = []
    if buy_balance.quote_free < needed_quote:
        short.append({"venue": buyer.venue, "currency": buy_balance.quote,
                      "needed": needed_quote, "free": buy_balance.quote_free})
    if sell_balance.base_free < amount:
        short.append({"venue": seller.venue, "currency": sell_balance.base,
                      "needed": amount, "free": sell_balance.base_free})
    if short:
        return Skip("arbitrage skipped insufficient balance", {"short": short})
    return None
