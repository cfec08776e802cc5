"""A stand-in of Jupiter's Swap API v6 (``GET /quote``, ``POST /swap``) over a LocalChain.

It routes through one constant-product pool whose reserves are two real token accounts of
a pool authority on the chain (the quote reads them at request time), fee ``fee_bps`` of
the input, integer math rounded against the trader. ``/swap`` answers what Jupiter answers:
a base64 serialized v0 transaction for ``userPublicKey`` to sign: the compute-budget
instructions, then the SPL transfers of the quoted amounts (the trader's input to the pool,
the pool's output to the trader), already signed by the pool authority (the stand-in of
Jupiter's program moving the pool's side). Knobs let a test make it misbehave the ways a
remote API can: set more compute units or a higher priority fee than asked, build for
another user, co-sign badly, use an expired blockhash.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import MessageV0, to_bytes_versioned
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import VersionedTransaction

from plugins.exchanges.solana._spl import associated_token_address
from tests.solana.chain import TOKEN, LocalChain


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclass
class JupiterStandIn:
    chain: LocalChain
    mint_a: Pubkey
    mint_b: Pubkey
    fee_bps: int = 25
    authority: Keypair = field(default_factory=Keypair)
    requests: list[dict[str, Any]] = field(default_factory=list)
    simulated_units: int = 150_000
    extra_priority_price: int = 0
    other_user: Pubkey | None = None
    bad_cosign: bool = False
    stale_blockhash: bool = False
    rate_limited: bool = False
    tamper: dict[str, Any] = field(default_factory=dict)

    def seed(self, reserve_a: int, reserve_b: int) -> None:
        self.chain.fund(self.authority.pubkey(), self.mint_a, reserve_a)
        self.chain.fund(self.authority.pubkey(), self.mint_b, reserve_b)
        self.chain.svm.airdrop(self.authority.pubkey(), 10**9)

    def vault(self, mint: Pubkey) -> Pubkey:
        """The pool's token account of ``mint`` (the first one names the pool)."""
        return Pubkey.from_string(associated_token_address(str(self.authority.pubkey()),
                                                           str(mint)))

    def reserves(self, mint_in: str) -> tuple[int, int]:
        a = self.chain.token_amount(self.authority.pubkey(), self.mint_a)
        b = self.chain.token_amount(self.authority.pubkey(), self.mint_b)
        return (a, b) if mint_in == str(self.mint_a) else (b, a)

    def exact_in(self, mint_in: str, amount_in: int) -> tuple[int, int]:
        """(out, fee) of selling exactly ``amount_in``."""
        r_in, r_out = self.reserves(mint_in)
        fee = _ceil_div(amount_in * self.fee_bps, 10_000)
        net = amount_in - fee
        return net * r_out // (r_in + net), fee

    def exact_out(self, mint_in: str, amount_out: int) -> tuple[int, int]:
        """(in, fee) of buying exactly ``amount_out``."""
        r_in, r_out = self.reserves(mint_in)
        if amount_out >= r_out:
            raise ValueError("not enough liquidity")
        net = _ceil_div(amount_out * r_in, r_out - amount_out)
        gross = _ceil_div(net * 10_000, 10_000 - self.fee_bps)
        return gross, gross - net

    async def quote(self, request: web.Request) -> web.Response:
        query = request.query
        self.requests.append({"path": "/quote", **query})
        if self.rate_limited:
            return web.json_response({"message": "Too many requests"}, status=429,
                                     headers={"Retry-After": "3"})
        mints = {str(self.mint_a), str(self.mint_b)}
        mint_in, mint_out = query.get("inputMint", ""), query.get("outputMint", "")
        if {mint_in, mint_out} != mints:
            return web.json_response({"error": "Could not find any route",
                                      "errorCode": "COULD_NOT_FIND_ANY_ROUTE"}, status=400)
        try:
            amount, bps = int(query["amount"]), int(query.get("slippageBps", "50"))
        except (KeyError, ValueError):
            return web.json_response({"error": "amount must be an integer"}, status=400)
        mode = query.get("swapMode", "ExactIn")
        try:
            if mode == "ExactIn":
                amount_in, (amount_out, fee) = amount, self.exact_in(mint_in, amount)
                threshold = amount_out * (10_000 - bps) // 10_000
            else:
                amount_out, (amount_in, fee) = amount, self.exact_out(mint_in, amount)
                threshold = _ceil_div(amount_in * (10_000 + bps), 10_000)
        except ValueError as error:
            return web.json_response({"error": str(error),
                                      "errorCode": "COULD_NOT_FIND_ANY_ROUTE"}, status=400)
        pool = str(self.vault(self.mint_a))
        return web.json_response(self.tamper or {
            "inputMint": mint_in, "inAmount": str(amount_in), "outputMint": mint_out,
            "outAmount": str(amount_out), "otherAmountThreshold": str(threshold),
            "swapMode": mode, "slippageBps": bps, "platformFee": None,
            "priceImpactPct": "0", "contextSlot": self.chain.slot, "timeTaken": 0.001,
            "routePlan": [{"percent": 100, "swapInfo": {
                "ammKey": pool, "label": "StandIn CPMM", "inputMint": mint_in,
                "outputMint": mint_out, "inAmount": str(amount_in),
                "outAmount": str(amount_out), "feeAmount": str(fee), "feeMint": mint_in}}]})

    async def swap(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append({"path": "/swap", **body})
        quote = body["quoteResponse"]
        user = self.other_user or Pubkey.from_string(body["userPublicKey"])
        # dynamicComputeUnitLimit: the limit from a simulation; without it Jupiter asks 1.4M.
        limit = self.simulated_units if body.get("dynamicComputeUnitLimit") else 1_400_000
        cap = int(body["prioritizationFeeLamports"]["priorityLevelWithMaxLamports"]
                  ["maxLamports"])
        price = cap * 1_000_000 // limit + self.extra_priority_price
        mint_in, mint_out = (Pubkey.from_string(quote["inputMint"]),
                             Pubkey.from_string(quote["outputMint"]))
        pool = self.authority.pubkey()

        def transfer(source: Pubkey, destination: Pubkey, owner: Pubkey,
                     amount: int) -> Instruction:
            return Instruction(TOKEN, bytes([3]) + amount.to_bytes(8, "little"), [
                AccountMeta(source, False, True), AccountMeta(destination, False, True),
                AccountMeta(owner, True, False)])

        def ata(owner: Pubkey, mint: Pubkey) -> Pubkey:
            return Pubkey.from_string(associated_token_address(str(owner), str(mint)))

        instructions = [
            set_compute_unit_limit(limit), set_compute_unit_price(price),
            transfer(ata(user, mint_in), ata(pool, mint_in), user, int(quote["inAmount"])),
            transfer(ata(pool, mint_out), ata(user, mint_out), pool, int(quote["outAmount"])),
        ]
        blockhash = Hash.new_unique() if self.stale_blockhash \
            else self.chain.svm.latest_blockhash()
        message = MessageV0.try_compile(user, instructions, [], blockhash)
        signers = list(message.account_keys[: message.header.num_required_signatures])
        signatures = [Signature.default()] * len(signers)
        signer = Keypair() if self.bad_cosign else self.authority
        signatures[signers.index(pool)] = signer.sign_message(to_bytes_versioned(message))
        transaction = VersionedTransaction.populate(message, signatures)
        return web.json_response({
            "swapTransaction": base64.b64encode(bytes(transaction)).decode(),
            "lastValidBlockHeight": self.chain.slot + 150,
            "prioritizationFeeLamports": limit * price // 1_000_000,
            "computeUnitLimit": limit})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/quote", self.quote)
        app.router.add_post("/swap", self.swap)
        return app
