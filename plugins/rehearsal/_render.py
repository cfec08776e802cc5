"""The run summary as a desk reads it (text) and as a machine reads it (JSON).

Decimals are printed as they are, never through a float: in JSON they are strings, so a
reader gets every digit (``json.loads(..., parse_float=...)`` is not needed).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from schemas import money
from schemas.money import Rounding

__all__ = ["as_json", "as_text", "plain"]

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def plain(value: Any) -> str:
    """A decimal in positional notation (1E+1 reads 10), anything else as str."""
    if value is None:
        return "n/a"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "n/a"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def as_json(figures: dict[str, Any]) -> str:
    return json.dumps(_jsonable(figures), indent=2) + "\n"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s"


def as_text(figures: dict[str, Any]) -> str:
    lines = ["", f"summary of {figures['mandate']}"
             + (" (rehearsal)" if figures["rehearsal"] else "")]
    started, ended = figures["started"], figures["ended"]
    if started is not None and ended is not None:
        lines.append(f"  time       {_when(started)} -> {_when(ended)} UTC "
                     f"({_duration(ended - started)} on the mandate's clock)")
    for book in figures["books"]:
        lines.extend(_book(book))
    for venue, balances in figures.get("venues", {}).items():
        lines.append(f"  balances on {venue} (no quoting executor; start -> end, change)")
        for code, row in balances.items():
            change = row["change"]
            sign = "+" if change is not None and change > 0 else ""
            lines.append(f"    {code:<10} {plain(row['start'])} -> {plain(row['end'])} "
                         f"({sign}{plain(change)})")
    trips = figures["kill_switch_trips"]
    lines.append(f"  kill-switch trips: {len(trips) or 'none'}")
    for trip in trips:
        lines.append(f"    {_when(trip['time'])}  {trip['switch']}: {trip['reason']}")
    return "\n".join(lines) + "\n"


def _book(book: dict[str, Any]) -> list[str]:
    pnl, volume, inventory = book["pnl"], book["volume"], book["inventory"]
    quoting, orders, check = book["quoting"], book["orders"], book["reconciliation"]
    quote = book["symbol"].split("/")[1]
    base = book["symbol"].split("/")[0]
    buy, sell = volume["buy"], volume["sell"]
    lines = [
        f"  {book['symbol']} on {book['venue']}  (mark {plain(book['mark'])} {quote})",
        f"    P&L        {plain(pnl['total'])} {quote} mark-to-market, net of fees "
        f"(realised {plain(pnl['realised'])}, unrealised {plain(pnl['unrealised'])}; "
        f"fees {plain(pnl['fees'])})",
        f"    volume     buy {plain(buy['base'])} {base} = {plain(buy['quote'])} {quote} in "
        f"{buy['fills']} fills; sell {plain(sell['base'])} {base} = {plain(sell['quote'])} "
        f"{quote} in {sell['fills']} fills",
        f"    inventory  {base} start {plain(inventory['start'])}, end "
        f"{plain(inventory['end'])}, min {plain(inventory['min'])}, max "
        f"{plain(inventory['max'])}",
    ]
    fraction = quoting["two_sided_fraction"]
    uptime = "n/a" if fraction is None else \
        f"{plain(money.round_to(money.multiply(fraction, _HUNDRED), _CENT, Rounding.HALF_EVEN))} %"
    lines.append(f"    quoted     two-sided {uptime} of {quoting['samples']} samples "
                 f"({_duration(quoting['two_sided_seconds'])})")
    lines.append(f"    spread     average {plain(quoting['spread_bps'])} bps "
                 f"(target {plain(quoting['target_spread_bps'])} bps)")
    lines.append(f"    depth      bid {plain(quoting['bid_depth'])} {base} (target "
                 f"{plain(quoting['target_bid_depth'])}), ask {plain(quoting['ask_depth'])} "
                 f"{base} (target {plain(quoting['target_ask_depth'])})")
    if orders is None:
        lines.append("    orders     not counted by this executor")
    else:
        lines.append(f"    orders     placed {orders['placed']}, cancelled "
                     f"{orders['cancelled']}, refused {orders['refused']} (by the mandate's "
                     f"limits, never sent), failed {orders['failed']} (venue errors and "
                     "rejections)")
    if check["ok"]:
        lines.append("    reconciled P&L = value change of the balances at the mark; "
                     "fees = sum of fill fees")
    else:
        lines.append("    NOT RECONCILED: " + "; ".join(check["problems"]))
    return lines
