"""What an EVM venue reads from the chain's logs: a mined swap's ERC-20 transfers and a
pool's swap events.

The logs are what the chain did, not what was asked: a receipt's amounts are the
``Transfer`` events of the tokens swapped (from the wallet for the input, to the recipient
for the output), and a pool's trades are its ``Swap`` events, each read as the two tokens'
amounts into the pool (negative: out of it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemas.swap import PoolTrade, Token

__all__ = ["TRANSFER_TOPIC", "V2_SWAP_EVENT", "V3_SWAP_EVENT", "trades", "transferred",
           "v2_deltas", "v3_deltas", "wallet_transfers"]

TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
"""keccak256("Transfer(address,address,uint256)"), the ERC-20 transfer event."""

V2_SWAP_EVENT = "Swap(address,uint256,uint256,uint256,uint256,address)"
"""Uniswap v2 pairs' swap event: sender, amount0In, amount1In, amount0Out, amount1Out, to."""
V3_SWAP_EVENT = "Swap(address,address,int256,int256,uint160,uint128,int24)"
"""Uniswap v3 and Algebra pools' swap event: sender, recipient, amount0, amount1 (into the
pool, signed), price, liquidity, tick."""


def _signed(word: bytes) -> int:
    value = int.from_bytes(word, "big")
    return value - (1 << 256) if value >> 255 else value


def _is_transfer(log: Any) -> bool:
    topics = log["topics"]
    return len(topics) == 3 and bytes(topics[0]).hex().removeprefix("0x") == TRANSFER_TOPIC


def _party(log: Any, position: int) -> int:
    """The address in topic ``position`` (1: from, 2: to) of a transfer, as an integer."""
    return int(bytes(log["topics"][position]).hex().removeprefix("0x") or "0", 16)


def transferred(logs: list[Any], token: str, *, source: str | None = None,
                target: str | None = None) -> int:
    """Units of ``token`` moved from ``source`` (or to ``target``) by the receipt's logs."""
    position, party = (1, source) if source is not None else (2, str(target))
    return sum(int.from_bytes(bytes(log["data"]), "big") for log in logs
               if _is_transfer(log) and str(log["address"]).lower() == token.lower()
               and _party(log, position) == int(party, 16))


def wallet_transfers(logs: list[Any], owner: str) -> tuple[list[tuple[str, int]], set[str]]:
    """The transfers out of ``owner`` (token, receiver as an integer) and the tokens
    transferred to it."""
    spent = [(str(log["address"]), _party(log, 2)) for log in logs
             if _is_transfer(log) and _party(log, 1) == int(owner, 16)]
    got = {str(log["address"]) for log in logs
           if _is_transfer(log) and _party(log, 2) == int(owner, 16)}
    return spent, got


def v3_deltas(data: bytes) -> tuple[int, int]:
    """Token0 and token1 into the pool from a Uniswap v3 or Algebra swap event's data: its
    first two words, signed."""
    return _signed(data[0:32]), _signed(data[32:64])


def v2_deltas(data: bytes) -> tuple[int, int]:
    """Token0 and token1 into the pair from a Uniswap v2 swap event's data (in - out)."""
    in0, in1, out0, out1 = (int.from_bytes(data[i:i + 32], "big") for i in range(0, 128, 32))
    return in0 - out0, in1 - out1


def trades(logs: list[Any], pool: str, base: Token, quote: Token,
           deltas: Callable[[bytes], tuple[int, int]]) -> list[PoolTrade]:
    """The trades of ``pool``'s swap events in ``logs``, in chain order (events that move
    only one token skipped)."""
    base_first = base.address.lower() < quote.address.lower()
    found: list[PoolTrade] = []
    for log in logs:
        delta0, delta1 = deltas(bytes(log["data"]))
        base_delta, quote_delta = (delta0, delta1) if base_first else (delta1, delta0)
        if base_delta == 0 or quote_delta == 0:
            continue
        found.append(PoolTrade(
            pool=pool, block=int(log["blockNumber"]),
            tx_hash="0x" + bytes(log["transactionHash"]).hex().removeprefix("0x"),
            index=int(log["logIndex"]), base=base.from_units(abs(base_delta)),
            quote=quote.from_units(abs(quote_delta)), base_in=base_delta > 0))
    found.sort(key=lambda trade: (trade.block, trade.index))
    return found
