"""``exchanges.evm.gas``: EIP-1559 fees under caps, and the mandate's gas budget.

Fees: the priority fee is the node's suggestion capped at ``max_priority_fee_gwei``; the
fee cap is ``base_fee_multiplier`` times the latest base fee plus that tip, capped at
``max_fee_gwei``. When the base fee alone is above the cap the transaction would never be
mined at our price, so nothing is sent (``InvalidOrder``, retry later).

Budget: ``budget`` native coin for the whole run, shared by every sender that uses this
policy. Before a transaction is sent, its worst case (gas limit x fee cap) is reserved;
when the receipt arrives the reservation becomes the real cost (gas used x effective
price). A transaction whose worst case exceeds what remains is refused with
``GasBudgetExceeded`` and never sent. A transaction whose fate is unknown keeps its
reservation (it may still be mined). The budget lives in memory: a restarted mandate
starts with a full budget.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field

from fortuna import Component, ComponentArgs, ExactDecimal
from plugins.exchanges.evm._errors import rpc_error
from plugins.exchanges.evm.chain import EvmChain
from schemas import InvalidOrder
from schemas.money import Rounding, from_units, multiply, to_units
from schemas.swap import GasBudgetExceeded

__all__ = ["Fees", "GasPolicy", "GasPolicyArgs", "Reservation"]

_GWEI = 9
_NATIVE = 18


@dataclass(frozen=True)
class Fees:
    """EIP-1559 fee fields of one transaction, in wei per gas."""

    max_fee_per_gas: int
    max_priority_fee_per_gas: int


@dataclass
class Reservation:
    """Native coin (wei) held back from the budget for one transaction in flight."""

    wei: int
    settled: bool = False


class GasPolicyArgs(ComponentArgs):
    chain: EvmChain = Field(description="the chain whose fees are read (@name)")
    max_fee_gwei: ExactDecimal = Field(
        gt=0, description="highest fee per gas ever offered (base + tip), in gwei, e.g. 100"
    )
    max_priority_fee_gwei: ExactDecimal = Field(
        default=Decimal(2), ge=0, description="highest tip per gas to the block producer, gwei"
    )
    base_fee_multiplier: ExactDecimal = Field(
        default=Decimal(2), ge=1, le=10,
        description="fee cap = this x the latest base fee + the tip (room for base fee rises)",
    )
    gas_limit_multiplier: ExactDecimal = Field(
        default=Decimal("1.2"), ge=1, le=5,
        description="gas limit = this x the node's estimate (the estimate can fall short)",
    )
    budget: ExactDecimal | None = Field(
        default=None, ge=0,
        description="native coin (ETH, BNB...) the mandate may spend on gas in all, e.g. 0.05; "
        "a transaction that could exceed what remains is not sent. None: no budget",
    )


class GasPolicy(Component[GasPolicyArgs]):
    """EIP-1559 fees under caps and a per-mandate gas budget checked before every send."""

    _spent: int = 0
    _reserved: int = 0
    _lock: asyncio.Lock | None = None

    async def load(self) -> None:
        self._spent, self._reserved, self._lock = 0, 0, asyncio.Lock()

    @property
    def currency(self) -> str:
        return self.args.chain.native_currency

    @property
    def spent(self) -> Decimal:
        """Native coin spent on gas by settled transactions."""
        return from_units(self._spent, _NATIVE)

    @property
    def remaining(self) -> Decimal | None:
        """Budget left after spent and reserved gas; None without a budget."""
        if self.args.budget is None:
            return None
        left = to_units(self.args.budget, _NATIVE) - self._spent - self._reserved
        return from_units(max(left, 0), _NATIVE)

    async def fees(self) -> Fees:
        """The fee fields for a transaction sent now."""
        web3 = self.args.chain.web3
        try:
            block = await web3.eth.get_block("latest")
            suggested = int(await web3.eth.max_priority_fee)
        except Exception as error:
            raise rpc_error(error, venue=self.name) from error
        base = int(block.get("baseFeePerGas", 0))
        cap = to_units(self.args.max_fee_gwei, _GWEI, Rounding.DOWN)
        if base > cap:
            raise InvalidOrder(
                f"the base fee is {from_units(base, _GWEI)} gwei, above max_fee_gwei "
                f"{self.args.max_fee_gwei}; nothing sent, retry when fees fall", venue=self.name,
            )
        tip = min(suggested, self.tip_cap_wei)
        wanted = to_units(multiply(self.args.base_fee_multiplier, Decimal(base)), 0,
                          Rounding.CEILING) + tip
        return Fees(max_fee_per_gas=min(wanted, cap), max_priority_fee_per_gas=min(tip, cap))

    @property
    def tip_cap_wei(self) -> int:
        """The highest tip per gas this policy offers, in wei."""
        return to_units(self.args.max_priority_fee_gwei, _GWEI, Rounding.DOWN)

    def gas_limit(self, estimate: int) -> int:
        """The gas limit for a transaction the node estimated at ``estimate``."""
        return to_units(multiply(self.args.gas_limit_multiplier, Decimal(estimate)), 0,
                        Rounding.CEILING)

    def worst_cost(self, gas_limit: int, fees: Fees) -> Decimal:
        """The most a transaction can cost, in native coin."""
        return from_units(gas_limit * fees.max_fee_per_gas, _NATIVE)

    async def reserve(self, gas_limit: int, fees: Fees) -> Reservation:
        """Hold the transaction's worst case from the budget; ``GasBudgetExceeded`` (and
        nothing sent) when it does not fit."""
        wei = gas_limit * fees.max_fee_per_gas
        assert self._lock is not None, f"{self.name} is not loaded"
        async with self._lock:
            remaining = self.remaining
            if remaining is not None and wei > to_units(remaining, _NATIVE):
                raise GasBudgetExceeded(
                    needed=from_units(wei, _NATIVE), remaining=remaining,
                    currency=self.currency, venue=self.name,
                )
            self._reserved += wei
        return Reservation(wei)

    def settle(self, reservation: Reservation, spent_wei: int | None) -> None:
        """Turn a reservation into the real cost; ``None`` when nothing was sent."""
        if reservation.settled:
            return
        reservation.settled = True
        self._reserved -= reservation.wei
        self._spent += spent_wei or 0
