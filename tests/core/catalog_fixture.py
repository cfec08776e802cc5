"""A small catalog of real components for the core's tests, registered in-process."""

from __future__ import annotations

import abc
from decimal import Decimal

from pydantic import Field, SecretStr

from fortuna import Component, ComponentArgs, ExactDecimal, Interface, Registry, Service


class Venue(Interface, abc.ABC):
    """Something that trades."""


class Pricing(Interface, abc.ABC):
    """Something that prices."""


class VenueArgs(ComponentArgs):
    api_key: SecretStr | None = Field(None, description="API key")
    fee: ExactDecimal = Field(Decimal("0.001"), ge=0, description="taker fee rate")


class FakeVenue(Component[VenueArgs], Venue):
    """A venue that does nothing, for validation tests."""


class PriceArgs(ComponentArgs):
    venue: Venue = Field(description="where the price comes from")
    symbol: str = Field(description="BASE/QUOTE")


class VenuePrice(Component[PriceArgs], Pricing):
    """Prices from a venue."""


class BotArgs(ComponentArgs):
    venue: Venue
    pricing: Pricing
    amount: ExactDecimal = Field(gt=0, description="order size")
    levels: list[ExactDecimal] = Field(default_factory=list, description="spreads")
    extra: list[Pricing] = Field(default_factory=list)
    label: str = "bot"


class Bot(Service[BotArgs]):
    """Quotes around a price."""

    async def run(self) -> None:
        return None


def registry() -> Registry:
    return Registry(
        {
            "test.venue": FakeVenue,
            "test.price": VenuePrice,
            "test.bot": Bot,
        }
    )
