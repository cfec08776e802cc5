"""Benchmark: Solana price reads and swap round trips against the local stand-ins.

    .venv/bin/python benchmarks/solana_venues.py

(Not ``benchmarks/solana.py``: run as a script, that name would shadow the ``solana``
package for every import.)

The world is tests/solana's: LiteSVM behind the JSON-RPC stand-in, Jupiter's stand-in,
both on 127.0.0.1 (aiohttp, in this process). Figures, each the median of interleaved
rounds (one call of each action per round, so drift in machine load hits every side
alike), with the ratio to a baseline measured in the same rounds:

- price reads: ``prices.raydium`` (one ``getMultipleAccounts`` of the pool state and its
  two vaults, then the exact ratio) and ``prices.jupiter`` (one ``GET /quote`` to the
  Jupiter stand-in), against the baseline of one bare RPC round trip (``getBalance``
  through the same client). Reads per second is 1000 / the median in ms.
- swap round trip: ``exchanges.solana.jupiter`` (quote, ``POST /swap``, the transaction's
  checks, signing, ``sendTransaction``, status polling until confirmed, then
  ``getTransaction`` for the receipt) against the baseline of a plain SOL transfer built,
  signed, sent and confirmed through the same RPC component. Both poll the status every
  ``POLL`` seconds; LiteSVM executes at once, so this is the client's path plus the
  stand-ins, not a real cluster's latency.

Prints figures and whether bytecode was cached; asserts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import structlog
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUNDS = 40
POLL = 0.005


from _interleaved import bytecode_cached, interleaved, report, swap_round_trips  # noqa: E402

CACHED = bytecode_cached(["plugins.exchanges.solana.jupiter", "plugins.prices.raydium",
                          "tests.solana.chain"])

from plugins.exchanges.solana.jupiter import Jupiter, JupiterArgs  # noqa: E402
from plugins.exchanges.solana.rpc import SolanaRpc, SolanaRpcArgs  # noqa: E402
from plugins.exchanges.solana.wallet import SolanaWallet, SolanaWalletArgs  # noqa: E402
from plugins.http.session import HttpSessionArgs, HttpSessionComponent  # noqa: E402
from plugins.prices._pool import PoolPriceArgs  # noqa: E402
from plugins.prices.jupiter import JupiterPrice  # noqa: E402
from plugins.prices.raydium import RaydiumPrice, RaydiumPriceArgs  # noqa: E402
from tests.solana.chain import LocalChain, rpc_app  # noqa: E402
from tests.solana.conftest import context, serve  # noqa: E402
from tests.solana.jupiter_standin import JupiterStandIn  # noqa: E402
from tests.solana.test_raydium import Pool  # noqa: E402


async def main() -> None:
    from solders.keypair import Keypair
    from solders.message import Message
    from solders.system_program import TransferParams, transfer
    from solders.transaction import Transaction

    logging.disable(logging.CRITICAL)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    chain = LocalChain()
    usdc, wsol = chain.mint(6), chain.mint(9)
    jupiter = JupiterStandIn(chain, usdc, wsol)
    jupiter.seed(2_000_000 * 10**6, 10_000 * 10**9)
    owner = Keypair()
    chain.svm.airdrop(owner.pubkey(), 100 * 10**9)
    chain.fund(owner.pubkey(), usdc, 10_000_000 * 10**6)
    chain.fund(owner.pubkey(), wsol, 1_000 * 10**9)
    pool = Pool(chain, coin=10_000 * 10**9, pc=2_000_000 * 10**6, pnl_coin=0, pnl_pc=0)
    rpc_runner, rpc_url = await serve(rpc_app(chain))
    jupiter_runner, jupiter_url = await serve(jupiter.app())
    rpc = SolanaRpc(SolanaRpcArgs(url=rpc_url, poll_interval=POLL), context("rpc"))
    http = HttpSessionComponent(HttpSessionArgs(), context("http"))
    await rpc.load()
    await http.load()
    wallet = SolanaWallet(SolanaWalletArgs(rpc=rpc, private_key=SecretStr(str(owner))),
                          context("wallet"))
    await wallet.load()
    venue = Jupiter(JupiterArgs(rpc=rpc, http=http, wallet=wallet, base_url=jupiter_url,
                                min_interval=0), context("jupiter"))
    await venue.load()
    raydium = RaydiumPrice(RaydiumPriceArgs(rpc=rpc, pool=str(pool.address),
                                            base=str(pool.coin_mint)), context("raydium"))
    await raydium.load()
    jupiter_price = JupiterPrice(PoolPriceArgs(venue=venue, base=str(wsol), quote=str(usdc)),
                                 context("jupiter_price"))
    await jupiter_price.load()
    try:
        reads = await interleaved(rounds=ROUNDS, actions={
            "baseline: one RPC round trip (getBalance)":
                lambda: rpc.lamports(str(owner.pubkey())),
            "prices.raydium (getMultipleAccounts of 3, exact ratio)": raydium.price,
            "prices.jupiter (GET /quote, one whole SOL)": jupiter_price.price,
        })
        report("Price reads", reads, "baseline: one RPC round trip (getBalance)", ROUNDS,
               rate=True)

        token_usdc, token_wsol = await venue.token(str(usdc)), await venue.token(str(wsol))
        receiver = Keypair().pubkey()
        chain.svm.airdrop(receiver, 10**9)

        sent = [0]

        async def plain_transfer() -> None:
            sent[0] += 1  # a distinct amount each time: the same transaction twice is refused
            message = Message([transfer(TransferParams(
                from_pubkey=owner.pubkey(), to_pubkey=receiver, lamports=1_000 + sent[0]))],
                owner.pubkey())
            signed = Transaction([owner], message, chain.svm.latest_blockhash())
            signature = str(signed.signatures[0])
            await rpc.send(bytes(signed))
            assert await rpc.confirm(signature) is not None

        await swap_round_trips(
            venue, token_usdc, token_wsol, label="exchanges.solana.jupiter",
            baseline=("baseline: SOL transfer (sign, send, confirm)", plain_transfer),
            rounds=ROUNDS, poll=POLL)
    finally:
        for component in (raydium, venue, wallet, http, rpc):
            await component.unload()
        await jupiter_runner.cleanup()
        await rpc_runner.cleanup()
    print(f"Bytecode cached before this run: {'yes' if CACHED else 'no (first run compiled)'}")


if __name__ == "__main__":
    asyncio.run(main())
