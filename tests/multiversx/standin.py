"""A stand-in of the MultiversX proxy API holding accounts, ESDT tokens and xExchange pairs.

It speaks the proxy's documented wire format (the ``{"data", "error", "code"}`` envelope)
on the endpoints the SDK's ``ProxyNetworkProvider`` calls: ``/network/config``,
``/network/status/<shard>``, ``/address/<bech32>`` (and ``/esdt``, ``/esdt/<id>``),
``/vm-values/query``, ``/transaction/send``, ``/transaction/<hash>``
(``?withResults=true``), ``/transaction/<hash>/process-status`` and ``/status``.

``/transaction/send`` checks what a node checks before a transaction enters the pool: the
chain id, the ed25519 signature over the transaction's serialized fields (built here from
the protocol's field order, independently of the SDK, and verified with ``cryptography``),
the nonce against the account's, and a hash already seen (a replay). Accepted
transactions execute at once in a new block (unless ``hold`` is set: then they stay
pending, for the "outcome unknown" case; with ``lose_answers`` the answer to an accepted
transaction is a gateway's 504 page; with ``rate_limited`` every request is answered 429).
A swap runs the pair contract's math as
mx-exchange-sc writes it (``get_amount_out`` / ``get_amount_in`` with the total fee in parts
of 100,000, the special fee taken out of the reserve), and a failure leaves balances as
they were, charges the gas and records the contract's message in a ``signalError`` event.
The transaction hash is the network's (blake2b-256 of the protobuf serialization): the
SDK's ``TransactionComputer`` computes it here, the one part taken from the client library.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from multiversx_sdk import Address, Transaction, TransactionComputer

MAX_PERCENTAGE = 100_000
ESDT_SYSTEM = "erd1qqqqqqqqqqqqqqqpqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqzllls8a5w6u"
GAS_PRICE, MIN_GAS_LIMIT, GAS_PER_DATA_BYTE = 1_000_000_000, 50_000, 1_500
SWAP_GAS = 12_000_000
"""Gas a swap's execution uses in the stand-in (beyond the data's move-balance gas)."""


class Refused(Exception):
    """A transaction the node refuses before it enters the pool."""


@dataclass
class Account:
    nonce: int = 0
    egld: int = 0
    esdt: dict[str, int] = field(default_factory=dict)


@dataclass
class Pair:
    first: str
    second: str
    reserves: dict[str, int]
    total_fee: int = 300
    special_fee: int = 0
    lp_supply: int = 1_000

    def amount_out(self, token_in: str, amount_in: int) -> int:
        reserve_in, reserve_out = self.reserves[token_in], self.reserves[self.other(token_in)]
        with_fee = amount_in * (MAX_PERCENTAGE - self.total_fee)
        return with_fee * reserve_out // (reserve_in * MAX_PERCENTAGE + with_fee)

    def amount_in(self, token_out: str, amount_out: int) -> int:
        reserve_out, reserve_in = self.reserves[token_out], self.reserves[self.other(token_out)]
        if amount_out >= reserve_out:
            raise Refused("Not enough reserve")
        numerator = reserve_in * amount_out * MAX_PERCENTAGE
        return numerator // ((reserve_out - amount_out) * (MAX_PERCENTAGE - self.total_fee)) + 1

    def other(self, token: str) -> str:
        if token not in self.reserves:
            raise Refused("Unknown token")
        return self.second if token == self.first else self.first


def _pubkey(bech32: str) -> bytes:
    return bytes(Address.new_from_bech32(bech32).get_public_key())


def _int(part: bytes) -> int:
    return int.from_bytes(part, "big")


def _part(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""


def signing_bytes(tx: dict[str, Any]) -> bytes:
    """The bytes a MultiversX transaction's signature covers: its fields as compact JSON,
    in the protocol's order, optional fields only when set."""
    fields: dict[str, Any] = {"nonce": tx["nonce"], "value": tx["value"],
                              "receiver": tx["receiver"], "sender": tx["sender"]}
    for name in ("senderUsername", "receiverUsername"):
        if tx.get(name):
            fields[name] = tx[name]
    fields["gasPrice"], fields["gasLimit"] = tx["gasPrice"], tx["gasLimit"]
    if tx.get("data"):
        fields["data"] = tx["data"]
    fields["chainID"] = tx["chainID"]
    if tx.get("version"):
        fields["version"] = tx["version"]
    for name in ("options", "guardian", "relayer"):
        if tx.get(name):
            fields[name] = tx[name]
    return json.dumps(fields, separators=(",", ":")).encode()


class ProxyStandIn:
    """The network's state and the proxy's HTTP answers."""

    def __init__(self, chain_id: str = "local") -> None:
        self.chain_id = chain_id
        self.accounts: dict[bytes, Account] = {}
        self.decimals: dict[str, int] = {}
        self.pairs: dict[str, Pair] = {}
        self.transactions: dict[str, dict[str, Any]] = {}
        self.block = 100
        self.hold = False
        self.lose_answers = False
        self.rate_limited = False
        self.refused: list[str] = []

    # -- setup -----------------------------------------------------------------------------

    def issue(self, identifier: str, decimals: int) -> None:
        self.decimals[identifier] = decimals

    def account(self, bech32: str) -> Account:
        return self.accounts.setdefault(_pubkey(bech32), Account())

    def add_pair(self, address: str, first: str, second: str, first_reserve: int,
                 second_reserve: int, **fees: int) -> Pair:
        pair = Pair(first, second, {first: first_reserve, second: second_reserve}, **fees)
        self.pairs[address] = pair
        account = self.account(address)
        account.esdt[first], account.esdt[second] = first_reserve, second_reserve
        return pair

    # -- the envelope ------------------------------------------------------------------------

    @staticmethod
    def ok(data: dict[str, Any]) -> web.Response:
        return web.json_response({"data": data, "error": "", "code": "successful"})

    @staticmethod
    def error(message: str, status: int = 400, code: str = "bad_request") -> web.Response:
        return web.json_response({"data": None, "error": message, "code": code}, status=status)

    @web.middleware
    async def _limits(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.rate_limited:
            return self.error("too many requests", status=429, code="bad_request")
        response: web.StreamResponse = await handler(request)
        return response

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._limits])
        app.router.add_get("/network/config", self._config)
        app.router.add_get("/network/status/{shard}", self._status)
        app.router.add_get("/address/{address}", self._address)
        app.router.add_get("/address/{address}/esdt", self._esdts)
        app.router.add_get("/address/{address}/esdt/{token}", self._esdt)
        app.router.add_post("/vm-values/query", self._query)
        app.router.add_post("/transaction/send", self._send)
        app.router.add_get("/transaction/{hash}", self._transaction)
        app.router.add_get("/transaction/{hash}/process-status", self._process_status)
        app.router.add_get("/transaction/{hash}/status", self._process_status)
        return app

    # -- reads -------------------------------------------------------------------------------

    async def _config(self, request: web.Request) -> web.Response:
        return self.ok({"config": {
            "erd_chain_id": self.chain_id, "erd_min_gas_price": GAS_PRICE,
            "erd_min_gas_limit": MIN_GAS_LIMIT, "erd_gas_per_data_byte": GAS_PER_DATA_BYTE,
            "erd_gas_price_modifier": "0.01", "erd_num_shards_without_meta": 3,
            "erd_round_duration": 6000, "erd_rounds_per_epoch": 14400, "erd_start_time": 0}})

    async def _status(self, request: web.Request) -> web.Response:
        return self.ok({"status": {"erd_nonce": self.block, "erd_current_round": self.block,
                                   "erd_epoch_number": 1}})

    def _block_info(self) -> dict[str, Any]:
        return {"blockInfo": {"nonce": self.block, "hash": "", "rootHash": ""}}

    async def _address(self, request: web.Request) -> web.Response:
        address = request.match_info["address"]
        account = self.account(address)
        return self.ok({"account": {"address": address, "nonce": account.nonce,
                                    "balance": str(account.egld)}, **self._block_info()})

    async def _esdts(self, request: web.Request) -> web.Response:
        account = self.account(request.match_info["address"])
        return self.ok({"esdts": {token: {"tokenIdentifier": token, "balance": str(amount)}
                                  for token, amount in account.esdt.items()},
                        **self._block_info()})

    async def _esdt(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        held = self.account(request.match_info["address"]).esdt.get(token, 0)
        return self.ok({"tokenData": {"tokenIdentifier": token, "balance": str(held)},
                        **self._block_info()})

    async def _query(self, request: web.Request) -> web.Response:
        body = await request.json()
        args = [bytes.fromhex(arg) for arg in body.get("args") or []]
        try:
            parts = self._view(body["scAddress"], body["funcName"], args)
        except Refused as refused:
            return self.ok({"data": {"returnData": None, "returnCode": "user error",
                                     "returnMessage": str(refused)}})
        return self.ok({"data": {"returnData": [base64.b64encode(p).decode() for p in parts],
                                 "returnCode": "ok", "returnMessage": ""}})

    def _view(self, contract: str, function: str, args: list[bytes]) -> list[bytes]:
        if contract == ESDT_SYSTEM and function == "getTokenProperties":
            token = args[0].decode()
            if token not in self.decimals:
                raise Refused("no ticker with given name")
            return [token.split("-")[0].encode(), b"FungibleESDT", bytes(32), b"1000000",
                    b"0", f"NumDecimals-{self.decimals[token]}".encode(), b"IsPaused-false"]
        pair = self.pairs.get(contract)
        if pair is None:
            raise Refused("invalid contract code (not found)")
        if function == "getFirstTokenId":
            return [pair.first.encode()]
        if function == "getSecondTokenId":
            return [pair.second.encode()]
        if function == "getTotalFeePercent":
            return [_part(pair.total_fee)]
        if function == "getReservesAndTotalSupply":
            return [_part(pair.reserves[pair.first]), _part(pair.reserves[pair.second]),
                    _part(pair.lp_supply)]
        if function == "getAmountOut":
            pair.other(args[0].decode())
            return [_part(pair.amount_out(args[0].decode(), _int(args[1])))]
        if function == "getAmountIn":
            return [_part(pair.amount_in(args[0].decode(), _int(args[1])))]
        raise Refused(f"invalid function (not found): {function}")

    # -- transactions --------------------------------------------------------------------------

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        try:
            tx_hash = self.accept(body)
        except Refused as refused:
            self.refused.append(str(refused))
            return self.error(f"transaction generation failed: {refused}")
        if self.lose_answers:  # accepted, but a gateway in between times out
            return web.Response(status=504, text="504 Gateway Time-out")
        return self.ok({"txHash": tx_hash})

    def accept(self, body: dict[str, Any]) -> str:
        """Check a transaction as a node does before its pool; execute it (or hold it)."""
        if body.get("chainID") != self.chain_id:
            raise Refused(f"invalid chain ID: {body.get('chainID')!r}")
        try:
            signature = bytes.fromhex(body.get("signature") or "")
            Ed25519PublicKey.from_public_bytes(_pubkey(body["sender"])).verify(
                signature, signing_bytes(body))
        except (InvalidSignature, ValueError):
            raise Refused("ed25519: invalid signature") from None
        tx_hash = TransactionComputer().compute_transaction_hash(
            Transaction.new_from_dictionary(body)).hex()
        if tx_hash in self.transactions:
            raise Refused("transaction already exists in the pool or was processed (replay)")
        sender = self.account(body["sender"])
        if body["nonce"] < sender.nonce:
            raise Refused(f"lowerNonceInTransaction: nonce {body['nonce']} < account "
                          f"nonce {sender.nonce}")
        if body["nonce"] > sender.nonce:
            raise Refused(f"higherNonceInTransaction: nonce {body['nonce']} > account "
                          f"nonce {sender.nonce}")
        if sender.egld < body["gasLimit"] * body["gasPrice"]:
            raise Refused("insufficient funds for gas")
        record = {**body, "hash": tx_hash, "status": "pending", "logs": {"events": []}}
        self.transactions[tx_hash] = record
        if not self.hold:
            self.execute(tx_hash)
        return tx_hash

    def execute(self, tx_hash: str) -> None:
        """Execute a pending transaction in a new block."""
        record = self.transactions[tx_hash]
        sender = self.account(record["sender"])
        data = base64.b64decode(record.get("data") or "")
        move_gas = MIN_GAS_LIMIT + len(data) * GAS_PER_DATA_BYTE
        used = min(record["gasLimit"], move_gas + SWAP_GAS)
        fee = move_gas * record["gasPrice"] + (used - move_gas) * (record["gasPrice"] // 100)
        sender.nonce += 1
        sender.egld -= fee
        self.block += 1
        record.update(blockNonce=self.block, gasUsed=used, fee=str(fee), timestamp=1_700_000_000
                      + self.block * 6, round=self.block, epoch=1, sourceShard=1,
                      destinationShard=1)
        if not data.startswith(b"ESDTTransfer@"):  # a plain EGLD transfer
            value = int(record.get("value") or 0)
            sender.egld -= value
            self.account(record["receiver"]).egld += value
            record["status"] = "success"
            return
        try:
            events = self._swap(record["sender"], record["receiver"], data)
        except Refused as refused:
            record["status"] = "fail"
            record["logs"] = {"address": record["sender"], "events": [{
                "address": record["receiver"], "identifier": "signalError",
                "topics": [base64.b64encode(_pubkey(record["sender"])).decode(),
                           base64.b64encode(str(refused).encode()).decode()]}]}
            return
        record["status"] = "success"
        record["logs"] = {"address": record["sender"], "events": events}

    def _swap(self, caller: str, contract: str, data: bytes) -> list[dict[str, Any]]:
        parts = data.decode().split("@")
        if len(parts) < 6:
            raise Refused("the stand-in executes ESDTTransfer calls of a pair's swaps only")
        token_in, amount = bytes.fromhex(parts[1]).decode(), int(parts[2], 16)
        function = bytes.fromhex(parts[3]).decode()
        token_out, number = bytes.fromhex(parts[4]).decode(), int(parts[5] or "0", 16)
        account, pair = self.account(caller), self.pairs.get(contract)
        if account.esdt.get(token_in, 0) < amount:
            raise Refused("insufficient funds")
        if pair is None:
            raise Refused("invalid contract code (not found)")
        if pair.other(token_in) != token_out or number <= 0:
            raise Refused("Invalid arguments")
        if function == "swapTokensFixedInput":
            paid, received = amount, pair.amount_out(token_in, amount)
            if received < number:
                raise Refused("Slippage exceeded")
        elif function == "swapTokensFixedOutput":
            paid, received = pair.amount_in(token_out, number), number
            if paid > amount:
                raise Refused("Slippage exceeded")
        else:
            raise Refused(f"invalid function (not found): {function}")
        if received <= 0 or received >= pair.reserves[token_out]:
            raise Refused("Not enough reserve")
        special = paid * pair.special_fee // MAX_PERCENTAGE
        pair.reserves[token_in] += paid - special
        pair.reserves[token_out] -= received
        account.esdt[token_in] -= paid
        account.esdt[token_out] = account.esdt.get(token_out, 0) + received
        pool = self.account(contract)
        pool.esdt[token_in], pool.esdt[token_out] = (pair.reserves[token_in],
                                                     pair.reserves[token_out])
        events = [self._transfer(caller, contract, token_in, amount),
                  self._transfer(contract, caller, token_out, received)]
        if amount > paid:
            events.append(self._transfer(contract, caller, token_in, amount - paid))
        return events

    @staticmethod
    def _transfer(sender: str, receiver: str, token: str, amount: int) -> dict[str, Any]:
        topics = [token.encode(), b"", _part(amount), _pubkey(receiver)]
        return {"address": sender, "identifier": "ESDTTransfer",
                "topics": [base64.b64encode(topic).decode() for topic in topics]}

    async def _transaction(self, request: web.Request) -> web.Response:
        record = self.transactions.get(request.match_info["hash"])
        if record is None:
            return self.error("transaction not found", status=404, code="internal_issue")
        return self.ok({"transaction": record})

    async def _process_status(self, request: web.Request) -> web.Response:
        record = self.transactions.get(request.match_info["hash"])
        if record is None:
            return self.error("transaction not found", status=404, code="internal_issue")
        return self.ok({"status": record["status"]})
