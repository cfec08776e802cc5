"""exchanges.solana.rpc and exchanges.solana.wallet against the LiteSVM JSON-RPC stand-in."""

from __future__ import annotations

import base64
import json

import pytest
from pydantic import SecretStr
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction

from plugins.exchanges.solana.rpc import ClusterMismatch, SolanaRpc
from plugins.exchanges.solana.wallet import SolanaWallet, SolanaWalletArgs
from plugins.prices._pool import PoolPriceArgs
from plugins.prices.jupiter import JupiterPrice
from schemas import AuthenticationError, ExchangeError, NetworkError
from tests.solana.chain import GENESIS_HASH
from tests.solana.conftest import World, context, rpc_component


async def test_the_genesis_hash_is_checked_at_load(world: World) -> None:
    ok = await rpc_component(world.rpc_url, genesis_hash=GENESIS_HASH)
    await ok.unload()
    with pytest.raises(ClusterMismatch, match="the mandate names 5eykt4"):
        await rpc_component(world.rpc_url,
                            genesis_hash="5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d")


async def test_an_unreachable_endpoint_is_a_retryable_network_error() -> None:
    with pytest.raises(NetworkError) as caught:
        await rpc_component("http://127.0.0.1:9")
    assert caught.value.retryable


def self_transfer(world: World) -> bytes:
    owner = world.owner
    message = MessageV0.try_compile(owner.pubkey(), [transfer(TransferParams(
        from_pubkey=owner.pubkey(), to_pubkey=Keypair().pubkey(), lamports=1_000_000))], [],
        world.chain.svm.latest_blockhash())
    return bytes(VersionedTransaction(message, [owner]))


async def test_a_replayed_transaction_is_refused(world: World) -> None:
    raw = self_transfer(world)
    signature = await world.rpc.send(raw)
    assert await world.rpc.confirm(signature) is not None
    with pytest.raises(ExchangeError, match="already been processed") as caught:
        await world.rpc.send(raw)
    assert not caught.value.retryable


async def test_a_forged_signature_is_refused_and_said_so(world: World) -> None:
    raw = bytearray(self_transfer(world))
    raw[1] ^= 0xFF  # the first byte after the signature count
    with pytest.raises(ExchangeError, match="Transaction signature verification failure"):
        await world.rpc.send(bytes(raw))
    assert world.chain.executed == {}


async def test_a_signature_the_cluster_never_saw_is_not_confirmed(world: World) -> None:
    quick = await rpc_component(world.rpc_url, confirm_timeout=0.05)
    never_sent = str(Keypair().sign_message(b"never sent"))
    assert await quick.status(never_sent) is None
    assert await quick.confirm(never_sent) is None
    await quick.unload()


async def wallet(rpc: SolanaRpc, key: str) -> SolanaWallet:
    component = SolanaWallet(SolanaWalletArgs(rpc=rpc, private_key=SecretStr(key)),
                             context("wallet"))
    await component.load()
    return component


async def test_a_key_file_array_and_a_base58_key_sign_for_the_same_account(
        world: World) -> None:
    array = json.dumps(list(bytes(world.owner)))
    assert (await wallet(world.rpc, array)).address == str(world.owner.pubkey())
    assert (await wallet(world.rpc, str(world.owner))).address == str(world.owner.pubkey())


@pytest.mark.parametrize("key", ["not-a-key", "[1, 2, 3]", "1" * 88, "[" + "300," * 63 + "1]"])
async def test_a_malformed_key_is_refused_without_quoting_it(world: World, key: str) -> None:
    with pytest.raises(AuthenticationError, match="not a Solana keypair") as caught:
        await wallet(world.rpc, key)
    assert key not in str(caught.value)


async def test_the_key_never_appears_in_the_wallet_or_its_args(world: World) -> None:
    component = await wallet(world.rpc, str(world.owner))
    shown = repr(component) + str(component.args) + repr(component.args)
    assert str(world.owner) not in shown
    assert base64.b64encode(bytes(world.owner)).decode() not in shown


async def test_prices_jupiter_reads_the_price_of_one_whole_base_token(world: World) -> None:
    venue = await world.venue(wallet=False)
    provider = JupiterPrice(PoolPriceArgs(venue=venue, base=str(world.wsol),
                                          quote=str(world.usdc)), context("sol_price"))
    await provider.load()
    quote = await provider.quote()
    assert str(quote.price) == "199.480101"
    assert quote.source.startswith("sol_price:")
