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
import importlib.util
import logging
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUNDS = 40
POLL = 0.005


def bytecode_cached(modules: list[str]) -> bool:
    """Whether every module's compiled bytecode was on disk before this run imported it."""
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        if not Path(importlib.util.cache_from_source(spec.origin)).exists():
            return False
    return True


CACHED = bytecode_cached(["plugins.exchanges.multiversx.xexchange",
                          "plugins.exchanges.multiversx.proxy", "tests.multiversx.standin"])

from plugins.prices._pool import PoolPriceArgs  # noqa: E402
from plugins.prices.xexchange import XExchangePrice  # noqa: E402
from schemas.swap import SwapKind  # noqa: E402
from tests.multiversx.conftest import (  # noqa: E402
    CHAIN,
    USDC,
    WEGLD,
    World,
    context,
    fund,
    pair_address,
    proxy_component,
    serve,
    wallet_component,
)
from tests.multiversx.standin import ProxyStandIn  # noqa: E402


async def interleaved(actions: dict[str, Callable[[], Awaitable[Any]]]) -> dict[str, float]:
    """Median ms of each action, measured in alternation, one call of each per round."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for action in actions.values():
        await action()  # warm up (caches, connections, the thread pool)
    for _ in range(ROUNDS):
        for name, action in actions.items():
            start = time.perf_counter()
            await action()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def report(title: str, figures: dict[str, float], baseline: str, *, rate: bool) -> None:
    print(f"{title} (median of {ROUNDS} interleaved rounds, ms):")
    for name, value in figures.items():
        per_second = f"  {1000 / value:8.1f} /s" if rate else ""
        print(f"  {name:58s} {value:8.2f} ms{per_second}  x{value / figures[baseline]:.2f}")


async def main() -> None:
    from multiversx_sdk import Transaction, UserSecretKey

    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    chain = ProxyStandIn(CHAIN)
    chain.issue(WEGLD, 18)
    chain.issue(USDC, 6)
    key = UserSecretKey.generate()
    owner = key.generate_public_key().to_address("erd")
    pair = pair_address(owner)
    chain.add_pair(pair, WEGLD, USDC, 10**9 * 10**18, 40 * 10**9 * 10**6)  # deep: 40 USDC
    fund(chain, owner.to_bech32())
    chain.account(owner.to_bech32()).egld = 10**6 * 10**18
    chain.account(owner.to_bech32()).esdt[USDC] = 10**9 * 10**6
    runner, url = await serve(chain.app())
    proxy = await proxy_component(url, poll_interval=POLL)
    wallet = await wallet_component(proxy, key.hex())
    world = World(chain, url, key, owner.to_bech32(), pair, proxy, wallet)
    venue = await world.venue()
    price = XExchangePrice(PoolPriceArgs(venue=venue, base=WEGLD, quote=USDC),
                           context("egld_price"))
    await price.load()
    wegld, usdc = await venue.token(WEGLD), await venue.token(USDC)
    try:
        reads = await interleaved({
            "baseline: one proxy round trip (an ESDT balance)":
                lambda: proxy.esdt(owner, USDC),
            "prices.xexchange (reserves view + shard block, concurrent)": price.price,
            "xexchange quote, exact in (getAmountOut view)":
                lambda: venue.quote(SwapKind.EXACT_IN, usdc, wegld, Decimal(10)),
        })
        report("Price reads", reads, "baseline: one proxy round trip (an ESDT balance)",
               rate=True)

        async def plain_transfer() -> None:
            transaction = Transaction(sender=owner, receiver=owner, gas_limit=50_000,
                                      gas_price=1_000_000_000, chain_id=CHAIN, value=1)
            async with wallet.nonce() as nonce:
                transaction.nonce = nonce
                wallet.sign(transaction)
                await proxy.send(transaction)
            from multiversx_sdk import TransactionComputer

            tx_hash = TransactionComputer().compute_transaction_hash(transaction).hex()
            assert await proxy.confirm(tx_hash)

        async def xexchange_swap() -> None:
            quote = await venue.quote(SwapKind.EXACT_IN, usdc, wegld, Decimal(10))
            await venue.swap(quote.request(Decimal("0.05"),
                                           venue.clock.now() + timedelta(minutes=1)))

        swaps = await interleaved({
            "baseline: EGLD transfer (sign, send, confirm)": plain_transfer,
            "exchanges.multiversx.xexchange swap (quote .. receipt)": xexchange_swap,
        })
        report(f"Swap round trip (status polled every {POLL * 1000:.0f} ms)", swaps,
               "baseline: EGLD transfer (sign, send, confirm)", rate=False)
    finally:
        for component in (price, venue, wallet, proxy):
            await component.unload()
        await runner.cleanup()
    print(f"Bytecode cached before this run: {'yes' if CACHED else 'no (first run compiled)'}")


if __name__ == "__main__":
    asyncio.run(main())
