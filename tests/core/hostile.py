"""Hostile mandates for the core's tests: generated at any size, and located outcomes.

Each generator returns YAML text whose cost used to be far beyond its size (one typo per
component, long var chains, many aliases of a bad value). ``outcome`` runs the loader and
validation the way ``fortuna validate`` does and returns the printed findings; it never
catches anything but what the loader documents, so an exception fails the calling test.
"""

from __future__ import annotations

from fortuna import Registry, validate
from fortuna._internal.loader import Document, LoadFailed, load_text
from tests.core import catalog_fixture


def outcome(text: str, registry: Registry | None = None, source: str = "m.yaml") -> list[str]:
    """Every finding, printed, for ``text`` (the loader's refusal is one finding)."""
    try:
        document = load_text(text, source, env={})
    except LoadFailed as exc:
        return [str(exc.finding)]
    return [str(finding) for finding in validate(document, registry=registry).findings]


def parse(text: str) -> Document:
    return load_text(text, "m.yaml", env={})


def misspelt_references(count: int) -> str:
    """``count`` prices, each referring to its venue with one letter wrong."""
    lines = ['service: "@bot"', "components:",
             "  bot:", "    id: test.bot",
             '    args: {venue: "@venue_0", pricing: "@price_0", amount: 1}']
    for i in range(count):
        lines += [f"  venue_{i}:", "    id: test.venue",
                  f"  price_{i}:", "    id: test.price",
                  f'    args: {{venue: "@venu_{i}", symbol: BTC/USDT}}']
    return "\n".join(lines) + "\n"


def chained_vars(count: int) -> str:
    """``count`` vars, each the previous one by reference; the last is the bot's amount."""
    lines = ['service: "@bot"', "vars:", "  v0: 1"]
    lines += [f'  v{i}: "@v{i - 1}"' for i in range(1, count)]
    lines += ["components:", "  venue: {id: test.venue}",
              '  price: {id: test.price, args: {venue: "@venue", symbol: BTC/USDT}}',
              "  bot:", "    id: test.bot",
              f'    args: {{venue: "@venue", pricing: "@price", amount: "@v{count - 1}"}}']
    return "\n".join(lines) + "\n"


def aliased_bad_value(count: int) -> str:
    """One bad decimal, anchored once and aliased ``count`` times in the bot's levels."""
    lines = ['service: "@bot"', "components:", "  venue: {id: test.venue}",
             '  price: {id: test.price, args: {venue: "@venue", symbol: BTC/USDT}}',
             "  bot:", "    id: test.bot", "    args:",
             '      venue: "@venue"', '      pricing: "@price"', "      amount: 1",
             "      levels:", "        - &bad not-a-number"]
    lines += ["        - *bad"] * count
    return "\n".join(lines) + "\n"


def aliased_long_scalar(size: int, count: int) -> str:
    """A scalar of ``size`` characters, anchored and aliased ``count`` times."""
    lines = ['service: "@bot"', "vars:", f"  big: &big {'x' * size}", "  copies:"]
    lines += ["    - *big"] * count
    lines += ["components:", "  venue: {id: test.venue}",
              '  price: {id: test.price, args: {venue: "@venue", symbol: "@big"}}',
              "  bot:", "    id: test.bot",
              '    args: {venue: "@venue", pricing: "@price", amount: "@big"}']
    return "\n".join(lines) + "\n"


def many_bad_components(count: int) -> str:
    """``count`` bots, each with a bad amount and an unknown arg."""
    lines = ['service: "@bot_0"', "components:", "  venue: {id: test.venue}",
             '  price: {id: test.price, args: {venue: "@venue", symbol: BTC/USDT}}']
    for i in range(count):
        lines += [f"  bot_{i}:", "    id: test.bot",
                  f'    args: {{venue: "@venue", pricing: "@price", amount: -{i}, amout: 1}}']
    return "\n".join(lines) + "\n"


REGISTRY = catalog_fixture.registry()
