"""The Jupiter Swap API, version 6 wire format: ``GET /quote`` and ``POST /swap``.

Implemented: the v6 shape (``https://quote-api.jup.ag/v6``), which Jupiter now serves as
``/swap/v1`` (``https://lite-api.jup.ag/swap/v1`` keyless, ``https://api.jup.ag/swap/v1``
with an ``x-api-key`` header). Amounts are integers of smallest units, sent and received as
decimal strings. ``/quote`` answers ``inAmount``, ``outAmount``, ``otherAmountThreshold``
(the bound after ``slippageBps``), ``swapMode``, ``routePlan`` (each hop's ``swapInfo``
with ``ammKey``, ``feeAmount``, ``feeMint``) and ``contextSlot``; ``/swap`` answers
``swapTransaction`` (a base64 serialized versioned transaction for ``userPublicKey`` to
sign), ``lastValidBlockHeight``, ``computeUnitLimit`` and ``prioritizationFeeLamports``.

HTTP 429 is :class:`RateLimited` (with ``Retry-After`` when given), 5xx and connection
failures retryable, any other refusal permanent with Jupiter's own ``error`` text (a route
that cannot be found is ``InvalidOrder``). Requests are spaced by ``min_interval`` so a
public API's rate limit is respected rather than discovered.
"""

from __future__ import annotations

from typing import Any

from schemas import (
    ExchangeError,
    ExchangeUnavailable,
    InvalidOrder,
    NetworkError,
    RateLimited,
    RequestTimeout,
)
from schemas.http import HttpClient, RequestSpacing

__all__ = ["JupiterApi"]

_NO_ROUTE = ("COULD_NOT_FIND_ANY_ROUTE", "NO_ROUTES_FOUND", "TOKEN_NOT_TRADABLE",
             "Could not find any route")


class JupiterApi:
    """Jupiter's quote and swap endpoints over a shared HTTP session, paced."""

    def __init__(self, http: HttpClient, base_url: str, api_key: str | None, *,
                 min_interval: float, venue: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"x-api-key": api_key} if api_key else {}
        self._spacing = RequestSpacing(min_interval)
        self._venue = venue

    async def quote(self, *, input_mint: str, output_mint: str, amount: int, exact_out: bool,
                    slippage_bps: int) -> dict[str, Any]:
        params = {
            "inputMint": input_mint, "outputMint": output_mint, "amount": str(amount),
            "swapMode": "ExactOut" if exact_out else "ExactIn",
            "slippageBps": str(slippage_bps),
        }
        return await self._request("GET", "/quote", params=params)

    async def swap(self, quote: dict[str, Any], *, user: str,
                   priority_fee_lamports: int) -> dict[str, Any]:
        """The swap transaction for ``quote``. Jupiter simulates it to set its compute-unit
        limit (``dynamicComputeUnitLimit``; without it, it asks the 1.4M maximum) and prices
        the units so the priority fee stays under ``priority_fee_lamports``."""
        body = {
            "quoteResponse": quote,
            "userPublicKey": user,
            "wrapAndUnwrapSol": True,
            "dynamicComputeUnitLimit": True,
            "prioritizationFeeLamports": {"priorityLevelWithMaxLamports": {
                "maxLamports": priority_fee_lamports, "priorityLevel": "high"}},
        }
        return await self._request("POST", "/swap", json=body)

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        import aiohttp

        await self._spacing.wait_turn()
        url = self._base + path
        try:
            async with self._http.session().request(
                    method, url, headers=self._headers, **kwargs) as response:
                text = await response.text()
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError as error:
            raise RequestTimeout(f"Jupiter did not answer in time ({method} {path})",
                                 venue=self._venue) from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"cannot reach Jupiter at {self._base}: {error}",
                               venue=self._venue) from error
        body = _json(text)
        message = str(body.get("error") or body.get("message") or text[:300]) \
            if isinstance(body, dict) else text[:300]
        if status == 429:
            raise RateLimited(f"Jupiter is rate limiting: {message}", venue=self._venue,
                              retry_after=_seconds(retry_after))
        if status >= 500:
            raise ExchangeUnavailable(f"Jupiter answered {status}: {message}",
                                      venue=self._venue)
        if status >= 400:
            code = str(body.get("errorCode", "")) if isinstance(body, dict) else ""
            if any(mark in code or mark in message for mark in _NO_ROUTE):
                raise InvalidOrder(f"Jupiter has no route: {message}", venue=self._venue)
            raise ExchangeError(f"Jupiter refused {method} {path} ({status}): {message}",
                                venue=self._venue)
        if not isinstance(body, dict):
            raise ExchangeError(f"Jupiter answered {method} {path} with something else than a "
                                f"JSON object: {text[:200]!r}", venue=self._venue)
        return body


def _json(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return None


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
