"""Sending one transaction and learning its fate: simulate, budget, sign, send, wait.

The order of the steps is the failure design:

1. The node simulates the call (``eth_estimateGas``). A revert here is reported with the
   contract's reason and *nothing is sent* (``SwapReverted``, "not sent").
2. The gas policy prices it and reserves its worst case from the budget
   (``GasBudgetExceeded``: nothing sent).
3. A nonce is taken and the signed transaction sent under the wallet's nonce lock. Its hash
   is computed before sending, so a send that times out is reported as
   ``SwapOutcomeUnknown`` with the hash to look up, never as "not sent". A send the node
   refuses (it answered) is permanent and releases the reservation.
4. The receipt is polled every ``poll_interval`` until ``confirm_timeout``, both in wall
   time whatever the mandate's clock (:func:`~plugins.exchanges._onchain.endpoint.poll`, as
   the other families do): the node mines in real time, and a virtual clock, which cannot
   see the node's I/O, would let the timeout pass in a few quick polls, calling a swap the
   node mines a moment later unknown. Meanwhile, and at the end, the wallet's mined nonce
   count tells a *replaced* transaction (its nonce used by another) and
   ``eth_getTransactionByHash`` a *dropped* one: both are ``SwapDropped`` (it will never
   execute) and resynchronise the nonce manager. Otherwise the outcome is unknown, and the
   reservation is kept.
5. A mined transaction that reverted is replayed with ``eth_call`` on the state its block
   left, to recover the revert reason: a reverted transaction changed nothing, so that is
   the state it met when it was alone in its block, and the state after whatever ran
   before it (a front-run) otherwise. The reason is the replay's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from plugins.exchanges._onchain.endpoint import poll, translated
from plugins.exchanges.evm._errors import revert_error, revert_reason, rpc_error
from plugins.exchanges.evm.chain import EvmChain
from plugins.exchanges.evm.gas import GasPolicy, Reservation
from plugins.exchanges.evm.wallet import EvmWallet
from schemas.swap import SignedHook, SwapDropped, SwapOutcomeUnknown

__all__ = ["Mined", "Pending", "Transactor", "block_time", "replayed_reason"]

_REPLACED_CHECK_EVERY = 10
"""Polls between two checks that the nonce was not taken by another transaction."""


@dataclass(frozen=True)
class Mined:
    """A transaction mined successfully."""

    tx_hash: str
    block: int
    gas_used: int
    gas_cost_wei: int
    logs: list[Any]
    timestamp: datetime


@dataclass(frozen=True)
class Pending:
    """A transaction sent and not yet known to be mined."""

    tx_hash: str
    nonce: int
    reservation: Reservation
    call: dict[str, Any]


def block_time(block: Any) -> datetime:
    return datetime.fromtimestamp(int(block["timestamp"]), UTC)


class _NotSent(Exception):
    """The ``signed`` hook failed: nothing was sent; ``cause`` is its error."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


async def _announce(signed: SignedHook, tx_hash: str, gas: GasPolicy,
                    reservation: Reservation) -> None:
    try:
        await signed(tx_hash)
    except Exception as error:
        gas.settle(reservation, None)
        raise _NotSent(error) from error


async def replayed_reason(web3: Any, call: dict[str, Any], block: int) -> str:
    """The revert reason of ``call`` replayed with ``eth_call`` on the state of ``block``."""
    try:
        await web3.eth.call(call, block_identifier=block)
    except Exception as error:
        reason = revert_reason(error)
        if reason is not None:
            return reason
    return "reverted (the reason could not be recovered by replaying the call)"


class Transactor:
    """Sends transactions for one wallet under one gas policy, on behalf of a venue."""

    def __init__(self, chain: EvmChain, wallet: EvmWallet, gas: GasPolicy, venue: str) -> None:
        self.chain, self.wallet, self.gas, self.venue = chain, wallet, gas, venue

    async def send(self, to: str, data: str) -> Mined:
        """Send a call of ``data`` to ``to`` and wait until it is mined (see the module)."""
        return await self.confirm(await self.submit(to, data))

    async def submit(self, to: str, data: str, extra_gas: int = 0,
                     signed: SignedHook | None = None) -> Pending:
        """Steps 1 to 3: simulate, reserve gas, sign and send; the transaction in flight.
        ``extra_gas`` is added to the node's estimate before the policy's multiplier: work
        the mined transaction may do that the simulation did not (a new block's bookkeeping).
        ``signed`` is awaited with the hash between signing and sending; if it raises,
        nothing is sent (the nonce is read from the node again, the gas released)."""
        web3 = self.chain.web3
        call: dict[str, Any] = {"from": self.wallet.address, "to": to, "data": data, "value": 0}
        try:
            estimate = await web3.eth.estimate_gas(call)  # type: ignore[arg-type]
        except Exception as error:
            raise rpc_error(error, venue=self.venue) from error
        gas_limit = self.gas.gas_limit(estimate + extra_gas)
        fees = await self.gas.fees()
        reservation = await self.gas.reserve(gas_limit, fees)
        transaction = {
            "to": to, "data": data, "value": 0, "gas": gas_limit, "type": 2,
            "maxFeePerGas": fees.max_fee_per_gas,
            "maxPriorityFeePerGas": fees.max_priority_fee_per_gas,
        }
        tx_hash = ""
        try:
            async with self.wallet.nonces.reserve() as nonce:
                raw = self.wallet.sign({**transaction, "nonce": nonce})
                hashed = "0x" + bytes(web3.keccak(raw)).hex()
                if signed is not None:
                    await _announce(signed, hashed, self.gas, reservation)
                tx_hash = hashed
                await web3.eth.send_raw_transaction(raw)
        except _NotSent as error:
            raise error.cause from None
        except Exception as error:
            failure = rpc_error(error, venue=self.venue)
            if failure.retryable and tx_hash:
                raise SwapOutcomeUnknown(
                    f"sending failed ({failure.message}); the node may have taken it",
                    tx_hash=tx_hash, venue=self.venue,
                ) from error
            self.gas.settle(reservation, None)
            raise failure from error
        return Pending(tx_hash, nonce, reservation, call)

    async def confirm(self, pending: Pending) -> Mined:
        """Steps 4 and 5: wait for the receipt; the mined transaction or its failure."""
        receipt = await self._wait(pending.tx_hash, pending.nonce, pending.reservation)
        gas_used = int(receipt["gasUsed"])
        self.gas.settle(pending.reservation, gas_used * int(receipt["effectiveGasPrice"]))
        block = int(receipt["blockNumber"])
        if int(receipt["status"]) != 1:
            reason = await self._replayed_reason(pending.call, block)
            raise revert_error(reason, venue=self.venue, tx_hash=pending.tx_hash, block=block,
                               gas_used=gas_used,
                               gas_cost_wei=gas_used * int(receipt["effectiveGasPrice"]))
        header = await self._call(self.chain.web3.eth.get_block(block))
        return Mined(
            tx_hash=pending.tx_hash, block=block, gas_used=gas_used,
            gas_cost_wei=gas_used * int(receipt["effectiveGasPrice"]),
            logs=list(receipt["logs"]), timestamp=block_time(header),
        )

    async def _wait(self, tx_hash: str, nonce: int, reservation: Reservation) -> Any:
        """The receipt, polled in wall time (see the module, step 4); ``SwapDropped`` when
        the transaction can never be mined, ``SwapOutcomeUnknown`` when it is not mined in
        ``confirm_timeout``."""
        polls = 0

        async def mined() -> Any:
            nonlocal polls
            receipt = await self._receipt(tx_hash)
            polls += 1
            if receipt is None and polls % _REPLACED_CHECK_EVERY == 0:
                await self._refuse_dropped(tx_hash, nonce, reservation)
            return receipt

        args = self.chain.args
        receipt = await poll(mined, every=args.poll_interval, within=args.confirm_timeout)
        if receipt is None:
            await self._refuse_dropped(tx_hash, nonce, reservation)
            raise SwapOutcomeUnknown(f"not mined within {args.confirm_timeout}s",
                                     tx_hash=tx_hash, venue=self.venue)
        return receipt

    async def _receipt(self, tx_hash: str) -> Any:
        """The transaction's receipt; None while the node has none or cannot say now."""
        from web3.exceptions import TransactionNotFound

        try:
            return await self.chain.web3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None
        except Exception as error:
            if not rpc_error(error).retryable:
                raise rpc_error(error, venue=self.venue) from error
            return None

    async def _refuse_dropped(self, tx_hash: str, nonce: int, reservation: Reservation) -> None:
        """``SwapDropped`` (the nonce resynchronised, the gas released) when the transaction
        can never be mined."""
        dropped = await self._dropped(tx_hash, nonce)
        if dropped is not None:
            self.wallet.nonces.resync()
            self.gas.settle(reservation, None)
            raise SwapDropped(dropped, tx_hash=tx_hash, venue=self.venue)

    async def _dropped(self, tx_hash: str, nonce: int) -> str | None:
        """Why the transaction can never be mined, or None while it still can."""
        from web3.exceptions import TransactionNotFound

        web3 = self.chain.web3
        try:
            mined = await web3.eth.get_transaction_count(self.wallet.address, "latest")  # type: ignore[arg-type]
            if mined > nonce:
                try:
                    await web3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
                    return None  # mined between the two reads
                except TransactionNotFound:
                    return f"nonce {nonce} was used by another transaction (replaced)"
            await web3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return "the node no longer knows the transaction (dropped)"
        except Exception:
            return None  # cannot tell now: keep waiting
        return None

    async def _replayed_reason(self, call: dict[str, Any], block: int) -> str:
        return await replayed_reason(self.chain.web3, call, block)

    async def _call(self, awaitable: Any) -> Any:
        return await translated(awaitable, rpc_error, venue=self.venue)
