"""Benchmark: xExchange price reads and swap round trips against the proxy stand-in.

    .venv/bin/python benchmarks/multiversx_venues.py

The world is tests/multiversx's: the proxy stand-in (aiohttp, in this process, on
127.0.0.1) holding one WEGLD/USDC pair. multiversx-sdk is synchronous (``requests``), so
every call runs in a worker thread: these figures include that hop. Each is the median of
interleaved rounds (one call of each action per round, so drift in machine load hits
every side alike), with the ratio to a baseline measured in the same rounds:

- price reads: ``prices.xexchange`` (the pair's ``getReservesAndTotalSupply`` view and the
  shard's block nonce, concurrently, then the exact ratio) and a venue quote
  (``getAmountOut``), against the baseline of one bare proxy round trip through the same
  component (``/address/<bech32>/esdt/<id>``, one balance). Reads per second is 1000 / the
  median in ms.
- swap round trip: ``exchanges.multiversx.xexchange`` (a fresh quote, the transaction
  built with the ABI, a nonce, signing, ``/transaction/send``, status polling until
  completed, then the transaction with its events for the receipt) against the baseline of
  a plain EGLD transfer signed by the same wallet, sent and confirmed through the same
  proxy component. Both poll every ``POLL`` seconds; the stand-in executes at once, so this
  is the client's path plus the stand-in, not a real network's six-second rounds.

Prints figures and whether bytecode was cached; asserts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from decimal import Decimal
from pathlib import Path

import structlog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUNDS = 40
POLL = 0.005


from _interleaved import bytecode_cached, interleaved, report, swap_round_trips  # noqa: E402

CACHED = bytecode_cached(["plugins.exchanges.multiversx.xexchange",
                          "plugins.exchanges.multiversx.proxy", "tests.multiversx.standin"])

from plugins.prices._pool import PoolPriceArgs  # noqa: E402
from plugins.prices.xexchange import XExchangePrice  # noqa: E402
from schemas.swap import SwapKind  # noqa: E402
from tests.multiversx.conftest import CHAIN, USDC, WEGLD, build_world  # noqa: E402
from tests.solana.conftest import context  # noqa: E402


async def main() -> None:
    from multiversx_sdk import Transaction, TransactionComputer

    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    world, runner = await build_world(10**9 * 10**18, 40 * 10**9 * 10**6,  # deep: 40 USDC
                                      poll_interval=POLL)
    owner, proxy, wallet = world.wallet.address, world.proxy, world.wallet
    world.chain.account(world.owner).egld = 10**6 * 10**18
    world.chain.account(world.owner).esdt[USDC] = 10**9 * 10**6
    venue = await world.venue()
    price = XExchangePrice(PoolPriceArgs(venue=venue, base=WEGLD, quote=USDC),
                           context("egld_price"))
    await price.load()
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    try:
        reads = await interleaved(rounds=ROUNDS, actions={
            "baseline: one proxy round trip (an ESDT balance)":
                lambda: proxy.esdt(owner, USDC),
            "prices.xexchange (reserves view + shard block, concurrent)": price.price,
            "xexchange quote, exact in (getAmountOut view)":
                lambda: venue.quote(SwapKind.EXACT_IN, usdc, wegld, Decimal(10)),
        })
        report("Price reads", reads, "baseline: one proxy round trip (an ESDT balance)",
               ROUNDS, rate=True)

        async def plain_transfer() -> None:
            transaction = Transaction(sender=owner, receiver=owner, gas_limit=50_000,
                                      gas_price=1_000_000_000, chain_id=CHAIN, value=1)
            async with wallet.nonce() as nonce:
                transaction.nonce = nonce
                wallet.sign(transaction)
                await proxy.send(transaction)
            tx_hash = TransactionComputer().compute_transaction_hash(transaction).hex()
            assert await proxy.confirm(tx_hash)

        await swap_round_trips(
            venue, usdc, wegld, label="exchanges.multiversx.xexchange",
            baseline=("baseline: EGLD transfer (sign, send, confirm)", plain_transfer),
            rounds=ROUNDS, poll=POLL)
    finally:
        for component in (price, venue, wallet, proxy):
            await component.unload()
        await runner.cleanup()
    print(f"Bytecode cached before this run: {'yes' if CACHED else 'no (first run compiled)'}")


if __name__ == "__main__":
    asyncio.run(main())
