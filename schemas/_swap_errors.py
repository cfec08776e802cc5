"""The swap venues' errors (re-exported by :mod:`schemas.swap`): the project's exchange
errors, with the chain's own words. A revert is mined and burnt gas; a dropped or unknown
swap is never assumed to have failed."""

from __future__ import annotations

from decimal import Decimal

from schemas._errors import ExchangeError, InsufficientFunds, InvalidOrder

__all__ = [
    "DeadlineExpired",
    "GasBudgetExceeded",
    "InsufficientAllowance",
    "SlippageExceeded",
    "SwapDropped",
    "SwapInsufficientFunds",
    "SwapOutcomeUnknown",
    "SwapReverted",
]


class SwapReverted(InvalidOrder):
    """The transaction was mined and reverted: nothing was swapped, its gas was spent.

    ``reason`` is the chain's own revert reason (decoded), ``tx_hash``/``block``/``gas_used``
    locate it and ``gas_cost`` is the network fee it burnt (native coin); they are None
    when a simulation before sending reverted (nothing sent).
    """

    summary = "the swap reverted on chain"

    def __init__(
        self,
        reason: str,
        *,
        venue: str | None = None,
        tx_hash: str | None = None,
        block: int | None = None,
        gas_used: int | None = None,
        gas_cost: Decimal | None = None,
    ) -> None:
        where = f" in transaction {tx_hash} (block {block})" if tx_hash else " (not sent)"
        super().__init__(f"{self.summary}{where}: {reason}", venue=venue)
        self.reason = reason
        self.tx_hash = tx_hash
        self.block = block
        self.gas_used = gas_used
        self.gas_cost = gas_cost


class SlippageExceeded(SwapReverted):
    """The pool gave less than the minimum out (or wanted more than the maximum in)."""

    summary = "the swap would breach its slippage bound"


class DeadlineExpired(SwapReverted):
    """The swap reached the chain after its deadline."""

    summary = "the swap's deadline passed"


class SwapInsufficientFunds(SwapReverted, InsufficientFunds):
    """The wallet holds less of the input token (or of the native coin for gas) than needed."""

    summary = "not enough balance for the swap"


class InsufficientAllowance(SwapReverted):
    """The spender (router or pool) may move less of the token than the swap needs."""

    summary = "the token allowance is below the swap's input"


class GasBudgetExceeded(InvalidOrder):
    """Refused before sending: the swap's gas would exceed the mandate's remaining budget."""

    summary = "the swap's gas would exceed the gas budget"

    def __init__(
        self, *, needed: Decimal, remaining: Decimal, currency: str, venue: str | None = None
    ) -> None:
        super().__init__(
            f"{self.summary} (nothing sent): it may cost up to {needed.normalize():f} "
            f"{currency}, {remaining.normalize():f} {currency} of the budget remains",
            venue=venue,
        )
        self.needed = needed
        self.remaining = remaining
        self.currency = currency


class SwapDropped(ExchangeError):
    """The transaction will never execute: another one took its nonce (replaced) or the
    network forgot it (dropped) before it was mined. Nothing was swapped."""

    summary = "the swap's transaction was dropped or replaced; it will never execute"

    def __init__(self, message: str = "", *, tx_hash: str, venue: str | None = None) -> None:
        super().__init__(f"{message or self.summary} (transaction {tx_hash})", venue=venue)
        self.tx_hash = tx_hash


class SwapOutcomeUnknown(ExchangeError):
    """The transaction was sent but its outcome could not be established (not mined within
    the wait, the node unreachable). It may still execute: look it up by ``tx_hash``."""

    retryable = True
    summary = "the swap was sent; whether it executed is unknown"

    def __init__(self, message: str = "", *, tx_hash: str, venue: str | None = None) -> None:
        super().__init__(f"{message or self.summary} (transaction {tx_hash})", venue=venue)
        self.tx_hash = tx_hash


# -- the interface --------------------------------------------------------------------------
