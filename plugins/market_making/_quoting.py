"""Quote arithmetic shared by the strategies and the service: ladders and quantization.

Every function is pure and exact (``Decimal`` in, ``Decimal`` out): arithmetic goes through
:mod:`schemas.money`, so no digit is lost to a decimal context and every rounding states its
direction. Quantization follows :class:`schemas.Market`'s rule: a buy price rounds down, a
sell price rounds up, an amount rounds down, so a quote is never more aggressive than asked.
Funding the quotes from the balances is :mod:`~plugins.market_making._funding`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Literal, NamedTuple

from schemas import Market, Side, money
from schemas.market_making import DesiredQuote, check_quote
from schemas.money import Rounding

__all__ = [
    "LadderRung",
    "Sides",
    "ladder_shape",
    "meets_minimums",
    "on_grid",
    "priced_ladder",
    "quantize_quotes",
]

Sides = Literal["both", "buy", "sell"]
_ONE = Decimal(1)
_ZERO = Decimal(0)


class LadderRung(NamedTuple):
    """One quote of a ladder before the reference is known: its price is ``centre *
    factor``; ``sized`` says whether its amount is positive."""

    side: Side
    factor: Decimal
    amount: Decimal
    tag: str
    sized: bool


def ladder_shape(
    *,
    levels: int,
    spread: Decimal,
    step: Decimal,
    amount: Decimal,
    amount_step: Decimal = _ZERO,
    amount_factor: Decimal = _ONE,
    sides: Sides = "both",
    buy_scale: Decimal = _ONE,
    sell_scale: Decimal = _ONE,
    tag: str = "",
) -> tuple[LadderRung, ...]:
    """A ladder without its reference: ``levels`` quotes per side, level ``i`` at
    ``spread + i * step`` (fractions of the reference) from the centre, sized ``amount *
    amount_factor**i + i * amount_step`` (times ``buy_scale`` / ``sell_scale``): each
    quote's price factor (``1 - distance`` or ``1 + distance``), amount and tag, in the
    ladder's order. The same for every tick of a strategy whose args do not change, so it
    can be kept; :func:`priced_ladder` prices it."""
    rungs: list[LadderRung] = []
    size = amount
    for level in range(levels):
        distance = money.add(spread, money.multiply(step, Decimal(level)))
        sized = money.add(size, money.multiply(amount_step, Decimal(level)))
        label = f"{tag}{level}" if tag else str(level)
        if sides != "sell":
            qty = money.multiply(sized, buy_scale)
            rungs.append(
                LadderRung(Side.BUY, money.subtract(_ONE, distance), qty, label, qty > 0)
            )
        if sides != "buy":
            qty = money.multiply(sized, sell_scale)
            rungs.append(LadderRung(Side.SELL, money.add(_ONE, distance), qty, label, qty > 0))
        size = money.multiply(size, amount_factor)
    return tuple(rungs)


def priced_ladder(
    shape: Sequence[LadderRung], reference: Decimal, shift: Decimal = _ZERO
) -> list[DesiredQuote]:
    """The ladder's quotes around ``reference * (1 + shift)``; levels whose price or size
    would not be positive are left out."""
    centre = reference if shift.is_zero() else money.multiply(reference, money.add(_ONE, shift))
    quotes: list[DesiredQuote] = []
    append = quotes.append
    multiply = money.multiply
    for side, factor, qty, label, sized in shape:
        price = multiply(centre, factor)
        if price > 0 and sized:
            append(DesiredQuote(side, price, qty, label))
    return quotes


def on_grid(market: Market, quote: DesiredQuote) -> bool:
    """Whether ``quote`` is exactly what ``market.check_order`` would send: price on the
    tick, amount on the step, within the market's minimums and maximum (a cheap test that
    lets a quantized quote skip the full check)."""
    price, amount = quote.price, quote.amount
    if not money.is_multiple(price, market.price_increment):
        return False
    if not money.is_multiple(amount, market.amount_increment):
        return False
    if market.max_amount is not None and amount > market.max_amount:
        return False
    return market.active and meets_minimums(market, price, amount) is None


def meets_minimums(market: Market, price: Decimal, amount: Decimal) -> str | None:
    """Why an order of ``amount`` at ``price`` is under the market's minimums, or None."""
    if amount <= 0:
        return f"amount rounds to zero at step {market.amount_increment}"
    if amount < market.min_amount:
        return f"amount {amount} is under the market minimum {market.min_amount}"
    if price <= 0:
        return f"price rounds to zero at tick {market.price_increment}"
    if market.min_notional is not None:
        notional = money.multiply(amount, price)
        if notional < market.min_notional:
            return f"notional {notional} is under the market minimum {market.min_notional}"
    return None


def quantize_quotes(
    quotes: Iterable[DesiredQuote], market: Market
) -> tuple[list[DesiredQuote], list[tuple[DesiredQuote, str]]]:
    """Quotes on the market's tick and step, merged by side and price, and those dropped
    (with the reason): malformed quotes (:func:`check_quote`), amounts that round to zero
    or under the venue's minimums. Merged amounts are capped at the market's
    ``max_amount``."""
    # Kept quotes, in order. While the kept buys come at strictly falling prices and the
    # kept sells at strictly rising ones (a ladder's order), no two share a side and a
    # price, so there is nothing to merge and ``kept`` is what the merging dict would hold
    # (without hashing a fresh Decimal per quote). The first quote that breaks the order
    # switches to the dict, filled from ``kept``, for the rest of the quotes.
    kept: list[DesiredQuote] = []
    merged: dict[tuple[Side, Decimal], DesiredQuote] | None = None
    last_buy: Decimal | None = None
    last_sell: Decimal | None = None
    dropped: list[tuple[DesiredQuote, str]] = []
    tick, step = market.price_increment, market.amount_increment
    round_to, multiply = money.round_to, money.multiply
    floor, ceiling = Rounding.FLOOR, Rounding.CEILING
    max_amount = market.max_amount
    buy = Side.BUY
    min_amount, min_notional = market.min_amount, market.min_notional
    for quote in quotes:
        side, raw_price, raw_amount = quote.side, quote.price, quote.amount
        if (  # the usual well-formed quote passes these without a function call
            type(raw_price) is not Decimal or type(raw_amount) is not Decimal
            or type(side) is not Side or not raw_price.is_finite()
            or not raw_amount.is_finite() or raw_price <= 0 or raw_amount <= 0
        ):
            problem = check_quote(quote)
            if problem is not None:
                dropped.append((quote, problem))
                continue
        # the market's rounding rule: a buy rounds down, a sell up, an amount down
        price = round_to(raw_price, tick, floor if side is buy else ceiling)
        amount = round_to(raw_amount, step, floor)
        if max_amount is not None and amount > max_amount:
            amount = max_amount
        if merged is None:
            ordered = (
                (last_buy is None or price < last_buy) if side is buy
                else (last_sell is None or price > last_sell)
            )
            if not ordered:
                merged = {(q.side, q.price): q for q in kept}
        if merged is not None:
            key = (side, price)
            earlier = merged.get(key)
            if earlier is not None:
                amount = money.add(earlier.amount, amount)
                if max_amount is not None and amount > max_amount:
                    amount = max_amount
                merged[key] = DesiredQuote(side, price, amount, earlier.tag)
                continue
        if (
            amount <= 0 or amount < min_amount or price <= 0
            or (min_notional is not None and multiply(amount, price) < min_notional)
        ):
            dropped.append((quote, meets_minimums(market, price, amount) or "under minimums"))
            continue
        if merged is not None:
            merged[(side, price)] = DesiredQuote(side, price, amount, quote.tag)
        else:
            kept.append(DesiredQuote(side, price, amount, quote.tag))
            if side is buy:
                last_buy = price
            else:
                last_sell = price
    return (list(merged.values()) if merged is not None else kept), dropped
