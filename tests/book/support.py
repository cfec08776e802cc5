"""A firm's book written to a folder: one market-making mandate per file, on ccxt venues.

Each mandate quotes its own market with its own API key (``!env KEY_<n>``) unless a test
says otherwise, so a generated book shares nothing and validates clean; a test plants a
conflict by giving two mandates something in common. ``benchmarks/book.py`` writes its
books of 30 to 3,000 mandates with the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Spec", "at", "spec", "write_book", "write_mandate"]

VENUES = ("binance", "bybit", "gate", "bitget", "mexc")
"""Venues of the generated book: tuned ccxt venues, limits of 20 to 50 requests/s."""

TEMPLATE = """\
# yaml-language-server: $schema=../../jsonschema/mandate.schema.json
service: "@mm"
vars:
  mandate: {name}
  symbol: {symbol}
components:
  venue:
    id: exchanges.ccxt.{venue}
    args:
      api_key: {key}
      secret: !env SECRET_{number}
      client_order_id_prefix: {prefix}
  reference:
    id: prices.ticker
    args: {{exchange: "@venue", symbol: "@symbol"}}
  strategy:
    id: market_making.strategies.ladder
    args: {{levels: 3, spread: 0.001, step: 0.0005, amount: 0.01}}
  executor:
    id: market_making.executors.exchange
  mm:
    id: market_making
    args:
      mandate: "@mandate"
      exchange: "@venue"
      symbol: "@symbol"
      price: "@reference"
      strategy: "@strategy"
      executor: "@executor"
      interval: {interval}
"""


@dataclass(frozen=True)
class Spec:
    """One generated mandate: what it is called, where it quotes, with which key."""

    number: int
    name: str
    venue: str
    symbol: str
    key: str
    """The api_key arg as written: ``!env KEY_7`` or a literal."""
    interval: str = "1s"
    prefix: str = "fortuna"

    def text(self) -> str:
        return TEMPLATE.format(name=self.name, venue=self.venue, symbol=self.symbol,
                               key=self.key, number=self.number, interval=self.interval,
                               prefix=self.prefix)


def spec(number: int) -> Spec:
    """Mandate ``number`` of a book that shares nothing: its own name, key and market."""
    return Spec(number=number, name=f"mm_{number}", venue=VENUES[number % len(VENUES)],
                symbol=f"C{number}/USDT", key=f"!env KEY_{number}")


def write_mandate(folder: Path, item: Spec) -> Path:
    path = folder / f"mandate_{item.number:04d}.yaml"
    path.write_text(item.text(), encoding="utf-8")
    return path


def write_book(folder: Path, count: int, *planted: Spec) -> list[Path]:
    """``count`` mandates in ``folder``, the ``planted`` specs replacing theirs by number."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = {number: spec(number) for number in range(count)}
    specs.update((item.number, item) for item in planted)
    return [write_mandate(folder, specs[number]) for number in sorted(specs)]


def at(path: Path, needle: str, *, after: str = "") -> str:
    """``FILE:LINE:COL`` of the first ``needle`` in ``path`` (after the line holding
    ``after``, when given), as findings print positions."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if after and after in line), 0)
    for index in range(start, len(lines)):
        column = lines[index].find(needle)
        if column >= 0:
            return f"{path}:{index + 1}:{column + 1}"
    raise AssertionError(f"{needle!r} not in {path}")

