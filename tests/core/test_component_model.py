"""The component model as a plugin author types it: ``X(X.Args(...))``, ``self.log``.

Each test checks the run-time behaviour; the ``assert_type`` lines are checked by
``mypy --strict tests`` in CI, so the typing the docs promise is pinned too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_type

import pytest
from pydantic import Field

from fortuna import Component, ComponentArgs, Context, Logger, NoArgs, Service
from tests.sinks.support import LogRecorder, recorded

if TYPE_CHECKING:
    import structlog


class PriceArgs(ComponentArgs):
    symbol: str = Field(description="The market, like BTC/USDT.")


class Price(Component[PriceArgs]):
    """A component whose args model comes from its type argument."""


class TunedPrice(Price):
    """A subclass that keeps its parent's args."""


class Runner(Service[PriceArgs]):
    """A service whose args model comes through Service's type argument."""


def test_args_is_the_model_of_the_type_argument() -> None:
    assert Price.Args is PriceArgs
    assert_type(Price.Args, type[PriceArgs])


def test_a_component_built_from_its_args_holds_them_typed() -> None:
    price = Price(Price.Args(symbol="ETH/USDT"))
    assert price.args == PriceArgs(symbol="ETH/USDT")
    assert_type(price.args, PriceArgs)


def test_a_subclass_keeps_its_parents_args() -> None:
    assert TunedPrice.Args is PriceArgs
    assert_type(TunedPrice(TunedPrice.Args(symbol="BTC/USDT")).args, PriceArgs)


def test_a_service_takes_its_args_from_its_type_argument() -> None:
    assert Runner.Args is PriceArgs
    assert_type(Runner.Args, type[PriceArgs])


def test_an_args_class_declared_in_the_body_wins_over_the_type_argument() -> None:
    class Declared(Component[NoArgs]):
        """Declares its model in its body."""

        class Args(NoArgs):
            pass

    assert Declared.Args is not NoArgs
    assert issubclass(Declared.Args, NoArgs)


def test_the_base_component_takes_no_args() -> None:
    assert Component.Args is NoArgs


def test_args_refuse_what_the_model_refuses() -> None:
    with pytest.raises(ValueError, match="symbol"):
        Price.Args(symbol=None)


def test_the_logger_given_in_the_context_is_the_components_logger() -> None:
    price = Price(Price.Args(symbol="BTC/USDT"), Context(name="mid", log=LogRecorder()))
    price.log.warning("stale quote", age=3)
    assert_type(price.log, Logger)
    assert recorded(price).named("stale quote", "warning") == [{"age": 3}]


def test_without_a_logger_the_component_binds_one_with_its_name() -> None:
    price = Price(Price.Args(symbol="BTC/USDT"), Context(name="mid"))
    assert price.log is price.log  # bound once, then kept in the context
    assert price.context.log is price.log


def _structlog_loggers_are_loggers(
    filtering: structlog.typing.FilteringBoundLogger, stdlib: structlog.stdlib.BoundLogger
) -> list[Logger]:
    # Checked by mypy, never called: both structlog logger types satisfy fortuna.Logger.
    return [filtering, stdlib, filtering.bind(a=1)]

