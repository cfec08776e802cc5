"""Funding the quotes: trimmed so the mandate never asks for more than it holds.

Sells are funded by free base plus what the mandate's resting sells lock; buys by free
quote plus what its resting buys lock, each buy costing its value plus the market's
higher fee (venues reserve that much). The work is in steps the tick can reuse
(:mod:`~plugins.market_making._desired`): what the quotes ask for (:func:`wanted`), what
resting orders lock (:func:`held`), whether everything is funded (:func:`funded`, the
usual case), and only when it is not, which quotes are cut (:func:`trimmed`).

Exact throughout (:mod:`schemas.money`); the one rounding is the budget's, against the
spender: what a remaining balance affords is rounded down to the step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from plugins.market_making._quoting import meets_minimums
from schemas import Balances, Market, Order, Side, money
from schemas.market_making import DesiredQuote
from schemas.money import Rounding

__all__ = [
    "Held",
    "Wanted",
    "fee_factor",
    "fit_to_balances",
    "funded",
    "held",
    "trimmed",
    "wanted",
]

_ONE = Decimal(1)
_ZERO = Decimal(0)


class Wanted(NamedTuple):
    """What quotes ask for: base to sell, and the value of the buys (fee excluded)."""

    base: Decimal
    value: Decimal


class Held(NamedTuple):
    """What the mandate's resting orders lock: base (sells) and quote currency, fee
    included (buys); None for a side with no resting order (nothing added to the free
    balance, so its digits are the balance's own)."""

    base: Decimal | None
    cash: Decimal | None


def fee_factor(market: Market) -> Decimal:
    """``1 + the market's higher fee``: what one unit of value costs a buyer (venues
    reserve that much)."""
    return money.add(_ONE, max(market.maker_fee, market.taker_fee, _ZERO))


def wanted(quotes: Iterable[DesiredQuote]) -> Wanted:
    """Base the sells ask for and the value the buys ask for (exact)."""
    add, multiply = money.add, money.multiply
    base = value = _ZERO
    sell = Side.SELL
    for quote in quotes:
        if quote.side is sell:
            base = add(base, quote.amount)
        else:
            value = add(value, multiply(quote.amount, quote.price))
    return Wanted(base, value)


def held(resting: Iterable[Order], with_fee: Decimal) -> Held:
    """What ``resting`` locks: the remaining base of the sells, and the remaining value of
    the buys times ``with_fee`` (:func:`fee_factor`)."""
    add, multiply = money.add, money.multiply
    base: Decimal | None = None
    cash: Decimal | None = None
    sell = Side.SELL
    for order in resting:
        if order.side is sell:
            base = order.remaining if base is None else add(base, order.remaining)
        elif order.price is not None:
            locked = multiply(multiply(order.remaining, order.price), with_fee)
            cash = locked if cash is None else add(cash, locked)
    return Held(base, cash)


def _available(balances: Balances, market: Market, locked: Held) -> tuple[Decimal, Decimal]:
    """Base and quote currency the quotes may use: free balance plus what resting locks."""
    base, cash = balances.free(market.base), balances.free(market.quote)
    if locked.base is not None:
        base = money.add(base, locked.base)
    if locked.cash is not None:
        cash = money.add(cash, locked.cash)
    return base, cash


def funded(
    asked: Wanted, balances: Balances, market: Market, locked: Held, with_fee: Decimal
) -> bool:
    """Whether the balances (plus what resting orders lock) fund every quote asking
    ``asked``: then :func:`fit_to_balances` keeps every quote as it is."""
    base, cash = _available(balances, market, locked)
    return asked.base <= base and money.multiply(asked.value, with_fee) <= cash


def fit_to_balances(
    quotes: Sequence[DesiredQuote],
    balances: Balances,
    market: Market,
    resting: Sequence[Order] = (),
) -> tuple[list[DesiredQuote], list[tuple[DesiredQuote, str]]]:
    """Trim quotes so the mandate never asks for more than it holds.

    Sells are funded by free base plus what the mandate's resting sells lock; buys by free
    quote plus what its resting buys lock, each buy costing its value plus the market's
    higher fee (venues reserve that much). Quotes nearest the reference are funded first;
    the one that runs out is cut down (on the step), the rest dropped with the reason.

    Exact throughout (:mod:`schemas.money`); the one rounding is the budget's, against
    the spender: the amount a remaining balance affords is rounded DOWN to the step, so
    the kept quotes never cost a fraction of a unit more than the balance.
    """
    with_fee = fee_factor(market)
    locked = held(resting, with_fee)
    if funded(wanted(quotes), balances, market, locked, with_fee):
        return list(quotes), []  # everything is funded: the usual case
    return trimmed(quotes, balances, market, locked, with_fee)


def trimmed(
    quotes: Sequence[DesiredQuote],
    balances: Balances,
    market: Market,
    locked: Held,
    with_fee: Decimal,
) -> tuple[list[DesiredQuote], list[tuple[DesiredQuote, str]]]:
    """:func:`fit_to_balances` for quotes that are not all funded: the nearest first."""
    base, cash = _available(balances, market, locked)
    multiply = money.multiply
    sells = sorted((q for q in quotes if q.side is Side.SELL), key=lambda q: q.price)
    buys = sorted((q for q in quotes if q.side is Side.BUY), key=lambda q: -q.price)
    kept: list[DesiredQuote] = []
    dropped: list[tuple[DesiredQuote, str]] = []
    for quote in sells:
        amount = quote.amount if quote.amount <= base else market.quantize_amount(base)
        if amount < quote.amount and meets_minimums(market, quote.price, amount) is not None:
            dropped.append((quote, f"not enough {market.base}: {base} left to sell"))
            base = _ZERO
            continue
        base = money.subtract(base, amount)
        kept.append(quote if amount == quote.amount else _resized(quote, amount))
    for quote in buys:
        unit = multiply(quote.price, with_fee)  # the cost of one unit, fee included: exact
        affordable = money.divide(cash, unit, market.amount_increment, Rounding.DOWN)
        amount = quote.amount if quote.amount <= affordable else affordable
        if amount < quote.amount and meets_minimums(market, quote.price, amount) is not None:
            dropped.append((quote, f"not enough {market.quote}: {cash} left to buy with"))
            cash = _ZERO
            continue
        cash = money.subtract(cash, multiply(amount, unit))
        kept.append(quote if amount == quote.amount else _resized(quote, amount))
    return kept, dropped


def _resized(quote: DesiredQuote, amount: Decimal) -> DesiredQuote:
    return DesiredQuote(quote.side, quote.price, amount, quote.tag)
